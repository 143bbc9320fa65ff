/**
 * The History view: stored visits grouped by day, newest first, filtered by a title or URL
 * prefix (full-text search comes with the search capability); open a visit or delete it.
 */
import { useState } from 'preact/hooks';
import type { Visit } from '../../../shared/schemas/entities';
import { isWebUrl } from '../../../shared/url';
import { sendCommand } from '../../commands/client';
import { formatDay } from '../format';
import { plural, t } from '../i18n';
import { storeCounterKey } from '../../db/counters';
import { useLiveQuery } from '../hooks';
import { newestVisits } from '../../visits';
import { localDay } from './format';

const PAGE = 200;

/** True when the title, the URL, or the URL without its scheme starts with the prefix. */
export function matchesPrefix(visit: Pick<Visit, 'url' | 'title'>, prefix: string): boolean {
  const needle = prefix.trim().toLowerCase();
  if (!needle) return true;
  const url = visit.url.toLowerCase();
  return visit.title.toLowerCase().startsWith(needle) || url.startsWith(needle) || url.replace(/^[a-z][a-z0-9+.-]*:\/\/(www\.)?/, '').startsWith(needle);
}

/**
 * The stored-visit count, from the exact `store:visits` counter (extension/db/counters.ts): one
 * row read when it changes, where IndexedDB's `count()` walks every key (~1 s for 500k visits,
 * competing with an import's writes for the database).
 */
function useVisitTotal(): number | undefined {
  return useLiveQuery(async (db) => (await db.counters.get(storeCounterKey('visits')))?.n ?? 0, []);
}

export function HistoryView() {
  const [prefix, setPrefix] = useState('');
  const total = useVisitTotal();
  const visits =
    useLiveQuery(
      (db) => newestVisits(db, PAGE, (visit) => matchesPrefix(visit, prefix)),
      [prefix],
    ) ?? [];
  const days = new Map<string, Visit[]>();
  for (const visit of visits) {
    const day = localDay(visit.visitedAt);
    days.set(day, [...(days.get(day) ?? []), visit]);
  }
  return (
    <section data-testid="history-view">
      <h2>{t('historyTitle')}</h2>
      <p class="form-row">
        <input type="search" aria-label={t('historySearchLabel')} placeholder={t('historySearchPlaceholder')} value={prefix} data-testid="history-search" onInput={(event) => setPrefix((event.target as HTMLInputElement).value)} />{' '}
        <span class="muted" data-testid="visit-total">
          {plural(total ?? 0, 'historyStored_one', 'historyStored_other')}
        </span>
      </p>
      {[...days].map(([day, rows]) => (
        <div key={day} data-testid="history-day" data-day={day}>
          <h3>{formatDay(rows[0]!.visitedAt)}</h3>
          <ul class="visits">
            {rows.map((visit) => (
              <li key={visit.id} data-testid="history-visit">
                <span class="muted">{new Date(visit.visitedAt).toLocaleTimeString()}</span>{' '}
                {/* Only a web URL becomes a link; a javascript:/data:/file: visit stored by an older import is text. */}
                {isWebUrl(visit.url) ? (
                  <a href={visit.url} target="_blank" rel="noopener noreferrer" class="truncate" data-testid="visit-link">
                    {visit.title || visit.url}
                  </a>
                ) : (
                  <span class="truncate" data-testid="visit-text" title={visit.url}>
                    {visit.title || visit.url}
                  </span>
                )}{' '}
                <span class="muted">{visit.transition}</span>{' '}
                <button type="button" class="link" data-testid="delete-visit" aria-label={t('historyDeleteVisitLabel', visit.title || visit.url)} onClick={() => void sendCommand('history.deleteVisits', { ids: [visit.id] })}>
                  {t('historyDeleteVisit')}
                </button>
              </li>
            ))}
          </ul>
        </div>
      ))}
      {total === 0 && <p class="empty">{t('historyEmpty')}</p>}
      {visits.length === PAGE && <p class="muted">{t('historyShowingNewest', PAGE)}</p>}
    </section>
  );
}
