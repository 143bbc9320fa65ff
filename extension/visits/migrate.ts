/**
 * The `visits_migrate` job: moves the one-row-per-visit `visits` store of versions 1–4 into
 * `visitChunks` (migration 5 added the store; an upgrade cannot report progress or resume, so the
 * move runs here, after the database opened). Batches take legacy rows in time order through the
 * `visitedAt` index, each batch one transaction that merges them into their chunks and moves the
 * position (extension/db/legacy-visits.ts: every legacy row at or before it is moved) and the job's
 * cursor in the same transaction. Moved rows are not deleted one by one (Chromium's IndexedDB
 * spends ~0.2 ms of browser time on each delete, more than the move itself): they stay, ignored by
 * every reader (store.ts), and the job ends once every visit is in chunks. A worker killed at any
 * point therefore loses and doubles nothing — a batch is either fully moved with its position or
 * not at all, and the next run starts at the stored position.
 *
 * Then the moved rows are freed (freeMovedLegacy), outside the job: clearing the store at once
 * cost ~19 s of browser time for 500k rows, during which every other request of the database
 * waited (the side panel hung). The rows go in primary-key ranges of about FREE_STEP_MS each, and
 * the index entries they leave behind (Chromium deletes a row's index entries only when a cursor
 * meets them, or with the store) in one clear of the emptied store at the end (docs/performance.md,
 * "Freeing the legacy rows").
 */
import Dexie from 'dexie';
import { z } from 'zod';
import { toAppError } from '../../shared/errors';
import type { Job, Visit } from '../../shared/schemas/entities';
import { addToCounters, ensureDiskHeadroom, LEGACY_MOVED_SETTING, legacyMovedThrough, storeCounterKey, visitDayKey, visitDayOf, writeTransaction, type HydraDb } from '../db';
import { appendJobLog, createJob, failJob, finishJob, growingStepSizer, keepingWorkerAlive, replaying, reportProgress, startJob, stepSizer } from '../jobs';
import { legacyHolds, mergeVisits, visitDeletesIdle, visitTables } from './store';

/** Most legacy rows moved per transaction (more when one millisecond holds more); steps are sized by time below it. */
export const MIGRATE_BATCH = 40_000;
/** Rows of the first step after a (re)start: it commits within moments (the poison rule). */
const FIRST_STEP_ROWS = 250;
/**
 * Rows of the second step, from which steps grow toward GROWN_STEP_MS (extension/jobs/steps.ts).
 * Each step re-reads and rewrites the chunk its last one ended in and the index rows (visitTerms)
 * of every URL and host its chunks hold, so the fewer steps the less work; a kill redoes at most
 * one step, and a privacy delete waits at most one.
 */
const GROWN_FIRST_ROWS = 2_000;

export const migrateParams = z.lazy(() => z.object({}));
const migrateCursor = z.lazy(() => z.object({ moved: z.number().int(), total: z.number().int() }).passthrough());
type MigrateCursor = z.infer<typeof migrateCursor>;

/** Where a migration's time went, in ms: inside its batches (read, merge, position and cursor), their commits, and the waits between them. */
export interface MigrateTiming {
  steps: number;
  read: number;
  merge: number;
  position: number;
  commit: number;
  wait: number;
}

/** Whether this worker runs the migration now (one runner per worker). */
let running: Promise<void> | null = null;

/** The tables a batch writes: the visits', and the settings row that holds the position. */
const batchTables = (db: HydraDb) => [...visitTables(db), db.settings];

/**
 * The next legacy rows after the position, oldest first, ending on a time boundary (the rows of
 * one millisecond are never split, so the position can be a time alone).
 */
async function nextRows(db: HydraDb, after: number, size: number): Promise<Visit[]> {
  // One row more than asked: it says whether the last time asked for continues past the batch.
  const rows = await db.visits.where('visitedAt').above(after).limit(size + 1).toArray();
  if (rows.length <= size) return rows;
  const lastAt = rows[size - 1]!.visitedAt;
  if (rows[size]!.visitedAt !== lastAt) return rows.slice(0, size);
  if (rows[0]!.visitedAt === lastAt) return db.visits.where('visitedAt').equals(lastAt).toArray();
  let end = size;
  while (rows[end - 1]!.visitedAt === lastAt) end--;
  return rows.slice(0, end);
}

/**
 * One batch: the oldest legacy rows not yet moved go into chunks, and the position moves past
 * them. A row whose visit the chunks already hold (stored twice, once in each layout) goes without
 * adding; its count goes with it. The moved visits keep their search documents (nothing to journal:
 * the same visits, stored elsewhere). With nothing left to move, only `commit(0)` runs (the job
 * ends); the moved rows are freed afterwards (freeMovedLegacy).
 */
export async function migrateBatch(db: HydraDb, size = MIGRATE_BATCH, commit?: (moved: number) => Promise<void>, timing?: MigrateTiming): Promise<{ moved: number; dropped: number }> {
  return writeTransaction(db, [...batchTables(db), ...(commit ? [db.jobs] : [])], async () => {
    let lapAt = performance.now();
    const lap = (part: keyof MigrateTiming) => {
      const now = performance.now();
      if (timing) timing[part] += now - lapAt;
      lapAt = now;
    };
    const after = await legacyMovedThrough(db);
    const rows = await nextRows(db, after, size);
    lap('read');
    if (rows.length === 0) {
      await commit?.(0);
      return { moved: 0, dropped: 0 };
    }
    const fresh = new Set((await mergeVisits(db, rows, false)).map((visit) => visit.id));
    lap('merge');
    const dropped = rows.filter((row) => !fresh.has(row.id));
    if (dropped.length) {
      const deltas = new Map<string, number>([[storeCounterKey('visits'), -dropped.length]]);
      for (const row of dropped) deltas.set(visitDayKey(visitDayOf(row.visitedAt)), (deltas.get(visitDayKey(visitDayOf(row.visitedAt))) ?? 0) - 1);
      await addToCounters(db, deltas);
    }
    await db.settings.put({ key: LEGACY_MOVED_SETTING, value: { at: rows[rows.length - 1]!.visitedAt }, updatedAt: Date.now() });
    await commit?.(rows.length);
    lap('position');
    return { moved: rows.length, dropped: dropped.length };
  });
}

/** What the legacy store still needs: the move (rows after the position), freeing (moved rows, or the index entries they left), or nothing. */
export async function legacyWork(db: HydraDb): Promise<'move' | 'free' | null> {
  return db.transaction('r', [db.visits, db.settings], async () => {
    const movedThrough = await legacyMovedThrough(db);
    if (await holdsUnmoved(db, movedThrough)) return 'move';
    return (await legacyHolds(db)) || movedThrough !== -Infinity ? 'free' : null;
  });
}

/** Whether a legacy row after the move's position (not moved yet) exists. */
async function holdsUnmoved(db: HydraDb, movedThrough: number): Promise<boolean> {
  return (await db.visits.where('visitedAt').above(movedThrough).limit(1).primaryKeys()).length > 0;
}

/** Rows of the first freeing step, the most of one, and the time steps aim at (each holds up every other request of the database while it runs). */
const FREE_FIRST_ROWS = 1_000;
const FREE_MAX_ROWS = 20_000;
const FREE_STEP_MS = 100;
/** A pause between freeing steps, so other pages' requests run in between. */
const FREE_PAUSE_MS = 5;

/** Where freeing spent its time (ms): the steps deleting rows (and the longest of them), and the clear of the index entries they left. */
export interface FreeTiming {
  steps: number;
  rows: number;
  longest: number;
  clear: number;
}

/**
 * One freeing step, one transaction: when every legacy row is moved, deletes the first `size` by
 * primary key (one range: ~13 µs a row of browser time, against ~0.2 ms deleting each by key);
 * with none left, clears the store (the index entries the deleted rows left) and the position.
 * 'unmoved': a row after the position exists, the move goes first.
 */
async function freeStep(db: HydraDb, size: number, after: string | null): Promise<{ step: 'freed'; last: string } | { step: 'again' | 'cleared' | 'unmoved' }> {
  return db.transaction('rw', [db.visits, db.settings], async () => {
    const movedThrough = await legacyMovedThrough(db);
    if (await holdsUnmoved(db, movedThrough)) return { step: 'unmoved' };
    // After the last key this run deleted: LevelDB keeps deleted keys until it compacts, and a
    // read from the store's start would step over every row the steps before deleted.
    const keys = (await (after === null ? db.visits.toCollection() : db.visits.where(':id').above(after)).limit(size).primaryKeys()) as string[];
    // Straight on IndexedDB, around the counters and journal middlewares: these visits are
    // counted and indexed as chunks.
    const legacy = Dexie.currentTransaction!.idbtrans.objectStore('visits');
    if (keys.length > 0) {
      legacy.delete(IDBKeyRange.bound(keys[0], keys[keys.length - 1]));
      return { step: 'freed', last: keys[keys.length - 1]! };
    }
    // Rows before `after` that appeared meanwhile (none in a profile): the next step starts over.
    if (after !== null && (await legacyHolds(db))) return { step: 'again' };
    legacy.clear();
    await db.settings.delete(LEGACY_MOVED_SETTING);
    return { step: 'cleared' };
  });
}

/**
 * Frees the legacy rows the move left (every one at or before the position), in steps of about
 * FREE_STEP_MS, then clears the emptied store and the position. Readers ignore moved rows, so
 * nothing a reader sees changes; a kill at any point leaves each step done or not, and the next
 * worker start goes on (legacyWork says 'free').
 */
export async function freeMovedLegacy(db: HydraDb): Promise<FreeTiming> {
  const sizer = stepSizer(FREE_FIRST_ROWS, FREE_MAX_ROWS, FREE_STEP_MS);
  const timing: FreeTiming = { steps: 0, rows: 0, longest: 0, clear: 0 };
  for (let after: string | null = null; ; ) {
    await privacyDeletesDone(db);
    const started = performance.now();
    const result = await freeStep(db, sizer.size, after);
    const took = performance.now() - started;
    if (result.step === 'again') {
      after = null;
      continue;
    }
    if (result.step !== 'freed') {
      if (result.step === 'cleared') timing.clear += took;
      return timing;
    }
    after = result.last;
    timing.longest = Math.max(timing.longest, took);
    timing.steps++;
    timing.rows += took;
    sizer.took(took);
    await new Promise((resolve) => setTimeout(resolve, FREE_PAUSE_MS));
  }
}

/** How often freeing looks again whether a privacy delete still waits or runs. */
const DELETE_POLL_MS = 1_000;

/**
 * Resolves when no privacy delete runs here or waits in the jobs table. A delete resumed after a
 * restart must commit its first step within moments (the poison rule, extension/jobs/ledger.ts),
 * and the freeing's last step (one clear) holds the database for seconds: the freeing yields to
 * every delete, not only to those this worker has started yet (visitDeletesIdle).
 */
async function privacyDeletesDone(db: HydraDb): Promise<void> {
  for (;;) {
    await visitDeletesIdle();
    const waiting = await db.jobs.where('type').equals('privacy_delete').filter((job) => job.status === 'running' || job.status === 'queued').count();
    if (waiting === 0) return;
    await new Promise((resolve) => setTimeout(resolve, DELETE_POLL_MS));
  }
}

/** Frees what a finished move left, and says where the time went in the job's log. */
async function freeAfter(db: HydraDb, jobId: string | null): Promise<void> {
  try {
    if ((await legacyWork(db)) !== 'free') return;
    const timing = await freeMovedLegacy(db);
    const ms = (part: number) => Math.round(part);
    if (jobId) await appendJobLog(db, jobId, `freed the moved rows: ${timing.steps} steps in ${ms(timing.rows)} ms (the longest ${ms(timing.longest)}), then the index entries they left in one clear of ${ms(timing.clear)} ms`);
  } catch (error) {
    // Nothing a reader sees depends on it: the next worker start frees the rest.
    console.error('[hydraflow] freeing the moved legacy visits failed', error);
  }
}

async function run(db: HydraDb, job: Job, resumed: boolean): Promise<void> {
  try {
    let cursor: MigrateCursor = migrateCursor.parse(job.cursor);
    // A worker stopped before a resumed move commits its first step is not the move killing it
    // (the poison rule counts such deaths apart, extension/jobs/ledger.ts); the first commit moves
    // the cursor past this mark.
    if (resumed) await replaying(db, job.id, cursor);
    // The first step after a start is small: a restarted worker commits progress within moments
    // (the poison rule). Once one has committed, steps grow to about GROWN_STEP_MS, up to
    // MIGRATE_BATCH rows (the domain delete does the same, store.ts).
    const sizer = growingStepSizer(FIRST_STEP_ROWS, GROWN_FIRST_ROWS, MIGRATE_BATCH);
    // Where this worker's run spends its time, for the last log line (docs/performance.md).
    const timing: MigrateTiming = { steps: 0, read: 0, merge: 0, position: 0, commit: 0, wait: 0 };
    const runStarted = performance.now();
    let stepEnded = runStarted;
    for (;;) {
      await visitDeletesIdle();
      // The move writes chunks beside the rows it frees only later: never the write that fills the
      // disk (extension/db/disk-space.ts); the job fails QUOTA_EXCEEDED and resumes at a later start.
      await ensureDiskHeadroom();
      const started = performance.now();
      timing.wait += started - stepEnded;
      const inside = timing.read + timing.merge + timing.position;
      let next = cursor;
      // The job's cursor commits with each batch, and the job ends in the transaction that finds
      // nothing left to move: no death between a batch and its cursor, nor a finished move whose
      // job never ended (the jobs page would list the upgrade as failed or never done).
      const { moved } = await migrateBatch(db, sizer.size, async (moved) => {
        if (moved === 0) {
          const ms = (part: number) => Math.round(part);
          await appendJobLog(db, job.id, `done: moved ${cursor.moved} visits into chunks in ${timing.steps} steps (ms: read ${ms(timing.read)}, merge ${ms(timing.merge)}, position and cursor ${ms(timing.position)}, commits ${ms(timing.commit)}, between steps ${ms(timing.wait)}; ${ms(performance.now() - runStarted)} in all)`);
          await finishJob(db, job.id, { moved: cursor.moved });
          return;
        }
        next = { moved: cursor.moved + moved, total: Math.max(cursor.total, cursor.moved + moved) };
        await reportProgress(db, job.id, { done: next.moved, total: next.total, cursor: next });
      }, timing);
      stepEnded = performance.now();
      timing.steps++;
      timing.commit += stepEnded - started - (timing.read + timing.merge + timing.position - inside);
      sizer.took(stepEnded - started);
      if (moved === 0) break;
      cursor = next;
    }
  } catch (error) {
    await failJob(db, job.id, toAppError(error));
  }
}

/** The resumer: continues a migration a dead worker left (from the position stored with its last batch). */
export function resumeVisitMigration(db: HydraDb, job: Job): void {
  if (running) return;
  running = keepingWorkerAlive(async () => {
    await run(db, job, true);
    await freeAfter(db, job.id);
  }).finally(() => (running = null));
}

/**
 * At worker start, after job recovery: when legacy rows remain to move and no migration runs,
 * starts one; moved rows left (a worker stopped while freeing them) are freed. Resolves when the
 * migration this call started (or found running here) and the freeing after it end; returns the
 * id of the job it started.
 */
export async function startVisitMigration(db: HydraDb): Promise<string | null> {
  if (running) {
    await running;
    return null;
  }
  const work = await legacyWork(db);
  if (work === null) return null;
  if (work === 'move' && (await db.jobs.where('type').equals('visits_migrate').filter((job) => job.status === 'running' || job.status === 'queued').first())) return null;
  const started = keepingWorkerAlive(async () => {
    const jobId = work === 'move' ? await startMigration(db) : null;
    await freeAfter(db, jobId);
    return jobId;
  });
  running = started.then(() => undefined);
  try {
    return await started;
  } finally {
    running = null;
  }
}

/** Creates the job, counts what it will move and runs it; returns its id when it ends. */
async function startMigration(db: HydraDb): Promise<string> {
  const job = await createJob(db, { type: 'visits_migrate', params: {} });
  // The store's count when nothing is moved yet: counting through the index also checks every
  // entry against its row.
  const movedThrough = await legacyMovedThrough(db);
  const total = movedThrough === -Infinity ? await db.visits.count() : await db.visits.where('visitedAt').above(movedThrough).count();
  const cursor: MigrateCursor = { moved: 0, total };
  await db.jobs.update(job.id, { cursor });
  await startJob(db, job.id);
  await reportProgress(db, job.id, { done: 0, total, cursor });
  await appendJobLog(db, job.id, `moving ${total} visits into chunks`);
  await run(db, { ...job, cursor, status: 'running' }, false);
  return job.id;
}
