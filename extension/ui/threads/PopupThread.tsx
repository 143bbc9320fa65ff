/** The popup's view of the current tab's thread: title, last messages, a quick note. */
import { useState } from 'preact/hooks';
import type { Browser } from 'wxt/browser';
import { sendCommand } from '../../commands/client';
import { useLiveQuery } from '../hooks';
import { useTabThread } from './useTabThread';

export function PopupThread({ tab }: { tab: Browser.tabs.Tab | null }) {
  const [resolved] = useTabThread(tab?.id !== undefined ? { tabId: tab.id, url: tab.url ?? null, title: tab.title ?? null, incognito: tab.incognito } : null);
  const [note, setNote] = useState('');
  const threadId = resolved.state === 'ready' ? resolved.thread.id : null;
  const last = useLiveQuery(async (db) => (threadId ? (await db.messages.where('[threadId+createdAt]').between([threadId, -Infinity], [threadId, Infinity]).reverse().limit(3).toArray()).reverse() : []), [threadId]) ?? [];
  if (resolved.state !== 'ready') return resolved.state === 'none' ? <p class="muted">{resolved.reason}</p> : null;
  return (
    <section data-testid="popup-thread">
      <h2>{resolved.thread.title}</h2>
      <ul class="popup-messages">
        {last.map((m) => (
          <li key={m.id} class="truncate">
            <strong>{m.role === 'assistant' ? 'Assistant' : m.role === 'note' ? 'Note' : 'You'}:</strong> {m.content}
          </li>
        ))}
        {last.length === 0 && <li class="muted">No messages yet.</li>}
      </ul>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (!note.trim() || !threadId) return;
          void sendCommand('chat.note', { threadId, content: note }).then((reply) => reply.ok && setNote(''));
        }}
      >
        <input value={note} placeholder="Quick note" data-testid="quick-note" onInput={(e) => setNote((e.target as HTMLInputElement).value)} /> <button type="submit">Save</button>
      </form>
    </section>
  );
}
