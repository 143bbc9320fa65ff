/**
 * A read-only view of one thread by id (options page, `#thread=<id>&focus=<row id>`): where a
 * thread, message, task or memory search hit opens, since the side panel shows threads by tab.
 * Messages reuse the panel's MessageList; the row the hit is about is scrolled to and outlined.
 */
import { useEffect } from 'preact/hooks';
import { isOpenableUrl } from '../../../shared/search/omnibox';
import { useLiveQuery } from '../hooks';
import { MessageList } from '../threads/MessageList';
import { focusOrOpenUrl } from './open';
import { t } from '../i18n';
import { formatDate } from '../format';

export function ThreadReadView({ threadId, focus, onClose }: { threadId: string; focus: string | null; onClose: () => void }) {
  // undefined while loading, null when the thread is gone (deleted since the hit was found).
  const thread = useLiveQuery(async (db) => (await db.threads.get(threadId)) ?? null, [threadId]);
  const tasks = useLiveQuery((db) => db.tasks.where('threadId').equals(threadId).sortBy('createdAt'), [threadId]) ?? [];
  const memories = useLiveQuery((db) => db.memories.where('threadId').equals(threadId).toArray(), [threadId]) ?? [];

  // The focused row appears when its list's own live query answers: watch for it, then outline it once.
  useEffect(() => {
    if (!focus || !thread) return;
    const view = document.querySelector('[data-testid=thread-view]');
    if (!view) return;
    const mark = () => {
      const row = [...view.querySelectorAll<HTMLElement>('[data-id]')].find((el) => el.dataset.id === focus);
      if (!row) return false;
      row.classList.add('focused');
      row.scrollIntoView({ block: 'center' });
      return true;
    };
    if (mark()) return;
    const observer = new MutationObserver(() => mark() && observer.disconnect());
    observer.observe(view, { childList: true, subtree: true });
    return () => observer.disconnect();
  }, [focus, thread === null || thread === undefined]);

  if (thread === undefined) return <section class="muted">{t('threadLoading')}</section>;
  return (
    <section class="thread thread-view" data-testid="thread-view" data-thread-id={threadId}>
      <div class="toolbar">
        <button type="button" class="link" data-testid="thread-view-close" onClick={onClose}>
          {t('threadBack')}
        </button>
      </div>
      {thread === null ? (
        <p class="muted" data-testid="thread-view-missing">
          {t('threadGone')}
        </p>
      ) : (
        <>
          <h2 class="thread-title" data-testid="thread-view-title">
            {thread.pinned ? '📌 ' : ''}
            {thread.title}
          </h2>
          <p class="muted">
            {t('threadDates', formatDate(thread.createdAt), formatDate(thread.updatedAt))}
            {thread.archived ? ` · ${t('threadArchived')}` : ''}
            {thread.url && isOpenableUrl(thread.url) && (
              <>
                {' · '}
                <button type="button" class="link" onClick={() => void focusOrOpenUrl(thread.url!)}>
                  {thread.url}
                </button>
              </>
            )}
          </p>
          <MessageList threadId={threadId} />
          {tasks.length > 0 && (
            <>
              <h3>{t('overviewTasks')}</h3>
              <ul class="tasks">
                {tasks.map((task) => (
                  <li key={task.id} data-id={task.id} data-testid="thread-view-task">
                    <span class="muted">{task.status.replace('_', ' ')}</span> {task.title}
                  </li>
                ))}
              </ul>
            </>
          )}
          {memories.length > 0 && (
            <>
              <h3>{t('overviewMemories')}</h3>
              <ul class="memories">
                {memories.map((memory) => (
                  <li key={memory.id} data-id={memory.id} data-testid="thread-view-memory">
                    {memory.text}
                  </li>
                ))}
              </ul>
            </>
          )}
        </>
      )}
    </section>
  );
}
