/**
 * Starting, deduplicating and cancelling refresh jobs. The dedupe check and the job's creation
 * happen in one database transaction, so two identical requests racing each other still make one
 * job. Runs are tracked in worker memory only to cancel them; the job row is the truth.
 */
import { z } from 'zod';
import type { RefreshParams } from '../../shared/commands/refresh';
import { normalizeScope } from '../../shared/refresh/scope';
import type { Job } from '../../shared/schemas/entities';
import type { HydraDb } from '../db';
import { createdByThisWorker, createJob } from '../jobs';
import { getThread } from '../threads/store';
import { runRefresh, type RefreshDeps, type RefreshJobParams } from './runner';

const running = new Map<string, AbortController>();

const jobKey = z.lazy(() => z.object({ key: z.string() }));

function keyOf(job: Job): string | null {
  const params = jobKey.safeParse(job.params);
  return params.success ? params.data.key : null;
}

/** Creates a refresh job (or returns the queued/running one with the same normalized scope) and runs it. */
export async function startRefresh(db: HydraDb, params: RefreshParams, deps: () => RefreshDeps, now = Date.now()): Promise<{ jobId: string; deduplicated: boolean }> {
  const { scope, key } = normalizeScope(params.scope);
  if (scope.kind === 'thread') await getThread(db, scope.threadId);
  if (params.threadId !== undefined) await getThread(db, params.threadId);
  const jobParams: RefreshJobParams = { ...params, scope, key };
  const { job, deduplicated } = await db.transaction('rw', db.jobs, async () => {
    const active = await db.jobs
      .where('status')
      .anyOf('queued', 'running')
      // Only a job of this worker runs: one of a dead worker waits for start-up recovery to mark it interrupted.
      .filter((j) => j.type === 'page_refresh' && keyOf(j) === key && createdByThisWorker(j.id))
      .first();
    if (active) return { job: active, deduplicated: true };
    return { job: await createJob(db, { type: 'page_refresh', params: jobParams, total: null }, now), deduplicated: false };
  });
  if (!deduplicated) {
    const controller = new AbortController();
    running.set(job.id, controller);
    const runDeps = deps();
    void runRefresh(db, job.id, jobParams, runDeps, controller.signal)
      .catch(() => undefined) // the job row carries the error
      .finally(() => {
        running.delete(job.id);
        runDeps.release?.();
      });
  }
  return { jobId: job.id, deduplicated };
}

/** Stops a run of this worker; false when no run here has that id. */
export function cancelRefresh(jobId: string): boolean {
  const controller = running.get(jobId);
  if (!controller) return false;
  controller.abort();
  return true;
}

/** True while at least one refresh runs in this worker (the offscreen document stays open). */
export function refreshRunning(): boolean {
  return running.size > 0;
}
