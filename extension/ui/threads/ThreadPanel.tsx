/**
 * The side panel's heart: the tab's thread (or its unsaved thread, until something is written) with
 * its messages, composer and context chips, tasks, memories and the tab's trail, and the controls
 * to rename, pin, archive, switch (rebind), unbind, start fresh or delete it.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { err, type Result } from '../../../shared/errors';
import type { Message, Thread } from '../../../shared/schemas/entities';
import type { CommandResult } from '../../../shared/commands';
import { sendCommand } from '../../commands/client';
import { openDatabaseAfter, useLiveQuery } from '../hooks';
import { t } from '../i18n';
import { Deferred } from '../components/Deferred';
import { Composer, type WithThread } from './Composer';
import { chatContextOf, useContextChoice, type ContextChoice } from './ContextChips';
import { TrailSection } from './TrailSection';
import { MemoriesSection } from './MemoriesSection';
import { MessageList, type MessageActions } from './MessageList';
import { afterFirstView, firstViewSettled, markThreadShown } from './first-view';
import { PagesSection } from '../pages/PagesSection';
import { TasksSection } from './TasksSection';
import { ThreadPicker } from './ThreadPicker';
import { threadContents } from '../../threads/contents';
import { usePanelTab, useTabThread } from './useTabThread';

export function ThreadPanel() {
  // The page's own database (live queries) waits until the thread is on screen (first-view.ts).
  useEffect(() => openDatabaseAfter(afterFirstView()), []);
  const tab = usePanelTab();
  const [resolved, resolve] = useTabThread(tab);
  // Kept here, not in the thread view: the first write in an unsaved thread switches to the new thread.
  const [choice, setChoice] = useContextChoice();
  const [capture, setCapture] = useState<string | null>(null);
  useEffect(() => setCapture(null), [tab?.tabId, tab?.url]);
  // The blocklist changed (options page): the tab may be refused now, or allowed again.
  const blocklist = useLiveQuery(async (db) => JSON.stringify((await db.settings.get('capture.blocklist'))?.value ?? null), []);
  const seenBlocklist = useRef<string | undefined>(undefined);
  useEffect(() => {
    if (blocklist === undefined) return;
    if (seenBlocklist.current !== undefined && seenBlocklist.current !== blocklist) resolve();
    seenBlocklist.current = blocklist;
  }, [blocklist]);
  const kept = { choice, setChoice, capture, setCapture };
  useEffect(() => {
    if (resolved.state === 'none' || resolved.state === 'failed') firstViewSettled();
  }, [resolved.state]);
  if (resolved.state === 'loading') return <section class="muted">{t('threadFinding')}</section>;
  if (resolved.state === 'none') return <section class="muted" data-testid="no-thread">{resolved.reason}</section>;
  if (resolved.state === 'failed')
    return (
      <section class="error" data-testid="thread-error" data-code={resolved.error.code}>
        {resolved.error.message}
      </section>
    );
  if (!resolved.thread) return <ThreadView key={`unsaved ${resolved.tab.tabId} ${resolved.tab.url}`} initial={null} tab={resolved.tab} onSwitch={resolve} kept={kept} />;
  return <ThreadView key={resolved.thread.id} initial={resolved.thread} initialMessages={resolved.messages} tab={resolved.tab} onSwitch={resolve} kept={kept} />;
}

/** A tab with no thread yet shows this until something is written in it. */
function unsavedThread(tab: { url: string; title: string }): Thread {
  return { id: '', title: tab.title || tab.url, titleSource: 'auto', pinned: 0, archived: 0, urlKeys: [], url: tab.url, createdAt: 0, updatedAt: 0 };
}

/** State of the panel that outlives a switch of thread view. */
interface Kept {
  choice: ContextChoice;
  setChoice: (next: ContextChoice) => void;
  capture: string | null;
  setCapture: (notice: string | null) => void;
}

/**
 * One thread, or the tab's unsaved thread (`initial` null): the first write makes it (`withThread`),
 * then the panel shows the new thread. The thread row is watched: when it goes (deleted here or
 * elsewhere, or a wipe), the panel resolves the tab again at once.
 */
function ThreadView({ initial, initialMessages, tab, onSwitch, kept }: { initial: Thread | null; initialMessages?: Message[]; tab: { tabId: number; url: string; title: string }; onSwitch: (thread?: Thread) => void; kept: Kept }) {
  const { choice, setChoice, capture, setCapture } = kept;
  const live = useLiveQuery(async (db) => (initial ? ((await db.threads.get(initial.id)) ?? null) : null), [initial?.id]);
  const saved = initial !== null;
  const thread = live ?? initial ?? unsavedThread(tab);
  const making = useRef<Promise<Result<Thread>> | null>(null);
  /** Runs a write in this thread; in an unsaved one, makes the thread first and shows it after the write. */
  const withThread: WithThread = async (write) => {
    if (saved) return write(thread.id);
    making.current ??= sendCommand('threads.forTab', { tabId: tab.tabId, url: tab.url, title: tab.title, create: true }).then((reply) =>
      reply.ok && reply.result.thread ? { ok: true as const, result: reply.result.thread } : reply.ok ? err('THREAD_NOT_FOUND', t('threadCouldNotBeMade')) : reply,
    );
    const made = await making.current;
    if (!made.ok) {
      making.current = null;
      return made;
    }
    const result = await write(made.result.id);
    onSwitch(made.result);
    return result;
  };
  const context = chatContextOf(choice, tab);
  const actions: MessageActions = {
    resend: async (userMessageId, content) => {
      const reply = await sendCommand('chat.resend', { userMessageId, ...(content !== undefined ? { content } : {}), context });
      if (!reply.ok) setError(`${reply.error.code}: ${reply.error.message}`);
      return reply.ok;
    },
  };
  const [editing, setEditing] = useState(false);
  const [picking, setPicking] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [deleted, setDeleted] = useState<CommandResult<'threads.delete'> | null>(null);
  const [error, setError] = useState<string | null>(null);
  /** Set when this panel deletes the thread: it shows the report instead of moving on. */
  const deleting = useRef(false);
  // The thread went (a delete elsewhere, a wipe): find the tab's thread again, or show it unsaved.
  useEffect(() => {
    if (saved && live === null && !deleting.current) onSwitch();
  }, [live, saved]);
  const act = async <T,>(run: () => Promise<{ ok: true; result: T } | { ok: false; error: { code: string; message: string } }>, then?: (result: T) => void) => {
    const reply = await run();
    if (reply.ok) {
      setError(null);
      then?.(reply.result);
    } else setError(`${reply.error.code}: ${reply.error.message}`);
  };
  return (
    <>
      <section class="thread" data-testid="thread" data-thread-id={thread.id} data-unsaved={saved ? undefined : 'true'} data-url={tab.url}>
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
              <button type="submit">{t('save')}</button>
            </form>
          ) : saved ? (
            <h2 class="thread-title" data-testid="thread-title" title={t('threadRename')} onClick={() => setEditing(true)}>
              {thread.pinned ? '📌 ' : ''}
              {thread.title}
            </h2>
          ) : (
            <h2 class="thread-title" data-testid="thread-title">
              {thread.title}{' '}
              <span class="muted" data-testid="thread-unsaved" title={t('threadUnsavedHint')}>
                {t('threadUnsaved')}
              </span>
            </h2>
          )}
          <div class="toolbar">
            <button type="button" data-testid="thread-pin" onClick={() => void act(() => withThread((threadId) => sendCommand('threads.update', { threadId, pinned: !thread.pinned })))}>
              {thread.pinned ? t('threadUnpin') : t('threadPin')}
            </button>
            {saved && (
              <button type="button" data-testid="thread-archive" onClick={() => void act(() => sendCommand('threads.update', { threadId: thread.id, archived: !thread.archived }))}>
                {thread.archived ? t('threadUnarchive') : t('threadArchive')}
              </button>
            )}
            <button type="button" data-testid="thread-switch" onClick={() => setPicking(!picking)}>
              {t('threadSwitch')}
            </button>
            {saved && (
              <>
                <button type="button" data-testid="thread-new" onClick={() => void act(() => sendCommand('threads.create', { tab }), (r) => onSwitch(r.thread))}>
                  {t('threadNew')}
                </button>
                <button type="button" data-testid="thread-unbind" onClick={() => void act(() => sendCommand('threads.unbind', { tab }))}>
                  {t('threadUnbind')}
                </button>
                <button type="button" data-testid="thread-delete" onClick={() => setConfirming(true)}>
                  {t('threadDelete')}
                </button>
              </>
            )}
            <button
              type="button"
              data-testid="capture-page"
              onClick={() =>
                void act(
                  () => withThread(() => sendCommand('capture.page', { tabId: tab.tabId })),
                  (r) => setCapture(r.stored ? t('threadPageSaved', r.page.version) : t('threadPageUnchanged')),
                )
              }
            >
              {t('threadSavePage')}
            </button>
          </div>
        </div>
        {confirming && (
          <div class="confirm" data-testid="delete-confirm">
            <ThreadDeleteQuestion thread={thread} />
            <button
              type="button"
              class="danger"
              data-testid="delete-confirm-yes"
              onClick={() =>
                void act(
                  () => {
                    deleting.current = true;
                    return sendCommand('threads.delete', { threadId: thread.id });
                  },
                  (counts) => {
                    setConfirming(false);
                    setDeleted(counts);
                  },
                )
              }
            >
              {t('threadDelete')}
            </button>{' '}
            <button type="button" onClick={() => setConfirming(false)}>
              {t('cancel')}
            </button>
          </div>
        )}
        {deleted && (
          <p class="muted" data-testid="delete-report">
            {t('threadDeleteReport', deleted.messages, deleted.tasks, deleted.taskEvents, deleted.memories, deleted.tabsUnbound)}{' '}
            <button type="button" class="link" onClick={() => onSwitch()}>
              {t('threadContinue')}
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
        {!deleted && (saved ? <MessageList threadId={thread.id} initial={initialMessages} actions={actions} /> : <NoMessagesYet />)}
        {!deleted && <Composer withThread={withThread} tab={tab} choice={choice} onChoice={setChoice} context={context} />}
      </section>
      {!deleted && <TasksSection threadId={saved ? thread.id : null} withThread={withThread} />}
      {!deleted && <MemoriesSection threadId={saved ? thread.id : null} url={tab.url} withThread={withThread} />}
      {!deleted && <TrailSection tabId={tab.tabId} />}
      {!deleted && saved && <PagesSection threadId={thread.id} url={tab.url} />}
      {/* Loaded after the thread is on screen; it asks search.related only when expanded. */}
      {!deleted && saved && <Deferred key={`${thread.id} ${tab.url}`} load={() => afterFirstView().then(() => import('../search/RelatedSection')).then((m) => () => <m.RelatedSection url={tab.url} threadId={thread.id} />)} />}
    </>
  );
}

/** An unsaved thread's (empty) messages; marked as shown like a thread's list (the side-panel-open bench reads it). */
function NoMessagesYet() {
  useEffect(() => {
    markThreadShown();
  }, []);
  return (
    <p class="muted" data-testid="no-messages">
      {t('messagesNone')}
    </p>
  );
}

/** The delete question names what goes, counted live by the same reader the delete uses. */
function ThreadDeleteQuestion({ thread }: { thread: Thread }) {
  const counts = useLiveQuery(async (db) => {
    const found = await threadContents(db, thread.id);
    return { messages: found.messages.length, tasks: found.tasks.length, taskEvents: found.taskEvents.length, memories: found.memories.length, tabs: found.tabs.length };
  }, [thread.id]);
  return (
    <p data-testid="delete-confirm-counts" data-counted={counts ? 'true' : undefined}>
      {counts ? t('threadDeleteConfirmCounts', thread.title, counts.messages, counts.tasks, counts.taskEvents, counts.memories, counts.tabs) : t('threadDeleteConfirm', thread.title)}
    </p>
  );
}
