/**
 * Deleting history everywhere HydraFlow copied it. A filter (time range, domain by whole labels,
 * exact URL, or everything) selects rows through an index (`hostRev` prefix for a domain, never a
 * substring; `urlKey`; the time index; for visits the chunks' `hosts` / `urlKeys` / keys) and the other
 * conditions are checked on each row. One delete
 * reaches: visits, page snapshots, tab snapshots, memories made from the deleted pages, the
 * current URL and title of tabs showing a matching page, and threads' links to those pages (their
 * page keys, URL and automatic title). Messages and user-written titles are the user's own text
 * and stay. Work goes in batches of DELETE_BATCH rows per transaction (visits: batches sized by
 * time, each committed with the job's cursor); running it again after an interruption finishes
 * the job (a delete is idempotent).
 */
import { normalizeDomain } from '../../shared/blocklist';
import { CodedError } from '../../shared/errors';
import { reverseHost } from '../../shared/host-key';
import type { DeletionCounts, HistoryFilter } from '../../shared/commands/privacy';
import type { Page, TabSnapshot } from '../../shared/schemas/entities';
import { hostOf, normalizeUrl, urlKey } from '../../shared/url';
import type { HydraDb } from '../db';
import { forgetImportedSources, rememberDeletion } from '../history';
import { clearVisits, countVisitsWhere, deleteVisitsWhere, type DeleteOptions, type VisitFacts } from '../visits';

const DELETE_BATCH = 5_000;

export const UNLINKED_THREAD_TITLE = 'Thread (page deleted)';

/** A checked filter: what the row predicates and the index lookups need. */
export interface ResolvedFilter {
  from: number;
  to: number;
  hostRev: string | null;
  includeSubdomains: boolean;
  urlKey: string | null;
  everything: boolean;
}

/** Validates a filter: FILTER_REQUIRED when it selects nothing in particular, FILTER_INVALID / DOMAIN_INVALID when malformed. */
export function resolveFilter(filter: HistoryFilter): ResolvedFilter {
  const hasRange = filter.from !== undefined || filter.to !== undefined;
  const everything = filter.everything === true;
  if (!hasRange && filter.domain === undefined && filter.url === undefined && !everything) throw new CodedError('FILTER_REQUIRED', 'Say what to delete: a time range, a domain, a URL, or everything');
  if (everything && (hasRange || filter.domain !== undefined || filter.url !== undefined)) throw new CodedError('FILTER_INVALID', '"everything" cannot be combined with other filters');
  if (filter.from !== undefined && filter.to !== undefined && filter.from >= filter.to) throw new CodedError('FILTER_INVALID', 'The start of the range must be before its end');
  let key: string | null = null;
  if (filter.url !== undefined) {
    if (normalizeUrl(filter.url) === null) throw new CodedError('FILTER_INVALID', `Not a URL: ${JSON.stringify(filter.url.slice(0, 200))}`);
    key = urlKey(filter.url);
  }
  return {
    from: filter.from ?? -Infinity,
    to: filter.to ?? Infinity,
    hostRev: filter.domain === undefined ? null : reverseHost(normalizeDomain(filter.domain)),
    includeSubdomains: filter.includeSubdomains ?? false,
    urlKey: key,
    everything,
  };
}

function hostRevMatches(f: ResolvedFilter, hostRev: string): boolean {
  if (f.hostRev === null) return true;
  return hostRev === f.hostRev || (f.includeSubdomains && hostRev.startsWith(`${f.hostRev}.`));
}

function rowMatches(f: ResolvedFilter, row: { hostRev: string; urlKey: string }, at: number): boolean {
  return f.everything || (at >= f.from && at < f.to && hostRevMatches(f, row.hostRev) && (f.urlKey === null || row.urlKey === f.urlKey));
}

type HistoryStore = 'pages' | 'tabSnapshots';
type HistoryRow = Page | TabSnapshot;
const timeField = { pages: 'capturedAt', tabSnapshots: 'capturedAt' } as const;
const timeOf = (_store: HistoryStore, row: HistoryRow) => row.capturedAt;
const visitMatches = (f: ResolvedFilter) => (visit: VisitFacts) => rowMatches(f, visit, visit.visitedAt);

/** The candidate rows of a store, through the most selective index the filter offers. */
function candidates(db: HydraDb, store: HistoryStore, f: ResolvedFilter) {
  const table = db.table<HistoryRow, string>(store);
  if (f.everything) return table.toCollection();
  if (f.urlKey !== null) return table.where('urlKey').equals(f.urlKey);
  if (f.hostRev !== null) return f.includeSubdomains ? table.where('hostRev').equals(f.hostRev).or('hostRev').startsWith(`${f.hostRev}.`) : table.where('hostRev').equals(f.hostRev);
  return table.where(timeField[store]).between(f.from, f.to, true, false);
}

/** How many rows of each history store the filter matches (what a delete would remove). */
export async function countHistory(db: HydraDb, f: ResolvedFilter): Promise<Record<HistoryStore | 'visits', number>> {
  const count = (store: HistoryStore) =>
    f.everything ? db.table(store).count() : candidates(db, store, f).filter((row) => rowMatches(f, row, timeOf(store, row))).count();
  const [visits, pages, tabSnapshots] = await Promise.all([countVisitsWhere(db, f, visitMatches(f)), count('pages'), count('tabSnapshots')]);
  return { visits, pages, tabSnapshots };
}

/** Deletes the matching rows of one store in batches; returns their ids and URL keys. */
async function deleteFrom(db: HydraDb, store: HistoryStore, f: ResolvedFilter, deletedUrlKeys: Set<string>): Promise<string[]> {
  const table = db.table<HistoryRow, string>(store);
  const matched: string[] = [];
  await candidates(db, store, f).each((row) => {
    if (!rowMatches(f, row, timeOf(store, row))) return;
    matched.push(row.id);
    deletedUrlKeys.add(row.urlKey);
  });
  for (let i = 0; i < matched.length; i += DELETE_BATCH) await table.bulkDelete(matched.slice(i, i + DELETE_BATCH));
  return matched;
}

/**
 * Deletes what the filter selects. `visits` continues a visit delete from its cursor and commits
 * the cursor with each batch (a job's resume point); the other stores are few rows, deleted again
 * from the start on a resume.
 */
export async function deleteHistory(db: HydraDb, filter: ResolvedFilter, visitProgress: DeleteOptions = {}): Promise<DeletionCounts> {
  const deletedUrlKeys = new Set<string>();
  let visits: number;
  if (filter.everything) {
    // Every visit goes, so nothing counts as imported any more: the next import of a source reads
    // it whole again (before the clear: a delete killed in between still forgets them).
    await forgetImportedSources(db);
    visits = await clearVisits(db);
  } else {
    // Imports must not bring these visits back (extension/history/exclusions.ts).
    await rememberDeletion(db, filter);
    const removed = await deleteVisitsWhere(db, filter, visitMatches(filter), visitProgress);
    visits = removed.deleted;
    for (const key of removed.urlKeys) deletedUrlKeys.add(key);
  }
  const pages = await deleteFrom(db, 'pages', filter, deletedUrlKeys);
  const tabSnapshots = await deleteFrom(db, 'tabSnapshots', filter, deletedUrlKeys);

  // Memories made from a deleted page go with it.
  const pageIds = new Set(pages);
  const memoryIds = pageIds.size === 0 ? [] : await db.memories.filter((memory) => memory.source.kind === 'page' && memory.source.id !== null && pageIds.has(memory.source.id)).primaryKeys();
  await db.memories.bulkDelete(memoryIds);

  // Tabs still showing a matching page keep their row and binding, not the URL or title.
  let tabsCleared = 0;
  await db.transaction('rw', db.tabs, async () => {
    await db.tabs
      .filter((tab) => tab.url !== '' && rowMatches(filter, { hostRev: reverseHost(hostOf(tab.url)), urlKey: tab.urlKey }, tab.updatedAt))
      .modify((tab) => {
        deletedUrlKeys.add(tab.urlKey);
        tab.url = '';
        tab.urlKey = '';
        tab.title = '';
        tabsCleared++;
      });
  });

  // Threads keep their messages; they lose their link to the deleted pages. Not for a time range
  // alone: the same URL may still have history outside it, and the thread stays its thread.
  let threadsUnlinked = 0;
  if (filter.everything || filter.hostRev !== null || filter.urlKey !== null) await db.transaction('rw', db.threads, async () => {
    await db.threads
      .filter((thread) => thread.urlKeys.some((key) => deletedUrlKeys.has(key)) || (thread.url !== null && (filter.everything || (thread.url !== '' && urlMatchesForThread(filter, thread.url)))))
      .modify((thread) => {
        const urlMatched = thread.url !== null && (filter.everything || urlMatchesForThread(filter, thread.url));
        thread.urlKeys = thread.urlKeys.filter((key) => !deletedUrlKeys.has(key));
        if (urlMatched) {
          thread.url = null;
          if (thread.titleSource === 'auto') thread.title = UNLINKED_THREAD_TITLE;
        }
        threadsUnlinked++;
      });
  });
  return { visits, pages: pages.length, tabSnapshots: tabSnapshots.length, memories: memoryIds.length, tabsCleared, threadsUnlinked };
}

/** A thread's URL matches on host and URL only: its creation time says nothing about when the page was visited. */
function urlMatchesForThread(f: ResolvedFilter, url: string): boolean {
  if (f.hostRev === null && f.urlKey === null) return false;
  return hostRevMatches(f, reverseHost(hostOf(url))) && (f.urlKey === null || urlKey(url) === f.urlKey);
}
