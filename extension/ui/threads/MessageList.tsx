/**
 * A thread's messages, oldest first, live. Content is page- and model-derived: it is rendered as
 * text only (a text node inside <pre>-like wrapping), never parsed as HTML or markdown.
 */
import { useEffect, useState } from 'preact/hooks';
import { findPatchBlocks } from '../../../shared/patch-blocks';
import type { Message } from '../../../shared/schemas/entities';
import { sendCommand } from '../../commands/client';
import { useLiveQuery } from '../hooks';
import { Deferred } from '../components/Deferred';

const ROLE_LABEL: Record<Message['role'], string> = { user: 'You', assistant: 'Assistant', system: 'System', note: 'Note' };

/** Marked once per page when a thread's messages are first on screen (the side-panel-open benchmark reads it). */
export const THREAD_SHOWN_MARK = 'hydraflow:thread-shown';

/** `initial`: the messages that came with the thread, shown until the live query has the database's answer. */
export function MessageList({ threadId, initial }: { threadId: string; initial?: Message[] }) {
  const live = useLiveQuery((db) => db.messages.where('[threadId+createdAt]').between([threadId, -Infinity], [threadId, Infinity]).toArray(), [threadId]);
  const loaded = live ?? initial;
  useEffect(() => {
    if (loaded && performance.getEntriesByName(THREAD_SHOWN_MARK).length === 0) performance.mark(THREAD_SHOWN_MARK);
  }, [loaded]);
  const messages = loaded ?? [];
  if (messages.length === 0) return <p class="muted" data-testid="no-messages">No messages yet.</p>;
  return (
    <ol class="messages" data-testid="messages">
      {messages.map((m) => (
        <MessageItem key={m.id} message={m} />
      ))}
    </ol>
  );
}

function MessageItem({ message }: { message: Message }) {
  const [applying, setApplying] = useState<number | null>(null);
  const patches = message.role === 'assistant' && message.status !== 'streaming' ? findPatchBlocks(message.content) : [];
  return (
    <li class={`message ${message.role}`} data-testid="message" data-role={message.role} data-status={message.status} data-id={message.id}>
      <div class="message-head">
        <strong>{ROLE_LABEL[message.role]}</strong>
        {message.model && <span class="muted"> · {message.model}</span>}
        {message.status === 'streaming' && (
          <>
            <span class="muted"> · replying…</span>{' '}
            <button type="button" class="link" data-testid="stop-reply" onClick={() => void sendCommand('chat.stop', { messageId: message.id })}>
              Stop
            </button>
          </>
        )}
        {message.status === 'stopped' && <span class="muted"> · stopped</span>}
      </div>
      <div class="message-text" data-testid="message-text">
        {message.content}
      </div>
      {message.error && (
        <p class="error" data-testid="message-error" data-code={message.error.code}>
          {message.error.message}
        </p>
      )}
      {patches.map((block, n) => (
        <div key={n}>
          {applying === n ? (
            <Deferred load={() => import('../repo/PatchReview').then((m) => () => <m.PatchReview patch={block.text} />)} />
          ) : (
            <button type="button" data-testid="apply-to-repo" onClick={() => setApplying(n)}>
              Apply to repo…
            </button>
          )}
        </div>
      ))}
    </li>
  );
}
