/**
 * The side panel's heart: the tab's thread with its messages, composer, tasks and memories, and
 * the controls to rename, pin, archive, switch (rebind), unbind, start fresh or delete it.
 */
import { useEffect, useState } from 'preact/hooks';
import type { Message, Thread } from '../../../shared/schemas/entities';
import type { CommandResult } from '../../../shared/commands';
import { sendCommand } from '../../commands/client';
import { openDatabaseSoon, useLiveQuery } from '../hooks';
import { Deferred } from '../components/Deferred';
import { Composer } from './Composer';
import { MemoriesSection } from './MemoriesSection';
import { MessageList } from './MessageList';
import { PagesSection } from '../pages/PagesSection';
import { TasksSection } from './TasksSection';
import { ThreadPicker } from './ThreadPicker';
import { usePanelTab, useTabThread } from './useTabThread';

export function ThreadPanel() {
  // Open the database while the background resolves the thread: the views need it right after.
  useEffect(openDatabaseSoon, []);
  const tab = usePanelTab();
  const [resolved, resolve] = useTabThread(tab);
  if (resolved.state === 'loading') return <section class="muted">Finding this tab's thread…</section>;
  if (resolved.state === 'none') return <section class="muted" data-testid="no-thread">{resolved.reason}</section>;
  if (resolved.state === 'failed')
    return (
      <section class="error" data-testid="thread-error" data-code={resolved.error.code}>
        {resolved.error.message}
      </section>
    );
  return <ThreadView key={resolved.thread.id} initial={resolved.thread} initialMessages={resolved.messages} tab={resolved.tab} onSwitch={resolve} />;
}

function ThreadView({ initial, initialMessages, tab, onSwitch }: { initial: Thread; initialMessages?: Message[]; tab: { tabId: number; url: string; title: string }; onSwitch: (thread?: Thread) => void }) {
  const thread = useLiveQuery((db) => db.threads.get(initial.id), [initial.id]) ?? initial;
  const [editing, setEditing] = useState(false);
  const [picking, setPicking] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [deleted, setDeleted] = useState<CommandResult<'threads.delete'> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [capture, setCapture] = useState<string | null>(null);
  const act = async <T,>(run: () => Promise<{ ok: true; result: T } | { ok: false; error: { code: string; message: string } }>, then?: (result: T) => void) => {
    const reply = await run();
    if (reply.ok) {
      setError(null);
      then?.(reply.result);
    } else setError(`${reply.error.code}: ${reply.error.message}`);
  };
  return (
    <>
      <section class="thread" data-testid="thread" data-thread-id={thread.id}>
        <div class="thread-head">
          {editing ? (
            <form
              onSubmit={(event) => {
                event.preventDefault();
                const title = String(new FormData(event.currentTarget).get('title') ?? '');
                void act(() => sendCommand('threads.update', { threadId: thread.id, title }), () => setEditing(false));
              }}
            >
              <input name="title" defaultValue={thread.title} data-testid="thread-title-input" maxLength={1000} />
              <button type="submit">Save</button>
            </form>
          ) : (
            <h2 class="thread-title" data-testid="thread-title" title="Rename" onClick={() => setEditing(true)}>
              {thread.pinned ? '📌 ' : ''}
              {thread.title}
            </h2>
          )}
          <div class="toolbar">
            <button type="button" data-testid="thread-pin" onClick={() => void act(() => sendCommand('threads.update', { threadId: thread.id, pinned: !thread.pinned }))}>
              {thread.pinned ? 'Unpin' : 'Pin'}
            </button>
            <button type="button" data-testid="thread-archive" onClick={() => void act(() => sendCommand('threads.update', { threadId: thread.id, archived: !thread.archived }))}>
              {thread.archived ? 'Unarchive' : 'Archive'}
            </button>
            <button type="button" data-testid="thread-switch" onClick={() => setPicking(!picking)}>
              Threads…
            </button>
            <button type="button" data-testid="thread-new" onClick={() => void act(() => sendCommand('threads.create', { tab }), (r) => onSwitch(r.thread))}>
              New
            </button>
            <button type="button" data-testid="thread-unbind" onClick={() => void act(() => sendCommand('threads.unbind', { tab }))}>
              Unbind
            </button>
            <button type="button" data-testid="thread-delete" onClick={() => setConfirming(true)}>
              Delete
            </button>
            <button
              type="button"
              data-testid="capture-page"
              onClick={() =>
                void act(
                  () => sendCommand('capture.page', { tabId: tab.tabId }),
                  (r) => setCapture(r.stored ? `Saved page text (version ${r.page.version}).` : 'Page text unchanged since the last save.'),
                )
              }
            >
              Save page
            </button>
          </div>
        </div>
        {confirming && (
          <div class="confirm" data-testid="delete-confirm">
            <p>
              Delete “{thread.title}” with its messages, tasks and thread memories? Tabs bound to it are unbound. This cannot be undone.
            </p>
            <button
              type="button"
              class="danger"
              data-testid="delete-confirm-yes"
              onClick={() =>
                void act(
                  () => sendCommand('threads.delete', { threadId: thread.id }),
                  (counts) => {
                    setConfirming(false);
                    setDeleted(counts);
                  },
                )
              }
            >
              Delete
            </button>{' '}
            <button type="button" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </div>
        )}
        {deleted && (
          <p class="muted" data-testid="delete-report">
            Deleted: {deleted.messages} messages, {deleted.tasks} tasks ({deleted.taskEvents} events), {deleted.memories} memories; {deleted.tabsUnbound} tab(s) unbound.{' '}
            <button type="button" class="link" onClick={() => onSwitch()}>
              Continue
            </button>
          </p>
        )}
        {picking && (
          <ThreadPicker
            currentId={thread.id}
            onPick={(picked) =>
              void act(
                () => sendCommand('threads.bind', { tab, threadId: picked.id }),
                (r) => {
                  setPicking(false);
                  onSwitch(r.thread);
                },
              )
            }
          />
        )}
        {error && (
          <p class="error" data-testid="thread-action-error">
            {error}
          </p>
        )}
        {capture && <p class="muted">{capture}</p>}
        {!deleted && <MessageList threadId={thread.id} initial={initialMessages} />}
        {!deleted && <Composer threadId={thread.id} />}
      </section>
      {!deleted && <TasksSection threadId={thread.id} />}
      {!deleted && <MemoriesSection threadId={thread.id} />}
      {!deleted && <PagesSection threadId={thread.id} url={tab.url} />}
      {/* Loaded after the thread is on screen; it asks search.related only when expanded. */}
      {!deleted && <Deferred key={`${thread.id} ${tab.url}`} load={() => import('../search/RelatedSection').then((m) => () => <m.RelatedSection url={tab.url} threadId={thread.id} />)} />}
    </>
  );
}
