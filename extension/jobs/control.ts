/**
 * Cancel, retry and prune over the whole ledger. Each capability tells the ledger how to stop and
 * how to restart its own job types (`JobControls`); the ledger handles the rest the same way for
 * every type: a queued job, or a running one that nobody runs any more (its worker died), is
 * marked cancelled directly; a finished job cannot be cancelled; only failed or cancelled jobs are
 * retried, as a new job whose `relatedIds` name the old one.
 */
import { CodedError } from '../../shared/errors';
import type { JobFilter } from '../../shared/commands/jobs';
import type { Job } from '../../shared/schemas/entities';
import type { JobStatus, JobType } from '../../shared/schemas/statuses';
import { onLiveConnection, type HydraDb } from '../db';
import { failJob } from './ledger';
import { DAY_MS } from '../../shared/time';

export interface JobControl {
  /** Stops the job if this worker runs it; false when nothing here runs it. */
  cancel?: (job: Job) => Promise<boolean> | boolean;
  /** Starts the same work again; returns the new job's id. Throws JOB_NOT_RETRYABLE when the input is gone. */
  retry?: (job: Job) => Promise<string>;
}
export type JobControls = Partial<Record<JobType, JobControl>>;

export async function listJobs(db: HydraDb, filter: Required<Pick<JobFilter, 'limit'>> & Omit<JobFilter, 'limit'>): Promise<{ jobs: Job[]; matched: number }> {
  const statuses = filter.statuses && new Set<JobStatus>(filter.statuses);
  const types = filter.types && new Set<JobType>(filter.types);
  const matches = (job: Job) => (!statuses || statuses.has(job.status)) && (!types || types.has(job.type));
  const from = filter.from ?? -Infinity;
  const to = filter.to ?? Infinity;
  const jobs: Job[] = [];
  let matched = 0;
  // The createdAt index bounds the scan; statuses and types are few, filtered as the rows pass.
  await db.jobs
    .where('createdAt')
    .between(from, to, true, false)
    .reverse()
    .each((job) => {
      if (!matches(job)) return;
      matched++;
      if (jobs.length < filter.limit) jobs.push(job);
    });
  return { jobs, matched };
}

export async function getJob(db: HydraDb, jobId: string): Promise<Job> {
  const job = await onLiveConnection(db, () => db.jobs.get(jobId));
  if (!job) throw new CodedError('JOB_NOT_FOUND', `No job ${jobId}`);
  return job;
}

export async function cancelJob(db: HydraDb, controls: JobControls, jobId: string): Promise<boolean> {
  const job = await getJob(db, jobId);
  if (job.status !== 'queued' && job.status !== 'running') throw new CodedError('JOB_NOT_CANCELLABLE', `Job ${jobId} is already ${job.status}`);
  const control = controls[job.type];
  if (control?.cancel && (await control.cancel(job))) return true;
  if (job.status === 'running' && !control?.cancel) throw new CodedError('JOB_NOT_CANCELLABLE', `A running ${job.type} job cannot be stopped midway`);
  // Nobody in this worker runs it (queued, or left by a dead worker): it ends here.
  await failJob(db, jobId, { code: 'CANCELLED', message: 'Cancelled' });
  return true;
}

export async function retryJob(db: HydraDb, controls: JobControls, jobId: string): Promise<string> {
  const job = await getJob(db, jobId);
  if (job.status !== 'failed' && job.status !== 'cancelled') throw new CodedError('JOB_NOT_RETRYABLE', `Job ${jobId} is ${job.status}; only failed or cancelled jobs are retried`);
  const retry = controls[job.type]?.retry;
  if (!retry) throw new CodedError('JOB_NOT_RETRYABLE', `A ${job.type} job keeps no input to run again; start it anew`);
  const newId = await retry(job);
  await onLiveConnection(db, () => db.transaction('rw', db.jobs, async () => {
    await db.jobs.update(newId, { relatedIds: [...new Set([...((await db.jobs.get(newId))?.relatedIds ?? []), job.id])] });
  }));
  return newId;
}

/**
 * Removes jobs of `statuses` that finished more than `olderThanDays` ago. Queued and running jobs
 * are never removed (they have no finish time, and the statuses allowed exclude them).
 */
export async function pruneJobs(db: HydraDb, statuses: readonly JobStatus[], olderThanDays: number, now = Date.now()): Promise<{ removed: number; byStatus: Record<string, number>; before: number; after: number }> {
  const cutoff = now - olderThanDays * DAY_MS;
  return db.transaction('rw', db.jobs, async () => {
    const before = await db.jobs.count();
    const byStatus: Record<string, number> = {};
    let removed = 0;
    for (const status of statuses) {
      if (status === 'queued' || status === 'running') continue;
      const keys = await db.jobs.where('[status+finishedAt]').between([status, -Infinity], [status, cutoff], true, false).primaryKeys();
      await db.jobs.bulkDelete(keys);
      byStatus[status] = keys.length;
      removed += keys.length;
    }
    return { removed, byStatus, before, after: await db.jobs.count() };
  });
}
