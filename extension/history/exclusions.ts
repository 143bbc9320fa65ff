/**
 * What history imports must not bring back: the visits a privacy delete removed (by domain, time
 * range or URL). A delete records its filter and its time here (`settings`,
 * `history.importExclusions`); an import that is not "Re-read everything" skips every visit that
 * matches a recorded filter and happened before that delete, and counts it as `deleted`. Visits
 * made after the delete import as usual. "Delete all history" forgets the list with the import
 * summaries (the user starts over); "Re-read everything" ignores it (the way to bring them back).
 * The row names nothing deleted (docs/privacy.md: after a delete no row names it): a domain and a
 * URL key are kept as 53-bit hashes salted with a random value of this profile. Owns only this
 * settings row; never deletes visits itself.
 */
import { z } from 'zod';
import { hash53 } from '../../shared/hash';
import type { Visit } from '../../shared/schemas/entities';
import type { HydraDb } from '../db';

export const IMPORT_EXCLUSIONS_KEY = 'history.importExclusions';
/** At most this many filters are kept (the oldest go first): each is about 100 bytes. */
export const MAX_IMPORT_EXCLUSIONS = 2_000;

/** A delete's filter, hashed (null = unbounded / any), and when it ran. */
export interface ImportExclusion {
  from: number | null;
  to: number | null;
  /** Salted hash of the reversed host (`com.example`). */
  host: number | null;
  includeSubdomains: boolean;
  /** Salted hash of the URL key. */
  url: number | null;
  /** The delete's time: only visits at or before it are skipped. */
  at: number;
}

interface StoredExclusions {
  salt: string;
  exclusions: ImportExclusion[];
}

const exclusionSchema = z.lazy(() =>
  z.object({
    from: z.number().nullable(),
    to: z.number().nullable(),
    host: z.number().int().nullable(),
    includeSubdomains: z.boolean(),
    url: z.number().int().nullable(),
    at: z.number(),
  }),
);
const storedSchema = z.lazy(() => z.object({ salt: z.string().min(16).max(64), exclusions: z.array(exclusionSchema).max(MAX_IMPORT_EXCLUSIONS) }));

/** A salted 53-bit hash of a host or URL key (never stored as text here). */
export function saltedHash(salt: string, text: string): number {
  return hash53(`${salt}\u0000${text}`);
}

export async function importExclusions(db: HydraDb): Promise<StoredExclusions | null> {
  const parsed = storedSchema.safeParse((await db.settings.get(IMPORT_EXCLUSIONS_KEY))?.value);
  return parsed.success ? parsed.data : null;
}

/**
 * Records a delete's filter (called by privacy deletes other than "everything"; a resumed delete
 * records the same filter again: it replaces the earlier entry, with the later time).
 */
export async function rememberDeletion(db: HydraDb, filter: DeletionFilter, at = Date.now()): Promise<void> {
  await rememberDeletions(db, [filter], at);
}

/** Records visits deleted one by one (the History view's Delete): each by its URL key and exact time. */
export async function rememberDeletedVisits(db: HydraDb, ids: readonly string[], at = Date.now()): Promise<void> {
  const filters: DeletionFilter[] = [];
  for (const id of ids) {
    const split = id.lastIndexOf('@');
    const visitedAt = Number(id.slice(split + 1));
    if (split > 0 && Number.isSafeInteger(visitedAt)) filters.push({ from: visitedAt, to: visitedAt + 1, hostRev: null, includeSubdomains: false, urlKey: id.slice(0, split) });
  }
  if (filters.length > 0) await rememberDeletions(db, filters, at);
}

interface DeletionFilter {
  from: number;
  to: number;
  hostRev: string | null;
  includeSubdomains: boolean;
  urlKey: string | null;
}

async function rememberDeletions(db: HydraDb, filters: readonly DeletionFilter[], at: number): Promise<void> {
  await db.transaction('rw', db.settings, async () => {
    const stored = await importExclusions(db);
    const salt = stored?.salt ?? [...crypto.getRandomValues(new Uint8Array(16))].map((byte) => byte.toString(16).padStart(2, '0')).join('');
    const entries = filters.map(
      (filter): ImportExclusion => ({
        from: Number.isFinite(filter.from) ? filter.from : null,
        to: Number.isFinite(filter.to) ? filter.to : null,
        host: filter.hostRev === null ? null : saltedHash(salt, filter.hostRev),
        includeSubdomains: filter.hostRev !== null && filter.includeSubdomains,
        url: filter.urlKey === null ? null : saltedHash(salt, filter.urlKey),
        at,
      }),
    );
    const identity = (e: ImportExclusion) => `${e.from}|${e.to}|${e.host}|${e.includeSubdomains}|${e.url}`;
    const renewed = new Set(entries.map(identity));
    const exclusions = [...(stored?.exclusions ?? []).filter((e) => !renewed.has(identity(e))), ...entries].slice(-MAX_IMPORT_EXCLUSIONS);
    await db.settings.put({ key: IMPORT_EXCLUSIONS_KEY, value: { salt, exclusions }, updatedAt: Date.now() });
  });
}

/**
 * A matcher over the recorded filters: by URL key, by host (and each parent domain, by whole
 * labels, for filters with subdomains), and the time-only ones in a list, so a visit costs a few
 * hashes and map lookups however many deletes were made (hashes of hosts and keys seen are
 * remembered, up to 100k). Each candidate is then checked whole.
 */
export function exclusionMatcher(stored: StoredExclusions | null): ((row: Pick<Visit, 'urlKey' | 'hostRev' | 'visitedAt'>) => boolean) | null {
  if (!stored || stored.exclusions.length === 0) return null;
  const byUrl = new Map<number, ImportExclusion[]>();
  const byHost = new Map<number, ImportExclusion[]>();
  const timeOnly: ImportExclusion[] = [];
  const add = (map: Map<number, ImportExclusion[]>, key: number, e: ImportExclusion) => map.set(key, [...(map.get(key) ?? []), e]);
  for (const e of stored.exclusions) {
    if (e.url !== null) add(byUrl, e.url, e);
    else if (e.host !== null) add(byHost, e.host, e);
    else timeOnly.push(e);
  }
  const hashes = new Map<string, number>();
  const hashOf = (text: string) => {
    let h = hashes.get(text);
    if (h === undefined) {
      if (hashes.size >= 100_000) hashes.clear();
      hashes.set(text, (h = saltedHash(stored.salt, text)));
    }
    return h;
  };
  const inTime = (e: ImportExclusion, at: number) => at <= e.at && (e.from === null || at >= e.from) && (e.to === null || at < e.to);
  return (row) => {
    const at = row.visitedAt;
    if (timeOnly.some((e) => inTime(e, at))) return true;
    if (byUrl.size > 0) {
      // A URL filter may also name a domain: the URL key decides (it names the host).
      if (byUrl.get(hashOf(row.urlKey))?.some((e) => inTime(e, at))) return true;
    }
    if (byHost.size === 0) return false;
    // The host, then each parent domain (com.example.www → com.example → com): a parent matches
    // only filters with subdomains.
    let host = row.hostRev;
    for (let exact = true; ; exact = false) {
      if (byHost.get(hashOf(host))?.some((e) => (exact || e.includeSubdomains) && inTime(e, at))) return true;
      const dot = host.lastIndexOf('.');
      if (dot < 0) return false;
      host = host.slice(0, dot);
    }
  };
}
