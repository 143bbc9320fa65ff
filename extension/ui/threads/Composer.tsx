/**
 * Writing in a thread: Send asks the configured model (the reply streams into the thread) with the
 * context chips' text; with no model configured the text is saved as a note and the panel says how
 * to add one. The model setting is read live: the moment one is saved (options page), Send asks it.
 * In an unsaved thread the first write makes the thread (`withThread`).
 */
import { useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import type { ModelSettings } from '../../../shared/commands/chat';
import type { ChatContext } from '../../../shared/chat/context';
import type { Result } from '../../../shared/errors';
import { sendCommand } from '../../commands/client';
import { useLiveQuery } from '../hooks';
import { t } from '../i18n';
import { ContextChips, type ChipTab, type ContextChoice } from './ContextChips';

/** Runs a write in the tab's thread, making the thread first when it is unsaved. */
export type WithThread = <T>(write: (threadId: string) => Promise<Result<T>>) => Promise<Result<T>>;

/**
 * The saved model settings, live (null: none, or no model picked); undefined while loading. The
 * row is written only by the background, which parsed it; the panel's first load never runs zod
 * (see extension/zod-setup.ts), so this only checks that a model is named.
 */
export function useModelSettings(): ModelSettings | null | undefined {
  return useLiveQuery(async (db) => {
    const value = (await db.settings.get('chat.model'))?.value as Partial<ModelSettings> | undefined;
    return value && typeof value.model === 'string' && value.model && typeof value.baseUrl === 'string' ? (value as ModelSettings) : null;
  }, []);
}

export function Composer({ withThread, tab, choice, onChoice, context }: { withThread: WithThread; tab: ChipTab; choice: ContextChoice; onChoice: (next: ContextChoice) => void; context: ChatContext }) {
  const [text, setText] = useState('');
  const [error, setError] = useState<{ code: string; message: string } | null>(null);
  const settings = useModelSettings();
  const model = settings ?? null;
  const submit = async (asNote: boolean) => {
    const content = text.trim();
    if (!content) return;
    // Clicked before the live read answered: ask the background which mode applies.
    const current = settings !== undefined ? model : await sendCommand('chat.getSettings', {}).then((r) => (r.ok && r.result.settings?.model ? r.result.settings : null));
    const reply = await withThread<unknown>((threadId) => (asNote || !current ? sendCommand('chat.note', { threadId, content }) : sendCommand('chat.send', { threadId, content, context })));
    if (reply.ok) {
      setText('');
      setError(null);
    } else setError(reply.error);
  };
  return (
    <form
      class="composer"
      data-testid="composer"
      data-mode={model ? 'chat' : 'notes'}
      onSubmit={(event) => {
        event.preventDefault();
        void submit(false);
      }}
    >
      {model && <ContextChips choice={choice} onChange={onChoice} tab={tab} />}
      <textarea
        rows={3}
        value={text}
        data-testid="composer-input"
        placeholder={model ? t('composerAskModel', model.model) : t('composerWriteNote')}
        onInput={(e) => setText((e.target as HTMLTextAreaElement).value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            void submit(false);
          }
        }}
      />
      <div class="toolbar">
        <button type="submit" class="primary" data-testid="composer-send">
          {model ? t('composerSend') : t('composerSaveNote')}
        </button>
        {model && (
          <button type="button" data-testid="composer-note" onClick={() => void submit(true)}>
            {t('composerSaveAsNote')}
          </button>
        )}
      </div>
      {settings === null && (
        <p class="muted" data-testid="no-model">
          {t('composerNoModel')}{' '}
          <button type="button" class="link" onClick={() => void browser.runtime.openOptionsPage()}>
            {t('composerAddModel')}
          </button>
        </p>
      )}
      {error && (
        <p class="error" data-testid="composer-error" data-code={error.code}>
          {error.message}
        </p>
      )}
    </form>
  );
}
