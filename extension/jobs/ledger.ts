/**
 * The jobs ledger core: every long operation is a row in `jobs` with status, progress, result,
 * error and a resume cursor. Only the background calls these (it is the only writer). A job's
 * state lives in the database, so a restarted service worker knows exactly what was running.
 */
import { ERRORS, type AppError } from '../../shared/errors';
import { newId } from '../../shared/ids';
import type { Job } from '../../shared/schemas/entities';
import type { JobType } from '../../shared/schemas/statuses';
import { onLiveConnection, type HydraDb } from '../db';

const LOG_TAIL_LINES = 50;

export interface NewJob {
  type: JobType;
  params?: unknown;
  total?: number | null;
  parentId?: string | null;
  relatedIds?: string[];
  origin?: Job['origin'];
}

/**
 * Jobs created by this service worker. A worker's start-up recovery runs after the commands that
 * woke it (background/main.ts), so a job one of them just created is already queued or running
 * when recovery looks: only jobs of an earlier worker are cut off.
 */
const createdHere = new Set<string>();

/** Whether this worker created the job (it is not a leftover of a dead worker). */
export function createdByThisWorker(jobId: string): boolean {
  return createdHere.has(jobId);
}

export async function createJob(db: HydraDb, spec: NewJob, now = Date.now()): Promise<Job> {
  const job: Job = {
    id: newId(),
    type: spec.type,
    status: 'queued',
    createdAt: now,
    startedAt: null,
    finishedAt: null,
    progress: { done: 0, total: spec.total ?? null, rate: null },
    params: spec.params ?? {},
    result: null,
    error: null,
    parentId: spec.parentId ?? null,
    relatedIds: spec.relatedIds ?? [],
    cursor: null,
    logTail: [],
    origin: spec.origin ?? 'extension',
  };
  // Known as this worker's before its row exists: recovery can never see the row first.
  createdHere.add(job.id);
  // Each single write below is safe to run again when the browser closed the connection under it.
  await onLiveConnection(db, () => db.jobs.add(job));
  return job;
}

export async function startJob(db: HydraDb, id: string, now = Date.now()): Promise<void> {
  await onLiveConnection(db, () => db.jobs.update(id, { status: 'running', startedAt: now }));
}

/**
 * Records progress (and optionally the resume cursor) in one write. `rate` is items per second
 * since the job started. Call it once per batch, not per item.
 */
export async function reportProgress(db: HydraDb, id: string, progress: { done: number; total?: number | null; cursor?: unknown }, now = Date.now()): Promise<void> {
  await db.jobs
    .where('id')
    .equals(id)
    .modify((job) => {
      const elapsed = job.startedAt === null ? 0 : (now - job.startedAt) / 1000;
      job.progress = {
        done: progress.done,
        total: progress.total === undefined ? job.progress.total : progress.total,
        rate: elapsed > 0 ? Math.round((progress.done / elapsed) * 10) / 10 : null,
      };
      if (progress.cursor !== undefined) job.cursor = progress.cursor;
    });
}

export async function appendJobLog(db: HydraDb, id: string, line: string, now = Date.now()): Promise<void> {
  await db.jobs
    .where('id')
    .equals(id)
    .modify((job) => {
      job.logTail = [...job.logTail, `${new Date(now).toISOString()} ${line}`].slice(-LOG_TAIL_LINES);
    });
}

export async function finishJob(db: HydraDb, id: string, result: unknown, now = Date.now()): Promise<void> {
  await onLiveConnection(db, () => db.jobs.update(id, { status: 'succeeded', finishedAt: now, result, cursor: null }));
}

const FAIL_RETRY_MS = 2_000;
const FAIL_RETRY_ATTEMPTS = 150;

/**
 * Marks a job failed (or cancelled). When the write itself fails — a full disk fails every write,
 * the job's own row included — it is tried again every 2 s for up to 5 minutes, so the job does not
 * stay "running" once space comes back (and a worker restart meanwhile marks it interrupted).
 * Given the job itself (not its id), a row that is gone is written back, failed with
 * DATABASE_RESET: the database was deleted under the job (Chromium deletes one it cannot read
 * after a full disk, and the next open starts it empty) or wiped. The Jobs page then says what
 * happened, and Retry starts the work again from its params.
 */
export async function failJob(db: HydraDb, target: string | Job, error: AppError, now = Date.now()): Promise<void> {
  const id = typeof target === 'string' ? target : target.id;
  const change = { status: error.code === 'CANCELLED' ? ('cancelled' as const) : ('failed' as const), finishedAt: now, error };
  for (let attempt = 1; ; attempt++) {
    try {
      await db.transaction('rw', db.jobs, async () => {
        if ((await db.jobs.update(id, change)) > 0 || typeof target === 'string') return;
        const lost: AppError = { code: 'DATABASE_RESET', message: ERRORS.DATABASE_RESET.message };
        await db.jobs.add({ ...target, ...change, error: error.code === 'CANCELLED' ? error : lost, cursor: null, result: null, progress: { done: 0, total: null, rate: null }, logTail: [] });
      });
      return;
    } catch (writeError) {
      if (attempt >= FAIL_RETRY_ATTEMPTS) throw writeError;
      if (attempt === 1) console.error(`[hydraflow] could not mark job ${id} ${change.status}; retrying`, writeError);
      await new Promise((resolve) => setTimeout(resolve, FAIL_RETRY_MS));
    }
  }
}

/** A function that picks a job up again after a restart, from its stored cursor. */
export type JobResumer = (job: Job) => void;

/** Worker deaths in a row at one cursor after which a job is failed, never resumed again. */
export const POISON_DEATHS = 2;

/** Worker deaths in a row at one cursor while the job only redid work done before it: also fails it (a replay never ends in endless restarts). */
export const REPLAY_DEATHS = 5;

/**
 * A resumed job redoes work done before its cursor (a deflate stream is inflated from its start
 * to reach a row): a death meanwhile is not the job's new work failing. Call before that work;
 * `replayed` once the job reaches its cursor and begins new work. A job whose steps each commit
 * their cursor (a privacy delete, the visit migration) marks its first step after a restart the
 * same way: a worker stopped again before that first commit (the restart itself takes most of a
 * short life) counts as a replay; the first commit moves the cursor past the mark.
 */
export async function replaying(db: HydraDb, id: string, cursor: unknown): Promise<void> {
  await db.jobs.update(id, { replaying: JSON.stringify(cursor) });
}

export async function replayed(db: HydraDb, id: string): Promise<void> {
  await db.jobs
    .where('id')
    .equals(id)
    .modify((job) => {
      delete job.replaying;
    });
}

/**
 * Run at every service-worker start: a job still marked queued/running was cut off by the
 * restart. Resume it when its type has a resumer and it kept a cursor; otherwise mark it failed
 * with JOB_INTERRUPTED. A job whose worker died twice in a row at the same cursor (nothing
 * committed in between: the job itself is what kills the worker) is failed with JOB_POISONED
 * instead of being run a third time; deaths while a resumed job only redid work done before its
 * cursor (`replaying`) count apart, up to REPLAY_DEATHS. No job is ever left "running" with nobody running it.
 */
export async function recoverInterruptedJobs(
  db: HydraDb,
  resumers: Partial<Record<JobType, JobResumer>>,
  { now = Date.now(), alive = () => false }: { now?: number; alive?: (jobId: string) => boolean } = {},
): Promise<{ resumed: string[]; interrupted: string[] }> {
  // `alive`: jobs of the running worker (the worker passes createdByThisWorker); they are not stale.
  const stale = (await db.jobs.where('status').anyOf('queued', 'running').toArray()).filter((job) => !alive(job.id));
  const resumed: string[] = [];
  const interrupted: string[] = [];
  for (const job of stale) {
    const resume = resumers[job.type];
    if (resume && job.cursor !== null) {
      // A job that killed its worker twice at the same cursor would kill every next worker too.
      // A death while it redid work done before its cursor counts apart (REPLAY_DEATHS).
      const at = JSON.stringify(job.cursor);
      const same = job.deaths?.at === at ? job.deaths : null;
      const replay = job.replaying === at;
      const deaths = { count: (same?.count ?? 0) + (replay ? 0 : 1), at, replays: (same?.replays ?? 0) + (replay ? 1 : 0) };
      if (deaths.count >= POISON_DEATHS || deaths.replays >= REPLAY_DEATHS) {
        interrupted.push(job.id);
        await db.jobs.update(job.id, { status: 'failed', finishedAt: now, deaths, error: { code: 'JOB_POISONED', message: ERRORS.JOB_POISONED.message } });
        continue;
      }
      await db.jobs.update(job.id, { deaths });
      resumed.push(job.id);
      await appendJobLog(db, job.id, 'resumed after a service-worker restart', now);
      resume({ ...job, deaths });
    } else {
      interrupted.push(job.id);
      await db.jobs.update(job.id, {
        status: 'failed',
        finishedAt: now,
        error: { code: 'JOB_INTERRUPTED', message: 'Interrupted by a service-worker or browser restart; start it again to finish.' },
      });
    }
  }
  return { resumed, interrupted };
}
