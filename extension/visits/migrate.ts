/**
 * The `visits_migrate` job: moves the one-row-per-visit `visits` store of versions 1–4 into
 * `visitChunks` (migration 5 added the store; an upgrade cannot report progress or resume, so the
 * move runs here, after the database opened). Batches take legacy rows in time order through the
 * `visitedAt` index, each batch one transaction that merges them into their chunks and moves the
 * position (extension/db/legacy-visits.ts: every legacy row at or before it is moved) and the job's
 * cursor in the same transaction. Moved rows are not deleted one by one (Chromium's IndexedDB
 * spends ~0.2 ms of browser time on each delete, more than the move itself): they stay, ignored by
 * every reader (store.ts), until the last batch, after which one transaction clears the legacy
 * store and the position and ends the job. A worker killed at any point therefore loses and doubles nothing — a batch is either
 * fully moved with its position or not at all, and the next run starts at the stored position.
 */
import Dexie from 'dexie';
import { z } from 'zod';
import { toAppError } from '../../shared/errors';
import type { Job, Visit } from '../../shared/schemas/entities';
import { addToCounters, LEGACY_MOVED_SETTING, legacyMovedThrough, storeCounterKey, visitDayKey, visitDayOf, writeTransaction, type HydraDb } from '../db';
import { appendJobLog, createJob, failJob, finishJob, growingStepSizer, keepingWorkerAlive, replaying, reportProgress, startJob } from '../jobs';
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
 * the same visits, stored elsewhere). With nothing left to move, clears the legacy store.
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
      // Everything is moved: the legacy store goes at once, around the counters and journal
      // middlewares (its visits are counted and indexed as chunks).
      Dexie.currentTransaction!.idbtrans.objectStore('visits').clear();
      await db.settings.delete(LEGACY_MOVED_SETTING);
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
      const started = performance.now();
      timing.wait += started - stepEnded;
      const inside = timing.read + timing.merge + timing.position;
      let next = cursor;
      // The job's cursor commits with each batch, and the job ends in the transaction that clears
      // the legacy store: no death between a batch and its cursor, nor a cleared store whose job
      // never finished (the jobs page would list the upgrade as failed or never done).
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
  running = keepingWorkerAlive(() => run(db, job, true)).finally(() => (running = null));
}

/**
 * At worker start, after job recovery: when legacy rows remain and no migration runs, starts one.
 * Resolves when the migration this call started (or found running here) ends.
 */
export async function startVisitMigration(db: HydraDb): Promise<string | null> {
  if (running) {
    await running;
    return null;
  }
  if (!(await legacyHolds(db))) return null;
  const active = await db.jobs.where('type').equals('visits_migrate').filter((job) => job.status === 'running' || job.status === 'queued').first();
  if (active) return null;
  const started = keepingWorkerAlive(() => startMigration(db));
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
