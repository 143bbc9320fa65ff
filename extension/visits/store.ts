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
import { addToCounters, legacyMovedThrough, storeCounterKey, visitDayKey, visitDayOf, type HydraDb, type VisitTermRow } from '../db';
import { growingStepSizer, stepSizer } from '../jobs';
import { signalJournal } from '../db/middleware';
import { CHUNK_BYTES, CHUNK_VISITS, chunkBytes, chunkVisitIds, compareVisits, cutChunks, decodeChunk, encodeChunk, withoutVisits, type VisitChunk } from './chunk';
import { ALL_HOST_BUCKETS, appendedRows, applyTermChanges, chunksWhere, hostBucket, subdomainsShareBucket, termChanges, urlBucket } from './terms';

/**
 * Another capability that must hear, in the same transaction, which visits were added, retitled or
 * removed (sync's outbox: extension/sync/outbox.ts). It names the tables it writes, so every
 * transaction over `visitTables` includes them. Registered at import, like the db middlewares, so
 * this module imports nothing of it.
 */
export interface VisitObserver {
  tables(db: HydraDb): Dexie.Table[];
  changed(db: HydraDb, visits: readonly Pick<Visit, 'urlKey' | 'visitedAt'>[], change: 'added' | 'retitled' | 'removed'): Promise<void>;
  /** Every stored visit was removed at once (clearVisits), in this transaction. */
  cleared?(db: HydraDb): Promise<void>;
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
  return [db.visitChunks, db.visitTerms, db.visits, db.counters, db.searchJournal, ...observers.flatMap((observer) => observer.tables(db))];
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
 * Puts and deletes chunk rows in the current transaction, straight on IndexedDB, and moves their
 * index rows (`visitTerms`, terms.ts) in the same transaction: `before` = the stored versions of the
 * chunks replaced or removed (callers hold them), so the index changes by the (term, chunk) pairs
 * that differ, one read and one put per touched index row. Through Dexie each chunk put first
 * re-read the old chunk for the live-query change set: as much work as the write itself. Live
 * queries still hear of the change: both stores are marked changed for this transaction (Dexie
 * announces it, to other pages too, when the transaction commits). A failed request aborts the
 * transaction, which the caller's transaction reports (extension/db/transaction.ts).
 */
function writeChunks(db: HydraDb, before: readonly VisitChunk[], puts: readonly VisitChunk[], gone: readonly number[], timing?: DeleteTiming, appendedAfter?: number): PromiseLike<void> {
  // Dexie's promises only, no async function: a native promise awaited in a transaction nested in
  // another (a bundle import's) makes Dexie see the transaction as committed too early.
  if (puts.length === 0 && gone.length === 0) return Dexie.Promise.resolve();
  const started = performance.now();
  const trans = Dexie.currentTransaction?.idbtrans as (IDBTransaction & { mutatedParts?: Record<string, RangeSet> }) | undefined;
  if (!trans || !trans.objectStoreNames.contains(VISIT_CHUNKS) || !trans.objectStoreNames.contains(VISIT_TERMS)) throw new Error('visit chunks are written inside a transaction over visitTables()');
  // The index rows' reads go first, so the worker merges them while IndexedDB writes the chunks.
  // Chunks appended after every stored one (`appendedAfter`: the greatest stored key) get rows of
  // their own, nothing read (terms.ts, appendedRows): an import in time order reads no index row.
  const termStore = trans.objectStore(VISIT_TERMS);
  const changes: [string, Map<number, string[]>][] = [];
  for (const change of termChanges(before, puts, gone)) {
    const rows = appendedAfter !== undefined && before.length === 0 && gone.length === 0 && [...change[1].keys()].every((id) => id > appendedAfter) ? appendedRows(change[0], change[1]) : null;
    if (rows) for (const row of rows) termStore.put(row);
    else changes.push(change);
  }
  const reads = changes.length ? Dexie.Promise.all(changes.map(([bucket, byChunk]) => termRowsCovering(termStore, bucket, byChunk))) : null;
  const store = trans.objectStore(VISIT_CHUNKS);
  const known = new Set(before.map((chunk) => chunk.id));
  let low = Infinity;
  let high = -Infinity;
  // Deletes first: a key removed and written again in one write ends up holding the new chunk.
  for (const id of gone) store.delete(id);
  for (const chunk of puts) {
    store.put(chunk);
    if (!known.has(chunk.id)) {
      low = Math.min(low, chunk.id);
      high = Math.max(high, chunk.id);
    }
  }
  if (low <= high) noteKeysMade(low, high);
  const parts = (trans.mutatedParts ??= {});
  parts[`idb://${db.name}/${VISIT_CHUNKS}/`] = new RangeSet(-Infinity, [[]]);
  parts[`idb://${db.name}/${VISIT_TERMS}/`] = new RangeSet(-Infinity, [[]]);
  const t = lap(timing, 'write', started);
  if (!reads) return Dexie.Promise.resolve();
  // One put (or delete) per changed row.
  return reads.then((rows) => {
    changes.forEach(([bucket, byChunk], i) => {
      const change = applyTermChanges(bucket, rows[i]!, byChunk);
      for (const row of change.puts) termStore.put(row);
      for (const start of change.gone) termStore.delete([bucket, start]);
    });
    lap(timing, 'index', t);
  });
}

/**
 * The chunk writes of this worker that made new chunk keys (a cut's pieces, new chunks), counted,
 * and the range of the keys each made (the last KEPT_WRITES): a delete keeps its candidate keys
 * between steps and lists them again only when a write made keys since (see deleteSelected).
 */
let keyWrites = 0;
const madeKeys: { write: number; low: number; high: number }[] = [];
const KEPT_WRITES = 256;

function noteKeysMade(low: number, high: number): void {
  madeKeys.push({ write: ++keyWrites, low, high });
  if (madeKeys.length > KEPT_WRITES) madeKeys.shift();
}

/** Whether a write after the `since`-th made a chunk key in [low, high] (true when that is no longer known). */
function keysMadeSince(since: number, low: number, high: number): boolean {
  if (keyWrites === since) return false;
  if (madeKeys[0]!.write > since + 1) return true;
  return madeKeys.some((made) => made.write > since && made.low <= high && made.high >= low);
}

/**
 * The stored index rows of `bucket` covering the chunk ids of `changes`: the row at or below the
 * smallest, and those after it up to the largest, in one cursor walking down from the largest (in
 * an import the chunks are new, and the first row it meets, the bucket's last, is all it reads).
 * Straight on IndexedDB, like the writes: one request a bucket instead of Dexie's two (the time
 * is Chromium's either way: no measurable change on the bench; what cut it is that appends read
 * no row at all). A failed request aborts the transaction, which the caller's transaction reports.
 */
function termRowsCovering(store: IDBObjectStore, bucket: string, changes: ReadonlyMap<number, unknown>): PromiseLike<VisitTermRow[]> {
  let lo = Infinity;
  let hi = -Infinity;
  for (const id of changes.keys()) {
    if (id < lo) lo = id;
    if (id > hi) hi = id;
  }
  return new Dexie.Promise<VisitTermRow[]>((resolve, reject) => {
    const rows: VisitTermRow[] = [];
    const request = store.openCursor(IDBKeyRange.bound([bucket, -Infinity], [bucket, hi]), 'prev');
    request.onsuccess = () => {
      const cursor = request.result;
      if (!cursor) return resolve(rows);
      const row = cursor.value as VisitTermRow;
      rows.push(row);
      if (row.start <= lo) resolve(rows);
      else cursor.continue();
    };
    request.onerror = () => reject(request.error);
  });
}

/** Every index row of the buckets, read at once. */
async function termRows(db: HydraDb, buckets: Iterable<string>): Promise<VisitTermRow[]> {
  const reads = await Promise.all([...new Set(buckets)].map((bucket) => db.visitTerms.where(':id').between([bucket, -Infinity], [bucket, Infinity], true, true).toArray()));
  return reads.flat();
}

/** Keys of the chunks holding any of the URL keys, ascending. */
async function chunksOfUrls(db: HydraDb, keys: ReadonlySet<string>): Promise<number[]> {
  const out = new Set<number>();
  for (const row of await termRows(db, [...keys].map(urlBucket))) if (row.bucket.startsWith('u:')) chunksWhere(row, (term) => keys.has(term), out);
  return [...out].sort((a, b) => a - b);
}

/** Keys of the chunks holding the reversed host (and, when asked, its subdomains), ascending. */
async function chunksOfHost(db: HydraDb, hostRev: string, includeSubdomains: boolean): Promise<number[]> {
  const out = new Set<number>();
  const below = `${hostRev}.`;
  const buckets = includeSubdomains && !subdomainsShareBucket(hostRev) ? ALL_HOST_BUCKETS : [hostBucket(hostRev)];
  for (const row of await termRows(db, buckets)) chunksWhere(row, (term) => term === hostRev || (includeSubdomains && term.startsWith(below)), out);
  return [...out].sort((a, b) => a - b);
}

const VISIT_CHUNKS = 'visitChunks';
const VISIT_TERMS = 'visitTerms';

/** Chunks that may hold visits with times in [from, to], in key order. */
async function chunksCovering(db: HydraDb, from: number, to: number): Promise<VisitChunk[]> {
  const [floor, rest] = await Promise.all([db.visitChunks.where(':id').belowOrEqual(from).last(), db.visitChunks.where(':id').between(from, to, false, true).toArray()]);
  return floor ? [floor, ...rest] : rest;
}

/** Where a delete's time went (ms), for its job log. */
export interface DeleteTiming {
  /** Transactions (steps) committed. */
  steps: number;
  query: number;
  /** From asking for a transaction to its body running (waiting behind other transactions). */
  wait: number;
  /** Legacy rows: read, delete, count, journal, observers and commit together. */
  legacy: number;
  read: number;
  cut: number;
  write: number;
  /** Reading and writing the chunks' index rows (terms.ts). */
  index: number;
  counters: number;
  journal: number;
  observers: number;
  /** The caller's own write in the step (a job's cursor). */
  save: number;
  commit: number;
}

/** Adds the time since `since` to `timing[part]`; returns now. */
function lap(timing: DeleteTiming | undefined, part: keyof DeleteTiming, since: number): number {
  const now = performance.now();
  if (timing) timing[part] += now - since;
  return now;
}

/** The deltas of counters and the journal row for visits added (+1) or removed (−1). */
async function countAndJournal(db: HydraDb, visits: readonly Pick<Visit, 'urlKey' | 'visitedAt'>[], sign: 1 | -1, timing?: DeleteTiming): Promise<void> {
  if (visits.length === 0) return;
  let t = performance.now();
  const deltas = new Map<string, number>([[storeCounterKey('visits'), sign * visits.length]]);
  for (const visit of visits) {
    const key = visitDayKey(visitDayOf(visit.visitedAt));
    deltas.set(key, (deltas.get(key) ?? 0) + sign);
  }
  await addToCounters(db, deltas);
  t = lap(timing, 'counters', t);
  await db.searchJournal.add({ kind: 'visit', keys: [...new Set(visits.map((visit) => visit.urlKey))] });
  signalJournal();
  t = lap(timing, 'journal', t);
  await tell(db, visits, sign === 1 ? 'added' : 'removed');
  lap(timing, 'observers', t);
}

/**
 * Deletes legacy rows by id in one transaction with their counters, journal and what observers
 * record; `step` commits with it. Returns the visits that were stored there. A row the migration
 * already moved is not (extension/db/legacy-visits.ts): its visit is in chunks, where the caller's
 * chunk pass removes and counts it; its stale copy goes here too, so a deleted visit leaves no copy.
 */
async function deleteLegacy(db: HydraDb, ids: readonly string[], step?: DeleteStep): Promise<Visit[]> {
  return db.transaction('rw', [...visitTables(db), db.settings, ...(step?.tables ?? [])], async () => {
    const movedThrough = await legacyMovedThrough(db);
    const found = (await db.visits.bulkGet([...ids])).filter((visit): visit is Visit => visit !== undefined);
    // Straight on IndexedDB, like chunk writes (writeChunks): through Dexie, the counter and
    // journal middlewares and live-query tracking each read every deleted row again first. The
    // counters, the journal and the observers move here, from the rows just read.
    const trans = Dexie.currentTransaction!.idbtrans as IDBTransaction & { mutatedParts?: Record<string, RangeSet> };
    const legacy = trans.objectStore('visits');
    for (const visit of found) legacy.delete(visit.id);
    if (found.length) {
      const parts = (trans.mutatedParts ??= {});
      for (const index of ['', 'visitedAt', 'urlKey', 'hostRev', 'source']) parts[`idb://${db.name}/visits/${index}`] = new RangeSet(-Infinity, [[]]);
    }
    const stored = found.filter((visit) => visit.visitedAt > movedThrough);
    await countAndJournal(db, stored, -1, step?.timing);
    await step?.commit(stored.length);
    return stored;
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

/** Whether new visits after a chunk start chunks of their own rather than join it (joining rewrites it, and its index rows). */
function halfFull(chunk: VisitChunk): boolean {
  return chunk.n >= CHUNK_VISITS / 2 || chunkBytes(chunk) >= CHUNK_BYTES / 2;
}

/**
 * Merges visits into their chunks (inside the caller's transaction) and returns those that were
 * not stored yet; repeats inside `visits` count once (the first wins). Counts and journals nothing.
 */
export async function mergeVisits(db: HydraDb, visits: readonly Visit[], skipLegacy: boolean): Promise<Visit[]> {
  // Sorted (a stable sort: repeats keep their order), a repeat follows its first: no map of id
  // strings (an import's batch is 10,000 visits, already in time order).
  const sorted = [...visits].sort(compareVisits);
  let incoming: Visit[] = [];
  for (const visit of sorted) {
    const last = incoming[incoming.length - 1];
    if (!last || last.visitedAt !== visit.visitedAt || last.urlKey !== visit.urlKey) incoming.push(visit);
  }
  if (skipLegacy && incoming.length > 0 && (await legacyHolds(db))) {
    const stored = new Set(await db.visits.where(':id').anyOf(incoming.map((visit) => visit.id)).primaryKeys());
    incoming = incoming.filter((visit) => !stored.has(visit.id));
  }
  if (incoming.length === 0) return [];
  const [chunks, lastKeys] = await Promise.all([chunksCovering(db, incoming[0]!.visitedAt, incoming[incoming.length - 1]!.visitedAt), db.visitChunks.orderBy(':id').reverse().limit(1).primaryKeys()]);
  const lastKey = lastKeys[0];
  // New chunks, evenly cut, the stored ones neither merged nor written again: when nothing is
  // stored, or every visit comes after every stored one (an import in time order) and the last
  // chunk (the only one covering them) is at least half full.
  const only = chunks.length === 1 ? chunks[0]! : null;
  const appendAfter = lastKey === undefined ? -Infinity : only && only.id === lastKey && only.at[only.n - 1]! < incoming[0]!.visitedAt && halfFull(only) ? lastKey : null;
  if (appendAfter !== null) {
    await writeChunks(db, [], cutChunks(incoming, undefined, true), [], undefined, appendAfter);
    return incoming;
  }
  if (chunks.length === 0) {
    // Everything is older than every chunk: it joins the first chunk, which takes a smaller key.
    const first = await db.visitChunks.orderBy(':id').first();
    if (first) chunks.push(first);
  }
  const groups: Visit[][] = chunks.map(() => []);
  let c = 0;
  for (const visit of incoming) {
    while (c + 1 < chunks.length && chunks[c + 1]!.id <= visit.visitedAt) c++;
    groups[c]!.push(visit);
  }
  const fresh: Visit[] = [];
  const before: VisitChunk[] = [];
  const puts: VisitChunk[] = [];
  const gone: number[] = [];
  chunks.forEach((chunk, i) => {
    const group = groups[i]!;
    if (group.length === 0) return;
    const added = notInChunk(chunk, group);
    if (added.length === 0) return;
    fresh.push(...added);
    before.push(chunk);
    const pieces = cutChunks(decodeChunk(chunk).concat(added).sort(compareVisits), chunk.id);
    puts.push(...pieces);
    // The key goes when no piece keeps it: older visits joining the first chunk give its first
    // piece a smaller key, and a later piece may start exactly at the old one.
    if (!pieces.some((piece) => piece.id === chunk.id)) gone.push(chunk.id);
  });
  await writeChunks(db, before, puts, gone);
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

/** What else commits in a delete batch's transaction: the tables it writes, and the write (told how many visits the batch removed). */
interface DeleteStep {
  tables: Dexie.Table[];
  /** Checked in the step's transaction once its first read is back: false = the chunks it was given may be out of date (nothing is done; null is returned). */
  current?: () => boolean;
  commit(removed: number): Promise<void>;
  timing?: DeleteTiming;
}

/** Removes the visits `drop` selects from the chunks `ids` (one transaction, with `step`); returns them (null: `step.current` said no). */
async function removeFromChunks(db: HydraDb, ids: readonly number[], drop: (visit: VisitFacts) => boolean, step?: DeleteStep): Promise<VisitFacts[] | null> {
  const timing = step?.timing;
  let inside = 0;
  const started = performance.now();
  const removed = await db.transaction('rw', [...visitTables(db), ...(step?.tables ?? [])], async () => {
    const removed: VisitFacts[] = [];
    const before: VisitChunk[] = [];
    const puts: VisitChunk[] = [];
    const gone: number[] = [];
    let t = lap(timing, 'wait', started);
    const chunks = await db.visitChunks.bulkGet([...ids]);
    // Only now is this transaction surely running: every write queued before it has run its code
    // (Dexie runs a transaction's body when it is created, while an earlier one may still run).
    if (step?.current && !step.current()) return null;
    t = lap(timing, 'read', t);
    for (const chunk of chunks) {
      if (!chunk) continue;
      const kept = withoutVisits(chunk, (i) => {
        const u = chunk.url[i]!;
        const facts = { urlKey: chunk.urlKeys[u]!, hostRev: chunk.hosts[chunk.urlHost[u]!]!, visitedAt: chunk.at[i]! };
        if (!drop(facts)) return false;
        removed.push(facts);
        return true;
      });
      if (kept === chunk) continue;
      before.push(chunk);
      // The key stays (still a lower bound of the times): a chunk's id changes only when it is cut.
      if (kept === null) gone.push(chunk.id);
      else puts.push(kept);
    }
    lap(timing, 'cut', t);
    await writeChunks(db, before, puts, gone, timing);
    await countAndJournal(db, removed, -1, timing);
    t = performance.now();
    await step?.commit(removed.length);
    inside = lap(timing, 'save', t);
    return removed;
  });
  // What remains after the body: IndexedDB writing the requests and committing.
  if (timing) timing.commit += performance.now() - Math.max(inside, started);
  return removed;
}

/** Chunks in a delete's first step after a start, and its most in a step after that. */
const FIRST_STEP_CHUNKS = 2;
const MAX_STEP_CHUNKS = 1024;

/** Chunks per delete transaction by id (about 60k visits). */
const DELETE_CHUNKS = 240;

/** Deletes visits by id (chunks and legacy); returns how many were stored. */
export async function deleteVisitsById(db: HydraDb, ids: readonly string[]): Promise<number> {
  const wanted = new Set(ids);
  let deleted = 0;
  // Legacy rows first: the migration only moves rows from there into chunks, so a row it moves
  // while this runs is in chunks before the chunk pass below reads them.
  if (await legacyHolds(db)) deleted += (await deleteLegacy(db, [...wanted])).length;
  const times = ids.map((id) => parseVisitId(id)?.visitedAt).filter((at): at is number => at !== undefined);
  if (times.length) {
    const chunks = await chunksCovering(db, Math.min(...times), Math.max(...times));
    const holding = chunks.filter((chunk) => chunkVisitIds(chunk).some((id) => wanted.has(id))).map((chunk) => chunk.id);
    for (let i = 0; i < holding.length; i += DELETE_CHUNKS) deleted += (await removeFromChunks(db, holding.slice(i, i + DELETE_CHUNKS), (visit) => wanted.has(visitId(visit.urlKey, visit.visitedAt))))!.length;
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

/** Keys of the chunks that may hold selected visits, ascending: by the index rows for a URL or a host. */
async function candidateChunks(db: HydraDb, s: VisitSelection): Promise<number[]> {
  if (s.everything) return db.visitChunks.toCollection().primaryKeys();
  if (s.urlKey !== null) return chunksOfUrls(db, new Set([s.urlKey]));
  if (s.hostRev !== null) return chunksOfHost(db, s.hostRev, s.includeSubdomains);
  const [floor, rest] = await Promise.all([db.visitChunks.where(':id').belowOrEqual(s.from).reverse().limit(1).primaryKeys(), db.visitChunks.where(':id').between(s.from, s.to, false, true).primaryKeys()]);
  return [...floor, ...rest];
}

/** The legacy rows that may be selected, through the same index as before chunks. */
function legacyCandidates(db: HydraDb, s: VisitSelection) {
  if (s.everything) return db.visits.toCollection();
  if (s.urlKey !== null) return db.visits.where('urlKey').equals(s.urlKey);
  if (s.hostRev !== null) return s.includeSubdomains ? db.visits.where('hostRev').equals(s.hostRev).or('hostRev').startsWith(`${s.hostRev}.`) : db.visits.where('hostRev').equals(s.hostRev);
  return db.visits.where('visitedAt').between(s.from, s.to, true, false);
}

/**
 * The ids of up to `limit` legacy rows the selection and `match` select, reading about as many
 * rows: one index range at a time (a union of ranges would be read whole before the limit).
 */
async function legacyMatches(db: HydraDb, s: VisitSelection, match: (visit: VisitFacts) => boolean, limit: number): Promise<string[]> {
  const ranges = s.hostRev !== null && s.urlKey === null && !s.everything && s.includeSubdomains ? [db.visits.where('hostRev').equals(s.hostRev), db.visits.where('hostRev').startsWith(`${s.hostRev}.`)] : [legacyCandidates(db, s)];
  const out: string[] = [];
  for (const range of ranges) {
    if (out.length >= limit) break;
    out.push(...(await range.filter(match).limit(limit - out.length).primaryKeys()));
  }
  return out;
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
 * Where a delete by selection stands, for a job to keep as its cursor: first the legacy rows, then
 * the chunks in key order (those with keys up to `after` are done); `deleted` counts the visits
 * removed so far.
 */
export interface VisitDeleteCursor {
  phase: 'legacy' | 'chunks';
  after: number | null;
  deleted: number;
  /**
   * Legacy rows the legacy phase has removed, moved ones too. A step that removes only rows the
   * visit migration had already moved counts no visit (their chunk copies count in the chunks
   * phase), and without this its cursor would not change: the poison rule (extension/jobs/ledger.ts)
   * took such a delete, killed and resumed, for one stuck at its cursor and failed it JOB_POISONED.
   */
  swept?: number;
}

export const DELETE_START: VisitDeleteCursor = { phase: 'legacy', after: null, deleted: 0 };

export interface DeleteOptions {
  /** A cursor a previous run committed: the delete continues from it. */
  from?: VisitDeleteCursor;
  /** Commits `cursor` (the delete's position after the batch) inside each batch's transaction, which also holds `tables`. */
  progress?: { tables: Dexie.Table[]; save(cursor: VisitDeleteCursor): Promise<void> };
  /** Adds where the time went. */
  timing?: DeleteTiming;
}

/**
 * Deletes the visits the selection and `match` select, in steps of about STEP_MS each
 * (one transaction each, with `progress.save` of the cursor after it: a batch and its cursor commit
 * together, and a batch run again removes nothing twice). Returns the visits deleted (the cursor's
 * `deleted`, earlier runs included) and the URL keys this run removed visits of.
 *
 * Legacy rows first (see deleteVisitsById): a row the migration moves meanwhile is caught in the
 * chunks. The chunk keys are read again before every batch: a chunk that a concurrent write cuts
 * keeps its key for its first piece, and its other pieces take keys between it and the next chunk,
 * so an unvisited chunk's pieces are all still ahead of `after`.
 */
export async function deleteVisitsWhere(db: HydraDb, s: VisitSelection, match: (visit: VisitFacts) => boolean, options: DeleteOptions = {}): Promise<{ deleted: number; urlKeys: Set<string> }> {
  deletesRunning++;
  try {
    return await deleteSelected(db, s, match, options);
  } finally {
    if (--deletesRunning === 0) for (const wake of deletesDone.splice(0)) wake();
  }
}

/** Deletes by selection running in this worker, and who waits for none to run (the migration). */
let deletesRunning = 0;
const deletesDone: (() => void)[] = [];

/**
 * Resolves when no delete by selection runs in this worker: the visit migration waits between its
 * steps, so a privacy delete (a person waiting, the worker perhaps stopped soon) never queues its
 * transactions behind the migration's.
 */
export function visitDeletesIdle(): Promise<void> {
  return deletesRunning === 0 ? Promise.resolve() : new Promise((resolve) => deletesDone.push(resolve));
}

async function deleteSelected(db: HydraDb, s: VisitSelection, match: (visit: VisitFacts) => boolean, options: DeleteOptions): Promise<{ deleted: number; urlKeys: Set<string> }> {
  const urlKeys = new Set<string>();
  let cursor = options.from ?? DELETE_START;
  const timing = options.timing;
  const step = (next: (removed: number) => VisitDeleteCursor, current?: () => boolean): DeleteStep => ({
    ...(timing ? { timing } : {}),
    ...(current ? { current } : {}),
    tables: options.progress?.tables ?? [],
    commit: async (removed) => {
      cursor = next(removed);
      if (timing) timing.steps++;
      await options.progress?.save(cursor);
    },
  });
  const legacySizer = stepSizer(100, 20_000);
  while (cursor.phase === 'legacy') {
    const asked = performance.now();
    const ids = (await legacyHolds(db)) ? await legacyMatches(db, s, match, legacySizer.size) : [];
    lap(timing, 'query', asked);
    if (ids.length === 0) {
      cursor = { ...cursor, phase: 'chunks', after: null };
      break;
    }
    const started = performance.now();
    const found = await deleteLegacy(db, ids, step((removed) => ({ ...cursor, deleted: cursor.deleted + removed, swept: (cursor.swept ?? 0) + ids.length })));
    legacySizer.took(lap(timing, 'legacy', started) - started);
    for (const visit of found) urlKeys.add(visit.urlKey);
  }
  // The first step after a start is small (a restarted worker commits progress within moments:
  // the poison rule, extension/jobs/ledger.ts); once one has committed, steps grow to about
  // GROWN_STEP_MS, as few transactions as a kill can afford to redo.
  const chunkSizer = growingStepSizer(FIRST_STEP_CHUNKS, FIRST_STEP_CHUNKS * 2, MAX_STEP_CHUNKS);
  let keys: number[] = [];
  let keysAt = -1;
  for (;;) {
    const after = cursor.after;
    const asked = performance.now();
    // The candidate keys, asked again only when a chunk key was made since (a cut's pieces, new
    // chunks): a piece of a chunk not visited yet has a key between it and the next chunk, so it
    // is after `after` and found by the next listing; one of a visited chunk holds nothing selected.
    if (keysAt !== keyWrites) {
      keysAt = keyWrites;
      keys = await candidateChunks(db, s);
    }
    let from = 0;
    if (after !== null) while (from < keys.length && keys[from]! <= after) from++;
    const batch = keys.slice(from, from + chunkSizer.size);
    lap(timing, 'query', asked);
    if (batch.length === 0) break;
    const started = performance.now();
    // Once the step's transaction runs no other write does: unless a key was made inside the
    // batch's range since the listing (a piece of one of its chunks, which the cursor would pass
    // over), the batch is whole. Keys made elsewhere are found by the next listing.
    const listedAt = keysAt;
    const last = batch[batch.length - 1]!;
    const removed = await removeFromChunks(db, batch, match, step((n) => ({ phase: 'chunks', after: last, deleted: cursor.deleted + n }), () => !keysMadeSince(listedAt, batch[0]!, last)));
    if (removed === null) continue;
    chunkSizer.took(performance.now() - started);
    for (const visit of removed) urlKeys.add(visit.urlKey);
  }
  return { deleted: cursor.deleted, urlKeys };
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
  const ids = await chunksOfUrls(db, wanted);
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
  // Only while legacy rows remain: the index entries of freed rows stay until the store is cleared
  // (extension/visits/migrate.ts), and walking them backwards would cost a read of each.
  const legacy = (await legacyHolds(db)) ? ((await db.visits.orderBy('visitedAt').reverse().limit(1).keys())[0] as number | undefined) : undefined;
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
      await writeChunks(db, [chunk], [encodeChunk(chunk.id, visits)], []);
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
    await db.visitTerms.clear();
    await db.visits.clear();
    await db.counters.where('key').startsWith('visitsDay:').delete();
    await db.counters.put({ key: storeCounterKey('visits'), n: 0 });
    await db.searchJournal.add({ kind: 'visit', keys: null });
    for (const observer of observers) await observer.cleared?.(db);
    signalJournal();
    return total;
  });
}
