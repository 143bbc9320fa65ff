/** The popup's view of the current tab's thread: title, last messages, a quick note (the first one makes an unsaved thread). */
import { useState } from 'preact/hooks';
import type { Browser } from 'wxt/browser';
import { sendCommand } from '../../commands/client';
import { useLiveQuery } from '../hooks';
import { t } from '../i18n';
import { useTabThread } from './useTabThread';

export function PopupThread({ tab }: { tab: Browser.tabs.Tab | null }) {
  const [resolved, resolve] = useTabThread(tab?.id !== undefined ? { tabId: tab.id, url: tab.url ?? null, title: tab.title ?? null, incognito: tab.incognito } : null);
  const [note, setNote] = useState('');
  const threadId = resolved.state === 'ready' ? (resolved.thread?.id ?? null) : null;
  const last = useLiveQuery(async (db) => (threadId ? (await db.messages.where('[threadId+createdAt]').between([threadId, -Infinity], [threadId, Infinity]).reverse().limit(3).toArray()).reverse() : []), [threadId]) ?? [];
  if (resolved.state !== 'ready') return resolved.state === 'none' ? <p class="muted">{resolved.reason}</p> : null;
  return (
    <section data-testid="popup-thread">
      <h2>{resolved.thread ? resolved.thread.title : t('popupThreadUnsaved', resolved.tab.title || resolved.tab.url || '')}</h2>
      <ul class="popup-messages">
        {last.map((m) => (
          <li key={m.id} class="truncate">
            <strong>{m.role === 'assistant' ? t('popupRoleAssistant') : m.role === 'note' ? t('popupRoleNote') : t('popupRoleYou')}:</strong> {m.content}
          </li>
        ))}
        {last.length === 0 && <li class="muted">{t('popupNoMessages')}</li>}
      </ul>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (!note.trim()) return;
          const { tab: ref } = resolved;
          // An unsaved thread is made by its first note.
          void (threadId ? Promise.resolve(threadId) : sendCommand('threads.forTab', { ...ref, create: true }).then((r) => (r.ok ? (r.result.thread?.id ?? null) : null))).then(async (id) => {
            if (!id) return;
            const reply = await sendCommand('chat.note', { threadId: id, content: note });
            if (reply.ok) setNote('');
            if (!threadId) resolve();
          });
        }}
      >
        <input value={note} placeholder={t('popupQuickNote')} data-testid="quick-note" onInput={(e) => setNote((e.target as HTMLInputElement).value)} /> <button type="submit">{t('save')}</button>
      </form>
    </section>
  );
}
