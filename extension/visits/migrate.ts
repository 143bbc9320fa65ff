/**
 * The `visits_migrate` job: moves the one-row-per-visit `visits` store of versions 1–4 into
 * `visitChunks` (migration 5 added the store; an upgrade cannot report progress or resume, so the
 * move runs here, after the database opened). Each batch is one transaction that reads the oldest
 * legacy rows, merges them into their chunks, deletes them from `visits` and stores the job's
 * progress: the legacy store itself is the cursor, so a worker killed at any point loses and
 * doubles nothing — a batch is either fully moved or not at all, and the next run starts with the
 * rows still there. Readers see both stores meanwhile (store.ts).
 */
import Dexie from 'dexie';
import { z } from 'zod';
import { toAppError } from '../../shared/errors';
import type { Job } from '../../shared/schemas/entities';
import { addToCounters, storeCounterKey, visitDayKey, visitDayOf, writeTransaction, type HydraDb } from '../db';
import { appendJobLog, createJob, failJob, finishJob, reportProgress, startJob, stepSizer } from '../jobs';
import { legacyHolds, mergeVisits, visitDeletesIdle, visitTables } from './store';

/** Legacy rows moved per transaction. */
export const MIGRATE_BATCH = 10_000;

export const migrateParams = z.lazy(() => z.object({}));
/** `after`: the newest time a committed batch moved (a hint: every row left is at or after it). */
const migrateCursor = z.lazy(() => z.object({ moved: z.number().int(), total: z.number().int(), after: z.number().optional() }));
type MigrateCursor = z.infer<typeof migrateCursor>;

/** Whether this worker runs the migration now (one runner per worker). */
let running: Promise<void> | null = null;

/**
 * One batch: the oldest legacy rows move into chunks. A row whose visit the chunks already hold
 * (stored twice, once in each layout) goes without adding; its count goes with it. The moved visits
 * keep their search documents (nothing to journal: the same visits, stored elsewhere).
 */
export async function migrateBatch(db: HydraDb, size = MIGRATE_BATCH, after = -Infinity): Promise<{ moved: number; dropped: number; lastAt: number }> {
  return writeTransaction(db, visitTables(db), async () => {
    // From `after` on: Chromium leaves a deleted row's index entries behind until compaction, so a
    // scan from the start would step over every row already moved (quadratic over the migration).
    // Rows before it are all moved (batches take the oldest rows); a stale `after` only costs time.
    const rows = await db.visits.where('visitedAt').aboveOrEqual(after).limit(size).toArray();
    if (rows.length === 0) return { moved: 0, dropped: 0, lastAt: after };
    const fresh = new Set((await mergeVisits(db, rows, false)).map((visit) => visit.id));
    // Around the counters and journal middlewares: these visits stay stored (in chunks). A failed
    // delete aborts the transaction, which writeTransaction reports; no promise per row.
    const legacy = Dexie.currentTransaction!.idbtrans.objectStore('visits');
    for (const row of rows) legacy.delete(row.id);
    const dropped = rows.filter((row) => !fresh.has(row.id));
    if (dropped.length) {
      const deltas = new Map<string, number>([[storeCounterKey('visits'), -dropped.length]]);
      for (const row of dropped) deltas.set(visitDayKey(visitDayOf(row.visitedAt)), (deltas.get(visitDayKey(visitDayOf(row.visitedAt))) ?? 0) - 1);
      await addToCounters(db, deltas);
    }
    return { moved: rows.length, dropped: dropped.length, lastAt: rows[rows.length - 1]!.visitedAt };
  });
}

async function run(db: HydraDb, job: Job): Promise<void> {
  try {
    let cursor: MigrateCursor = migrateCursor.parse(job.cursor);
    // Steps of about STEP_MS, up to MIGRATE_BATCH rows: a restarted worker commits its first step
    // within moments (the poison rule), and a privacy delete never waits long behind one.
    const sizer = stepSizer(250, MIGRATE_BATCH);
    for (;;) {
      await visitDeletesIdle();
      const started = performance.now();
      let batch = await migrateBatch(db, sizer.size, cursor.after ?? -Infinity);
      sizer.took(performance.now() - started);
      // Nothing at or after the hint: make sure nothing is left before it either.
      if (batch.moved === 0 && cursor.after !== undefined) batch = await migrateBatch(db);
      const { moved, lastAt } = batch;
      if (moved === 0) break;
      cursor = { moved: cursor.moved + moved, total: Math.max(cursor.total, cursor.moved + moved), after: lastAt };
      await reportProgress(db, job.id, { done: cursor.moved, total: cursor.total, cursor });
    }
    await appendJobLog(db, job.id, `done: moved ${cursor.moved} visits into chunks`);
    await finishJob(db, job.id, { moved: cursor.moved });
  } catch (error) {
    await failJob(db, job.id, toAppError(error));
  }
}

/** The resumer: continues a migration a dead worker left (the legacy rows still there are the work left). */
export function resumeVisitMigration(db: HydraDb, job: Job): void {
  if (running) return;
  running = run(db, job).finally(() => (running = null));
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
  const job = await createJob(db, { type: 'visits_migrate', params: {} });
  const total = await db.visits.count();
  const cursor: MigrateCursor = { moved: 0, total };
  await db.jobs.update(job.id, { cursor });
  await startJob(db, job.id);
  await reportProgress(db, job.id, { done: 0, total, cursor });
  await appendJobLog(db, job.id, `moving ${total} visits into chunks`);
  running = run(db, { ...job, cursor, status: 'running' }).finally(() => (running = null));
  await running;
  return job.id;
}
