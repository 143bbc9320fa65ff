/**
 * Every read and write of stored visits (docs/adr/0006-visit-chunks.md). Visits live in
 * `visitChunks` (chunk.ts); this module is the only writer of that store (a structure test checks
 * it), so it keeps, in the same transaction as each chunk write, what a middleware kept for
 * one-row-per-visit: the exact counters (`store:visits`, `visitsDay:<day>`) and the search journal
 * (the URL keys whose visits changed). A visit is identified as before by `${urlKey}@${visitedAt}`.
 *
 * The `visits` store of versions 1–4 (one row per visit) is "legacy": the `visits_migrate` job
 * (extension/visits/migrate.ts) moves its rows into chunks, and until it is empty every reader here also reads it
 * and every write checks it (adds skip what legacy holds, the move skips what chunks hold). Moved
 * rows stay in legacy until the move ends (extension/db/legacy-visits.ts: every row at or before
 * the stored position is moved): readers skip them or take the chunk copy, deletes remove both
 * copies and count one. Legacy rows are still counted and journaled by the db middlewares.
 */
import Dexie, { RangeSet } from 'dexie';
import { visitId } from '../../shared/history/visit';
import type { Visit } from '../../shared/schemas/entities';
import { addToCounters, legacyMovedThrough, storeCounterKey, visitDayKey, visitDayOf, type HydraDb } from '../db';
import { signalJournal } from '../db/middleware';
import { CHUNK_VISITS, chunkVisitIds, compareVisits, cutChunks, decodeChunk, encodeChunk, withoutVisits, type VisitChunk } from './chunk';

/**
 * Another capability that must hear, in the same transaction, which visits were added, retitled or
 * removed (sync's outbox: extension/sync/outbox.ts). It names the tables it writes, so every
 * transaction over `visitTables` includes them. Registered at import, like the db middlewares, so
 * this module imports nothing of it.
 */
export interface VisitObserver {
  tables(db: HydraDb): Dexie.Table[];
  changed(db: HydraDb, visits: readonly Pick<Visit, 'urlKey' | 'visitedAt'>[], change: 'added' | 'retitled' | 'removed'): Promise<void>;
}
const observers: VisitObserver[] = [];
export function observeVisits(observer: VisitObserver): void {
  if (!observers.includes(observer)) observers.push(observer);
}
async function tell(db: HydraDb, visits: readonly Pick<Visit, 'urlKey' | 'visitedAt'>[], change: 'added' | 'retitled' | 'removed'): Promise<void> {
  if (visits.length === 0) return;
  for (const observer of observers) await observer.changed(db, visits, change);
}

/** The tables a transaction that writes visits must include. */
export function visitTables(db: HydraDb): Dexie.Table[] {
  return [db.visitChunks, db.visits, db.counters, db.searchJournal, ...observers.flatMap((observer) => observer.tables(db))];
}

/** Whether the legacy one-row-per-visit store still holds rows (a migration is under way). */
export async function legacyHolds(db: HydraDb): Promise<boolean> {
  return (await db.visits.limit(1).primaryKeys()).length > 0;
}

/** Splits a visit id into its URL key and time (null when it is not one). */
export function parseVisitId(id: string): { urlKey: string; visitedAt: number } | null {
  const at = id.lastIndexOf('@');
  const visitedAt = at < 0 ? NaN : Number(id.slice(at + 1));
  return Number.isSafeInteger(visitedAt) ? { urlKey: id.slice(0, at), visitedAt } : null;
}

/**
 * Puts and deletes chunk rows in the current transaction, straight on IndexedDB. Through Dexie
 * each put first re-read the old chunk and added every key of its multi-entry indexes (hundreds
 * per chunk) to the live-query change set: as much work as the write itself. Live queries still
 * hear of the change: the whole store is marked changed for this transaction (Dexie announces it,
 * to other pages too, when the transaction commits). A failed request aborts the transaction,
 * which the caller's transaction reports (extension/db/transaction.ts).
 */
function writeChunks(db: HydraDb, puts: readonly VisitChunk[], gone: readonly number[]): void {
  if (puts.length === 0 && gone.length === 0) return;
  const trans = Dexie.currentTransaction?.idbtrans as (IDBTransaction & { mutatedParts?: Record<string, RangeSet> }) | undefined;
  if (!trans || !trans.objectStoreNames.contains(VISIT_CHUNKS)) throw new Error('visit chunks are written inside a transaction over visitTables()');
  const store = trans.objectStore(VISIT_CHUNKS);
  for (const chunk of puts) store.put(chunk);
  for (const id of gone) store.delete(id);
  const parts = (trans.mutatedParts ??= {});
  for (const index of ['', 'urlKeys', 'hosts']) parts[`idb://${db.name}/${VISIT_CHUNKS}/${index}`] = new RangeSet(-Infinity, [[]]);
}

const VISIT_CHUNKS = 'visitChunks';

/** Chunks that may hold visits with times in [from, to], in key order. */
async function chunksCovering(db: HydraDb, from: number, to: number): Promise<VisitChunk[]> {
  const [floor, rest] = await Promise.all([db.visitChunks.where(':id').belowOrEqual(from).last(), db.visitChunks.where(':id').between(from, to, false, true).toArray()]);
  return floor ? [floor, ...rest] : rest;
}

/** The deltas of counters and the journal row for visits added (+1) or removed (−1). */
async function countAndJournal(db: HydraDb, visits: readonly Pick<Visit, 'urlKey' | 'visitedAt'>[], sign: 1 | -1): Promise<void> {
  if (visits.length === 0) return;
  const deltas = new Map<string, number>([[storeCounterKey('visits'), sign * visits.length]]);
  for (const visit of visits) {
    const key = visitDayKey(visitDayOf(visit.visitedAt));
    deltas.set(key, (deltas.get(key) ?? 0) + sign);
  }
  await addToCounters(db, deltas);
  await db.searchJournal.add({ kind: 'visit', keys: [...new Set(visits.map((visit) => visit.urlKey))] });
  signalJournal();
  await tell(db, visits, sign === 1 ? 'added' : 'removed');
}

/**
 * Deletes legacy rows by id in one transaction with what observers record (counted by the db
 * middlewares); returns how many were stored there. A row the migration already moved is not: its
 * visit is in chunks (the caller's chunk pass removes and counts it), and its stale copy goes here
 * around the middlewares, so that a deleted visit leaves no copy behind.
 */
async function deleteLegacy(db: HydraDb, ids: readonly string[]): Promise<number> {
  return db.transaction('rw', [...visitTables(db), db.settings], async () => {
    const movedThrough = await legacyMovedThrough(db);
    const found = (await db.visits.bulkGet([...ids])).filter((visit): visit is Visit => visit !== undefined);
    const stored = found.filter((visit) => visit.visitedAt > movedThrough);
    const legacy = Dexie.currentTransaction!.idbtrans.objectStore('visits');
    for (const visit of found) if (visit.visitedAt <= movedThrough) legacy.delete(visit.id);
    await db.visits.bulkDelete(stored.map((visit) => visit.id));
    await tell(db, stored, 'removed');
    return stored.length;
  });
}

/**
 * The visits of `group` (ordered by compareVisits, no repeats) that `chunk` does not hold, in one
 * walk along both orders (a chunk's visits are in the same order): a re-import compares every
 * visit it reads, and building an id string per stored visit was most of that.
 */
function notInChunk(chunk: VisitChunk, group: readonly Visit[]): Visit[] {
  const out: Visit[] = [];
  let i = 0;
  for (const visit of group) {
    while (i < chunk.n && (chunk.at[i]! < visit.visitedAt || (chunk.at[i] === visit.visitedAt && chunk.urlKeys[chunk.url[i]!]! < visit.urlKey))) i++;
    if (i < chunk.n && chunk.at[i] === visit.visitedAt && chunk.urlKeys[chunk.url[i]!] === visit.urlKey) continue;
    out.push(visit);
  }
  return out;
}

/**
 * Merges visits into their chunks (inside the caller's transaction) and returns those that were
 * not stored yet; repeats inside `visits` count once (the first wins). Counts and journals nothing.
 */
export async function mergeVisits(db: HydraDb, visits: readonly Visit[], skipLegacy: boolean): Promise<Visit[]> {
  const unique = new Map<string, Visit>();
  for (const visit of visits) if (!unique.has(visit.id)) unique.set(visit.id, visit);
  let incoming = [...unique.values()];
  if (skipLegacy && (await legacyHolds(db))) {
    const stored = new Set(await db.visits.where(':id').anyOf([...unique.keys()]).primaryKeys());
    incoming = incoming.filter((visit) => !stored.has(visit.id));
  }
  if (incoming.length === 0) return [];
  incoming.sort(compareVisits);
  const chunks = await chunksCovering(db, incoming[0]!.visitedAt, incoming[incoming.length - 1]!.visitedAt);
  if (chunks.length === 0) {
    // Everything is older than every chunk: it joins the first chunk, which takes a smaller key.
    const first = await db.visitChunks.orderBy(':id').first();
    if (first) chunks.push(first);
  }
  if (chunks.length === 0) {
    writeChunks(db, cutChunks(incoming), []);
    return incoming;
  }
  const groups: Visit[][] = chunks.map(() => []);
  let c = 0;
  for (const visit of incoming) {
    while (c + 1 < chunks.length && chunks[c + 1]!.id <= visit.visitedAt) c++;
    groups[c]!.push(visit);
  }
  const fresh: Visit[] = [];
  const puts: VisitChunk[] = [];
  const gone: number[] = [];
  chunks.forEach((chunk, i) => {
    const group = groups[i]!;
    if (group.length === 0) return;
    const added = notInChunk(chunk, group);
    if (added.length === 0) return;
    fresh.push(...added);
    const pieces = cutChunks(decodeChunk(chunk).concat(added).sort(compareVisits), chunk.id);
    puts.push(...pieces);
    if (pieces[0]!.id !== chunk.id) gone.push(chunk.id);
  });
  writeChunks(db, puts, gone);
  return fresh;
}

/**
 * The one way visits enter the database (live capture, a History file, a bundle). Adds them in
 * one transaction, skipping those already stored and repeats inside the batch; a stored visit is
 * never overwritten (the first source to record it keeps it). Counters and the search journal move
 * in the same transaction.
 */
export async function addVisits(db: HydraDb, visits: readonly Visit[]): Promise<{ added: number; duplicates: number }> {
  if (visits.length === 0) return { added: 0, duplicates: 0 };
  return db.transaction('rw', visitTables(db), async () => {
    const fresh = await mergeVisits(db, visits, true);
    await countAndJournal(db, fresh, 1);
    return { added: fresh.length, duplicates: visits.length - fresh.length };
  });
}

/** Which of `ids` are stored (chunks or legacy), reading no row twice. */
export async function storedVisitIds(db: HydraDb, ids: readonly string[]): Promise<Set<string>> {
  const wanted = new Set(ids);
  const times = ids.map((id) => parseVisitId(id)?.visitedAt).filter((at): at is number => at !== undefined);
  const out = new Set<string>();
  if (times.length === 0) return out;
  for (const chunk of await chunksCovering(db, Math.min(...times), Math.max(...times))) for (const id of chunkVisitIds(chunk)) if (wanted.has(id)) out.add(id);
  if (await legacyHolds(db)) for (const id of await db.visits.where(':id').anyOf([...wanted]).primaryKeys()) out.add(id);
  return out;
}

/** What a delete decides on (and what its counters and journal need): a visit's URL, host and time. */
export type VisitFacts = Pick<Visit, 'urlKey' | 'hostRev' | 'visitedAt'>;

/** Removes the visits `drop` selects from the chunks `ids` (one transaction); returns them. */
async function removeFromChunks(db: HydraDb, ids: readonly number[], drop: (visit: VisitFacts) => boolean): Promise<VisitFacts[]> {
  return db.transaction('rw', visitTables(db), async () => {
    const removed: VisitFacts[] = [];
    const puts: VisitChunk[] = [];
    const gone: number[] = [];
    for (const chunk of await db.visitChunks.bulkGet([...ids])) {
      if (!chunk) continue;
      const kept = withoutVisits(chunk, (i) => {
        const u = chunk.url[i]!;
        const facts = { urlKey: chunk.urlKeys[u]!, hostRev: chunk.hosts[chunk.urlHost[u]!]!, visitedAt: chunk.at[i]! };
        if (!drop(facts)) return false;
        removed.push(facts);
        return true;
      });
      if (kept === chunk) continue;
      // The key stays (still a lower bound of the times): a chunk's id changes only when it is cut.
      if (kept === null) gone.push(chunk.id);
      else puts.push(kept);
    }
    writeChunks(db, puts, gone);
    await countAndJournal(db, removed, -1);
    return removed;
  });
}

/** Chunks per delete transaction (about 60k visits). */
const DELETE_CHUNKS = 240;

/** Deletes visits by id (chunks and legacy); returns how many were stored. */
export async function deleteVisitsById(db: HydraDb, ids: readonly string[]): Promise<number> {
  const wanted = new Set(ids);
  let deleted = 0;
  // Legacy rows first: the migration only moves rows from there into chunks, so a row it moves
  // while this runs is in chunks before the chunk pass below reads them.
  if (await legacyHolds(db)) deleted += await deleteLegacy(db, [...wanted]);
  const times = ids.map((id) => parseVisitId(id)?.visitedAt).filter((at): at is number => at !== undefined);
  if (times.length) {
    const chunks = await chunksCovering(db, Math.min(...times), Math.max(...times));
    const holding = chunks.filter((chunk) => chunkVisitIds(chunk).some((id) => wanted.has(id))).map((chunk) => chunk.id);
    for (let i = 0; i < holding.length; i += DELETE_CHUNKS) deleted += (await removeFromChunks(db, holding.slice(i, i + DELETE_CHUNKS), (visit) => wanted.has(visitId(visit.urlKey, visit.visitedAt)))).length;
  }
  return deleted;
}

/** How a delete or a count finds its visits: through the most selective index it offers. */
export interface VisitSelection {
  everything: boolean;
  urlKey: string | null;
  hostRev: string | null;
  includeSubdomains: boolean;
  from: number;
  to: number;
}

/** Keys of the chunks that may hold selected visits. */
async function candidateChunks(db: HydraDb, s: VisitSelection): Promise<number[]> {
  if (s.everything) return db.visitChunks.toCollection().primaryKeys();
  if (s.urlKey !== null) return db.visitChunks.where('urlKeys').equals(s.urlKey).distinct().primaryKeys();
  if (s.hostRev !== null) {
    const exact = db.visitChunks.where('hosts').equals(s.hostRev);
    const keys = await (s.includeSubdomains ? exact.or('hosts').startsWith(`${s.hostRev}.`) : exact).primaryKeys();
    return [...new Set(keys)].sort((a, b) => a - b);
  }
  return (await chunksCovering(db, s.from, s.to)).map((chunk) => chunk.id);
}

/** The legacy rows that may be selected, through the same index as before chunks. */
function legacyCandidates(db: HydraDb, s: VisitSelection) {
  if (s.everything) return db.visits.toCollection();
  if (s.urlKey !== null) return db.visits.where('urlKey').equals(s.urlKey);
  if (s.hostRev !== null) return s.includeSubdomains ? db.visits.where('hostRev').equals(s.hostRev).or('hostRev').startsWith(`${s.hostRev}.`) : db.visits.where('hostRev').equals(s.hostRev);
  return db.visits.where('visitedAt').between(s.from, s.to, true, false);
}

/** How many stored visits the selection and `match` select. */
export async function countVisitsWhere(db: HydraDb, s: VisitSelection, match: (visit: VisitFacts) => boolean): Promise<number> {
  let n = 0;
  if (s.everything) n = (await db.counters.get(storeCounterKey('visits')))?.n ?? 0;
  else {
    const ids = await candidateChunks(db, s);
    for (let i = 0; i < ids.length; i += DELETE_CHUNKS)
      for (const chunk of await db.visitChunks.bulkGet(ids.slice(i, i + DELETE_CHUNKS)))
        if (chunk)
          for (let v = 0; v < chunk.n; v++) {
            const u = chunk.url[v]!;
            if (match({ urlKey: chunk.urlKeys[u]!, hostRev: chunk.hosts[chunk.urlHost[u]!]!, visitedAt: chunk.at[v]! })) n++;
          }
    if (await legacyHolds(db)) {
      const movedThrough = await legacyMovedThrough(db);
      n += await legacyCandidates(db, s)
        .filter((visit) => visit.visitedAt > movedThrough && match(visit))
        .count();
    }
  }
  return n;
}

/**
 * Deletes the visits the selection and `match` select, DELETE_CHUNKS chunks per transaction
 * (running it again after an interruption finishes the job). Returns the URL keys it removed
 * visits of, and how many.
 */
export async function deleteVisitsWhere(db: HydraDb, s: VisitSelection, match: (visit: VisitFacts) => boolean): Promise<{ deleted: number; urlKeys: Set<string> }> {
  const urlKeys = new Set<string>();
  let deleted = 0;
  // Legacy rows first (see deleteVisitsById): a row the migration moves meanwhile is caught below.
  if (await legacyHolds(db)) {
    const legacy: string[] = [];
    await legacyCandidates(db, s).each((visit) => {
      if (!match(visit)) return;
      legacy.push(visit.id);
      urlKeys.add(visit.urlKey);
    });
    for (let i = 0; i < legacy.length; i += 5000) deleted += await deleteLegacy(db, legacy.slice(i, i + 5000));
  }
  const ids = await candidateChunks(db, s);
  for (let i = 0; i < ids.length; i += DELETE_CHUNKS) {
    const removed = await removeFromChunks(db, ids.slice(i, i + DELETE_CHUNKS), match);
    deleted += removed.length;
    for (const visit of removed) urlKeys.add(visit.urlKey);
  }
  return { deleted, urlKeys };
}

/** The newest `limit` visits that `keep` accepts, newest first (the History view). */
export async function newestVisits(db: HydraDb, limit: number, keep: (visit: Visit) => boolean = () => true): Promise<Visit[]> {
  const out: Visit[] = [];
  let below = Infinity;
  while (out.length < limit) {
    const chunks = await db.visitChunks.where(':id').below(below).reverse().limit(4).toArray();
    for (const chunk of chunks) {
      const visits = decodeChunk(chunk);
      for (let i = visits.length - 1; i >= 0 && out.length < limit; i--) if (keep(visits[i]!)) out.push(visits[i]!);
    }
    if (chunks.length < 4) break;
    below = chunks[chunks.length - 1]!.id;
  }
  if (await legacyHolds(db)) {
    // Rows not moved yet (a row moved after this read is also in `out`: once).
    const listed = new Set(out.map((visit) => visit.id));
    const legacy = await db.visits.where('visitedAt').above(await legacyMovedThrough(db)).reverse().filter(keep).limit(limit).toArray();
    out.push(...legacy.filter((visit) => !listed.has(visit.id)));
    out.sort((a, b) => b.visitedAt - a.visitedAt || compareVisits(a, b));
    out.length = Math.min(out.length, limit);
  }
  return out;
}

/** Every stored visit of each URL key (search documents, a URL's latest visit). */
export async function visitsOfUrls(db: HydraDb, keys: readonly string[]): Promise<Map<string, Visit[]>> {
  const wanted = new Set(keys);
  const out = new Map<string, Visit[]>();
  if (wanted.size === 0) return out;
  // Legacy first: the migration moves rows from there into chunks, never back. A visit in both
  // (moved, its legacy row not cleared yet) is its chunk copy.
  const byId = new Map<string, Visit>();
  if (await legacyHolds(db)) for (const visit of await db.visits.where('urlKey').anyOf([...wanted]).toArray()) byId.set(visit.id, visit);
  const ids = await db.visitChunks.where('urlKeys').anyOf([...wanted]).distinct().primaryKeys();
  for (let i = 0; i < ids.length; i += DELETE_CHUNKS)
    for (const chunk of await db.visitChunks.bulkGet(ids.slice(i, i + DELETE_CHUNKS))) {
      if (!chunk) continue;
      for (let v = 0; v < chunk.n; v++)
        if (wanted.has(chunk.urlKeys[chunk.url[v]!]!)) {
          const visit = decodeOne(chunk, v);
          byId.set(visit.id, visit);
        }
    }
  for (const visit of byId.values()) {
    const list = out.get(visit.urlKey);
    if (list) list.push(visit);
    else out.set(visit.urlKey, [visit]);
  }
  return out;
}

function decodeOne(chunk: VisitChunk, i: number): Visit {
  const u = chunk.url[i]!;
  const key = chunk.urlKeys[u]!;
  return {
    id: visitId(key, chunk.at[i]!),
    url: chunk.urls[u]!,
    urlKey: key,
    hostRev: chunk.hosts[chunk.urlHost[u]!]!,
    title: chunk.titles[chunk.title[i]!]!,
    visitedAt: chunk.at[i]!,
    transition: chunk.transitions[chunk.transition[i]!] as Visit['transition'],
    source: chunk.sources[chunk.source[i]!] as Visit['source'],
  };
}

/** The visit of a URL at an exact time, reading one chunk (search hits know both). */
export async function visitAt(db: HydraDb, urlKey: string, visitedAt: number): Promise<Visit | null> {
  const chunk = await db.visitChunks.where(':id').belowOrEqual(visitedAt).last();
  if (chunk) {
    const u = chunk.urlKeys.indexOf(urlKey);
    if (u >= 0) for (let i = 0; i < chunk.n; i++) if (chunk.url[i] === u && chunk.at[i] === visitedAt) return decodeOne(chunk, i);
  }
  return (await legacyHolds(db)) ? ((await db.visits.get(visitId(urlKey, visitedAt))) ?? null) : null;
}

/** The time of the newest stored visit, or null. */
export async function newestVisitAt(db: HydraDb): Promise<number | null> {
  const last = await db.visitChunks.orderBy(':id').last();
  const legacy = (await db.visits.orderBy('visitedAt').reverse().limit(1).keys())[0] as number | undefined;
  const chunked = last ? Math.max(...last.at) : undefined;
  if (chunked === undefined) return legacy ?? null;
  return legacy === undefined ? chunked : Math.max(chunked, legacy);
}

/** Sets the title of a stored visit (a live visit whose page reported its title late). */
export async function setVisitTitle(db: HydraDb, id: string, title: string): Promise<void> {
  const parsed = parseVisitId(id);
  if (!parsed) return;
  await db.transaction('rw', visitTables(db), async () => {
    const chunk = await db.visitChunks.where(':id').belowOrEqual(parsed.visitedAt).last();
    const visits = chunk ? decodeChunk(chunk) : [];
    const visit = visits.find((v) => v.id === id);
    if (chunk && visit) {
      visit.title = title;
      writeChunks(db, [encodeChunk(chunk.id, visits)], []);
      await db.searchJournal.add({ kind: 'visit', keys: [visit.urlKey] });
      signalJournal();
      await tell(db, [visit], 'retitled');
    } else if (await legacyHolds(db)) {
      if ((await db.visits.update(id, { title })) > 0) await tell(db, [parsed], 'retitled');
    }
  });
}

/**
 * Every stored visit with a time in [from, to), legacy rows and chunks, each once, in one read
 * (a bounded range: sync reads a week at a time). Usable inside the caller's transaction.
 */
export async function visitsInRange(db: HydraDb, from: number, to: number): Promise<Visit[]> {
  const out = new Map<string, Visit>();
  // Legacy first (see visitsOfUrls); a visit in both is its chunk copy.
  if (await legacyHolds(db)) for (const visit of await db.visits.where('visitedAt').between(from, to, true, false).toArray()) out.set(visit.id, visit);
  for (const chunk of await chunksCovering(db, from, to)) for (const visit of decodeChunk(chunk)) if (visit.visitedAt >= from && visit.visitedAt < to) out.set(visit.id, visit);
  return [...out.values()];
}

/** Visits per yielded batch of a walk. */
const WALK_VISITS = 10_000;

/**
 * Every stored visit with a time in [from, to], in batches of about WALK_VISITS (each batch its
 * own short read; bundles export this, the index rebuild sums it up): first any legacy rows, then
 * the chunks, each oldest first. Legacy first, and the ids it yielded skipped in chunks: a
 * row the migration moves during the walk is yielded exactly once.
 */
export async function* walkVisits(db: HydraDb, from = -Infinity, to = Infinity): AsyncGenerator<Visit[]> {
  const yielded = new Set<string>();
  // Legacy rows in time order too (a bundle lists visits in time order, which its import writes
  // chunk after chunk), by the visitedAt index; rows of one millisecond never straddle two pages.
  // Only those not moved yet: a moved row is read from its chunk.
  const movedThrough = await legacyMovedThrough(db);
  let lower = Math.max(from, movedThrough);
  let inclusive = movedThrough < from;
  for (;;) {
    let rows: Visit[] = await db.visits.where('visitedAt').between(lower, to, inclusive, true).limit(WALK_VISITS).toArray();
    if (rows.length === 0) break;
    const full = rows.length === WALK_VISITS;
    if (full) {
      const lastAt = rows[rows.length - 1]!.visitedAt;
      if (rows[0]!.visitedAt === lastAt) {
        rows = await db.visits.where('visitedAt').equals(lastAt).toArray();
        lower = lastAt;
        inclusive = false;
      } else {
        rows = rows.filter((visit) => visit.visitedAt < lastAt);
        lower = lastAt;
        inclusive = true;
      }
    }
    for (const visit of rows) yielded.add(visit.id);
    yield rows;
    if (!full) break;
  }
  const perRead = Math.max(1, Math.floor(WALK_VISITS / CHUNK_VISITS));
  const floor = (await db.visitChunks.where(':id').belowOrEqual(from).reverse().limit(1).primaryKeys())[0];
  let after = floor ?? from;
  let afterInclusive = true;
  for (;;) {
    const chunks = await db.visitChunks.where(':id').between(after, to, afterInclusive, true).limit(perRead).toArray();
    if (chunks.length === 0) break;
    const batch: Visit[] = [];
    for (const chunk of chunks) for (const visit of decodeChunk(chunk)) if (visit.visitedAt >= from && visit.visitedAt <= to && !yielded.has(visit.id)) batch.push(visit);
    if (batch.length) yield batch;
    if (chunks.length < perRead) break;
    after = chunks[chunks.length - 1]!.id;
    afterInclusive = false;
  }
}

/** Removes every stored visit (chunks and legacy); counters go to zero and the index forgets visits. */
export async function clearVisits(db: HydraDb): Promise<number> {
  return db.transaction('rw', visitTables(db), async () => {
    const total = (await db.counters.get(storeCounterKey('visits')))?.n ?? 0;
    await db.visitChunks.clear();
    await db.visits.clear();
    await db.counters.where('key').startsWith('visitsDay:').delete();
    await db.counters.put({ key: storeCounterKey('visits'), n: 0 });
    await db.searchJournal.add({ kind: 'visit', keys: null });
    signalJournal();
    return total;
  });
}
