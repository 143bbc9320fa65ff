/**
 * Writing in a thread: Send asks the configured model (the reply streams into the thread); with
 * no model configured the text is saved as a note and the panel says how to add one.
 */
import { useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { sendCommand } from '../../commands/client';
import { useCommand } from '../hooks';

export function Composer({ threadId }: { threadId: string }) {
  const [text, setText] = useState('');
  const [error, setError] = useState<{ code: string; message: string } | null>(null);
  const [settings] = useCommand('chat.getSettings', {});
  const model = settings.state === 'ready' && settings.value.settings?.model ? settings.value.settings : null;
  const submit = async (asNote: boolean) => {
    const content = text.trim();
    if (!content) return;
    const reply = asNote || !model ? await sendCommand('chat.note', { threadId, content }) : await sendCommand('chat.send', { threadId, content });
    if (reply.ok) {
      setText('');
      setError(null);
    } else setError(reply.error);
  };
  return (
    <form
      class="composer"
      data-testid="composer"
      onSubmit={(event) => {
        event.preventDefault();
        void submit(false);
      }}
    >
      <textarea
        rows={3}
        value={text}
        data-testid="composer-input"
        placeholder={model ? `Ask ${model.model}…` : 'Write a note…'}
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
          {model ? 'Send' : 'Save note'}
        </button>
        {model && (
          <button type="button" data-testid="composer-note" onClick={() => void submit(true)}>
            Save as note
          </button>
        )}
      </div>
      {settings.state === 'ready' && !model && (
        <p class="muted" data-testid="no-model">
          No model configured: this thread works as notes.{' '}
          <button type="button" class="link" onClick={() => void browser.runtime.openOptionsPage()}>
            Add a model endpoint in Settings
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
