/** The Threads page: every thread, newest first, live; one opens read-only (`#thread=<id>`). */
import { useState } from 'preact/hooks';
import { threadHash } from '../../../shared/search/options-route';
import { useLiveQuery } from '../hooks';
import { plural, t } from '../i18n';
import { formatDate } from '../format';

const LIMIT = 300;

export function ThreadsPage() {
  const [query, setQuery] = useState('');
  const [includeArchived, setIncludeArchived] = useState(false);
  const threads = useLiveQuery((db) => db.threads.orderBy('updatedAt').reverse().limit(LIMIT).toArray(), []);
  const needle = query.trim().toLowerCase();
  const shown = (threads ?? []).filter((thread) => (includeArchived || !thread.archived) && (!needle || thread.title.toLowerCase().includes(needle)));
  return (
    <section data-testid="threads-page">
      <h2>{t('threadsAll')}</h2>
      <div class="form-row">
        <label>
          {t('threadsFilter')} <input type="search" value={query} data-testid="threads-filter" onInput={(event) => setQuery((event.target as HTMLInputElement).value)} />
        </label>
        <label>
          <input type="checkbox" checked={includeArchived} onChange={(event) => setIncludeArchived((event.target as HTMLInputElement).checked)} /> {t('threadsIncludeArchived')}
        </label>
      </div>
      {threads !== undefined && shown.length === 0 && <p class="empty">{threads.length === 0 ? t('threadsNone') : t('threadsNoneMatch')}</p>}
      {shown.length > 0 && (
        <div class="table-scroll">
          <table class="data">
            <thead>
              <tr>
                <th scope="col">{t('threadsColumnTitle')}</th>
                <th scope="col">{t('threadsColumnUpdated')}</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((thread) => (
                <tr key={thread.id} data-testid="threads-row">
                  <td>
                    <a href={threadHash(thread.id)}>{thread.title || t('threadUntitled')}</a>
                    {thread.pinned ? <span class="muted"> · {t('threadPinned')}</span> : null}
                    {thread.archived ? <span class="muted"> · {t('threadArchived')}</span> : null}
                  </td>
                  <td class="muted">{formatDate(thread.updatedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {threads !== undefined && threads.length === LIMIT && <p class="hint">{plural(LIMIT, 'threadsShownNewest_one', 'threadsShownNewest_other')}</p>}
    </section>
  );
}
