/**
 * The visits adapter of sync: history visits travel as chunk documents (a week of visits × one of
 * 8 URL buckets, shared/sync/format.ts), never one document per visit. This is the only sync module
 * that knows how visits are stored, and it knows them only through extension/visits: reads by time
 * range (`visitsInRange`, `walkVisits`), writes through `addVisits` and `deleteVisitsById`, the
 * paths every import and privacy delete takes (dedupe on the visit id, counters and the search
 * journal in the same transaction).
 *
 * The storage chunks (extension/visits/chunk.ts) are cut by size on each machine, so two machines
 * holding the same visits hold different storage chunks; a sync document must be the same
 * everywhere, so it is a fixed grouping (week × URL bucket) read from the storage chunks by time,
 * which they are ordered by (docs/adr/0006-visit-chunks.md, docs/sync.md).
 *
 * A chunk is a grow-only set of visits minus a grow-only set of deleted visit ids, so merging two
 * machines' versions is a union and never a conflict, and a deleted visit never comes back.
 */
import type { z } from 'zod';
import { CHUNK_WEEK_MS, chunkIdOf, parseChunkId, visitChunkId, type chunkVisit } from '../../shared/sync/format';
import { makeVisit } from '../../shared/history/visit';
import { urlKey as urlKeyOf } from '../../shared/url';
import type { Visit } from '../../shared/schemas/entities';
import type { HydraDb } from '../db';
import { addVisits, deleteVisitsById, visitsInRange, walkVisits } from '../visits';

type ChunkVisit = z.infer<typeof chunkVisit>;
export interface ChunkContent {
  visits: ChunkVisit[];
  deleted: string[];
}

/** What this machine holds of each chunk: its visits and the visits deleted here. */
export async function readChunks(db: HydraDb, docIds: string[]): Promise<Map<string, ChunkContent>> {
  const out = new Map<string, ChunkContent>();
  const weeks = new Set<number>();
  for (const docId of docIds) {
    const chunk = parseChunkId(docId);
    if (!chunk) continue;
    out.set(docId, { visits: [], deleted: [] });
    weeks.add(chunk.week);
  }
  for (const week of weeks) {
    for (const visit of await visitsInRange(db, week * CHUNK_WEEK_MS, (week + 1) * CHUNK_WEEK_MS)) {
      // Only the chunks asked for (other buckets of the week are not).
      out.get(chunkIdOf(visit.urlKey, visit.visitedAt))?.visits.push([visit.url, visit.title, visit.visitedAt, visit.transition, visit.source]);
    }
  }
  const tombstones = await db.syncTombstones.where('chunk').anyOf([...out.keys()]).toArray();
  for (const tombstone of tombstones) out.get(tombstone.chunk)?.deleted.push(tombstone.id);
  return out;
}

/**
 * Applies a chunk from the server inside the caller's transaction: adds its visits not deleted
 * here (through history's addVisits), removes the visits it lists as deleted and keeps their
 * tombstones. Visits at or before `through` (a history reset's line, reset.ts) are refused. Returns
 * how many visits were added and removed.
 */
export async function applyChunk(db: HydraDb, docId: string, content: ChunkContent, batch?: StoredVisits, through = -Infinity): Promise<{ added: number; removed: number }> {
  const stored = batch ?? storedVisits(db);
  const chunk = parseChunkId(docId);
  if (!chunk) return { added: 0, removed: 0 };
  const deleted = new Set(content.deleted);
  const present = await stored.ofWeek(chunk.week);
  // Visits stored here already are skipped before any work (a chunk sent again after one deletion
  // lists all its other visits).
  const candidates = content.visits
    .filter(([url, , visitedAt]) => visitedAt > through && !present.has(`${urlKeyOf(url)}@${visitedAt}`))
    .map(([url, title, visitedAt, transition, source]) => makeVisit({ url, title, visitedAt, transition, source }))
    .filter((visit) => !deleted.has(visit.id) && visitChunkId(visit.id) === docId);
  const known = candidates.length ? await db.syncTombstones.bulkGet(candidates.map((visit) => visit.id)) : [];
  const fresh = candidates.filter((_, i) => known[i] === undefined);
  stored.add(fresh);
  // In a batch the caller writes every chunk's new visits at once (flush): the chunk documents of
  // one week interleave in time, and writing them one by one rewrote each storage chunk of the
  // week once per document.
  const added = batch ? 0 : await stored.flush();
  for (const visit of fresh) present.add(visit.id);
  let removed = 0;
  if (deleted.size) {
    const ids = [...deleted];
    const here = ids.filter((id) => present.has(id));
    removed = here.length ? await deleteVisitsById(db, here) : 0;
    for (const id of here) present.delete(id);
    await db.syncTombstones.bulkPut(ids.filter((id) => visitChunkId(id) === docId).map((id) => ({ id, chunk: docId })));
  }
  return { added, removed };
}

/**
 * The ids of the visits stored here, by chunk week, each week read once per batch of chunks; and
 * the visits the batch's chunks add, written together in time order by `flush` (returns how many
 * were new), inside the batch's transaction.
 */
export interface StoredVisits {
  ofWeek(week: number): Promise<Set<string>>;
  add(visits: readonly Visit[]): void;
  flush(): Promise<number>;
}

export function storedVisits(db: HydraDb): StoredVisits {
  const weeks = new Map<number, Promise<Set<string>>>();
  let adding: Visit[] = [];
  return {
    add(visits) {
      for (const visit of visits) adding.push(visit);
    },
    async flush() {
      const visits = adding;
      adding = [];
      return visits.length ? (await addVisits(db, visits)).added : 0;
    },
    ofWeek(week) {
      if (!weeks.has(week)) weeks.set(week, visitsInRange(db, week * CHUNK_WEEK_MS, (week + 1) * CHUNK_WEEK_MS).then((visits) => new Set(visits.map((visit) => visit.id))));
      return weeks.get(week)!;
    },
  };
}

/** Every chunk document this machine has visits for (the first sync with a database sends them all). */
export async function allChunkIds(db: HydraDb): Promise<string[]> {
  const ids = new Set<string>();
  for await (const batch of walkVisits(db)) for (const visit of batch) ids.add(chunkIdOf(visit.urlKey, visit.visitedAt));
  for (const tombstone of await db.syncTombstones.where('chunk').startsWith('visits:').toArray()) ids.add(tombstone.chunk);
  return [...ids];
}
