/**
 * A thread's messages, oldest first, live. Content is page- and model-derived: notes and questions
 * are rendered as text; model replies through the safe markdown renderer (components/Markdown.tsx:
 * tokens to elements, no raw HTML, http(s) links only). Replies list their numbered sources.
 */
import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { findPatchBlocks } from '../../../shared/patch-blocks';
import type { Message } from '../../../shared/schemas/entities';
import { sendCommand } from '../../commands/client';
import { useLiveQuery } from '../hooks';
import { t, type MessageKey } from '../i18n';
import { Deferred } from '../components/Deferred';
import type { ContextSource } from '../../../shared/chat/context';
import { isOpenableUrl } from '../../../shared/search/omnibox';
import { threadHash } from '../../../shared/search/options-route';
import { focusOrOpenUrl, openOptionsAt } from '../search/open';
import { markThreadShown } from './first-view';

const ROLE_LABEL: Record<Message['role'], MessageKey> = { user: 'messageRoleUser', assistant: 'messageRoleAssistant', system: 'messageRoleSystem', note: 'messageRoleNote' };

export { THREAD_SHOWN_MARK } from './first-view';

/** What the thread view lets a message do (absent where the list is read-only). */
export interface MessageActions {
  /** Asks again from a user message (its text replaced when `content` is given); resolves whether it went. */
  resend(userMessageId: string, content?: string): Promise<boolean>;
}

/** `initial`: the messages that came with the thread, shown until the live query has the database's answer. */
export function MessageList({ threadId, initial, actions }: { threadId: string; initial?: Message[]; actions?: MessageActions }) {
  const live = useLiveQuery((db) => db.messages.where('[threadId+createdAt]').between([threadId, -Infinity], [threadId, Infinity]).toArray(), [threadId]);
  const loaded = live ?? initial;
  useEffect(() => {
    if (loaded) markThreadShown();
  }, [loaded]);
  const messages = loaded ?? [];
  if (messages.length === 0) return <p class="muted" data-testid="no-messages">{t('messagesNone')}</p>;
  // An assistant message answers the user message before it (retry and regenerate ask that one again).
  let lastUser: string | undefined;
  const replyTo = new Map<string, string | undefined>();
  for (const m of messages) {
    if (m.role === 'user') lastUser = m.id;
    else if (m.role === 'assistant') replyTo.set(m.id, lastUser);
  }
  return (
    <ol class="messages" data-testid="messages">
      {messages.map((m) => (
        <MessageItem key={m.id} message={m.role === 'assistant' ? { ...m, replyTo: replyTo.get(m.id) } : m} actions={actions} />
      ))}
    </ol>
  );
}

type MarkdownView = ComponentType<{ text: string }>;
let markdownView: MarkdownView | null = null;
let markdownLoading: Promise<MarkdownView> | null = null;

/**
 * A reply's markdown. The renderer (and `marked`) loads after the thread is on screen, so opening
 * the panel does not wait for it; until then the reply shows as plain text (still never HTML).
 */
function ReplyText({ text }: { text: string }) {
  const [View, setView] = useState<MarkdownView | null>(() => markdownView);
  useEffect(() => {
    if (View) return;
    let live = true;
    markdownLoading ??= import('../components/Markdown').then((m) => (markdownView = m.Markdown));
    void markdownLoading.then((view) => live && setView(() => view));
    return () => {
      live = false;
    };
  }, []);
  return View ? <View text={text} /> : <>{text}</>;
}

/** A message as listed: an assistant reply knows the question it answers. */
type ShownMessage = Message & { replyTo?: string | undefined };

function MessageItem({ message, actions }: { message: ShownMessage; actions: MessageActions | undefined }) {
  const [applying, setApplying] = useState<number | null>(null);
  const [editing, setEditing] = useState(false);
  const [copied, setCopied] = useState(false);
  const patches = message.role === 'assistant' && message.status !== 'streaming' ? findPatchBlocks(message.content) : [];
  const done = message.status !== 'streaming';
  return (
    <li class={`message ${message.role}`} data-testid="message" data-role={message.role} data-status={message.status} data-id={message.id}>
      <div class="message-head">
        <strong>{t(ROLE_LABEL[message.role])}</strong>
        {message.model && <span class="muted"> · {message.model}</span>}
        {message.status === 'streaming' && (
          <>
            <span class="muted"> · {t('messageReplying')}</span>{' '}
            <button type="button" class="link" data-testid="stop-reply" onClick={() => void sendCommand('chat.stop', { messageId: message.id })}>
              {t('messageStop')}
            </button>
          </>
        )}
        {message.status === 'stopped' && <span class="muted"> · {t('messageStopped')}</span>}
        {done && message.content && (
          <>
            {' '}
            <button
              type="button"
              class="link"
              data-testid="copy-message"
              onClick={() =>
                void navigator.clipboard.writeText(message.content).then(
                  () => setCopied(true),
                  () => setCopied(false),
                )
              }
            >
              {copied ? t('messageCopied') : t('messageCopy')}
            </button>
          </>
        )}
        {actions && message.role === 'user' && !editing && (
          <>
            {' '}
            <button type="button" class="link" data-testid="edit-message" onClick={() => setEditing(true)}>
              {t('messageEdit')}
            </button>
          </>
        )}
        {actions && message.role === 'assistant' && done && message.replyTo && (
          <>
            {' '}
            <button type="button" class="link" data-testid={message.status === 'complete' ? 'regenerate' : 'retry'} onClick={() => void actions.resend(message.replyTo!)}>
              {message.status === 'complete' ? t('messageRegenerate') : t('messageRetry')}
            </button>
          </>
        )}
      </div>
      {editing && actions ? (
        <form
          class="edit-message"
          onSubmit={(event) => {
            event.preventDefault();
            const content = String(new FormData(event.currentTarget).get('content') ?? '').trim();
            if (!content) return;
            void actions.resend(message.id, content).then((ok) => ok && setEditing(false));
          }}
        >
          <textarea name="content" rows={3} defaultValue={message.content} data-testid="edit-input" />
          <button type="submit" class="primary" data-testid="edit-resend">
            {t('messageResend')}
          </button>{' '}
          <button type="button" onClick={() => setEditing(false)}>
            {t('cancel')}
          </button>
        </form>
      ) : message.role === 'assistant' ? (
        <div class="message-text" data-testid="message-text">
          <ReplyText text={message.content} />
        </div>
      ) : (
        <div class="message-text" data-testid="message-text">
          {message.content}
        </div>
      )}
      {message.context && message.context.length > 0 && (
        <p class="muted context-sent" data-testid="context-sent">
          {t('messageContextWith')}{' '}
          {message.context.map((part, n) => (
            <span key={n} class="chip" title={part.url}>
              {part.missing ? t('messageContextNotRead', part.kind, part.missing) : `${part.title || part.url} · ${formatTokens(part.tokens)}${part.trimmed ? ` · ${t('messageContextTrimmed')}` : ''}`}
            </span>
          ))}
        </p>
      )}
      {message.sources && message.sources.length > 0 && (
        <ol class="sources" data-testid="sources">
          {message.sources.map((source) => (
            <li key={source.n} value={source.n}>
              <a
                href={source.url && isOpenableUrl(source.url) ? source.url : '#'}
                data-testid="source"
                onClick={(event) => {
                  event.preventDefault();
                  void openSource(source);
                }}
              >
                {source.title || source.url || source.kind}
              </a>{' '}
              <span class="muted">{source.kind}</span>
            </li>
          ))}
        </ol>
      )}
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
              {t('messageApplyToRepo')}
            </button>
          )}
        </div>
      ))}
    </li>
  );
}

function formatTokens(tokens: number): string {
  return tokens >= 1000 ? t('messageTokensThousands', (tokens / 1000).toFixed(1)) : t('messageTokens', tokens);
}

/** A page source opens its page (its tab when open); a thread's item opens the thread. */
async function openSource(source: ContextSource): Promise<void> {
  if (source.url && isOpenableUrl(source.url) && (source.kind === 'visit' || source.kind === 'page' || !source.threadId)) await focusOrOpenUrl(source.url);
  else if (source.threadId) await openOptionsAt(threadHash(source.threadId));
}
