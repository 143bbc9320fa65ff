/** The jobs ledger's commands (shared/commands/jobs.ts) over extension/jobs/control.ts. */
import type { CommandHandlers } from '../commands/router';
import type { HydraDb } from '../db';
import { cancelJob, getJob, listJobs, pruneJobs, retryJob, type JobControls } from './control';

export function jobCommandHandlers(db: HydraDb, controls: JobControls): Pick<CommandHandlers, 'jobs.list' | 'jobs.get' | 'jobs.cancel' | 'jobs.retry' | 'jobs.prune'> {
  return {
    'jobs.list': (filter) => listJobs(db, filter),
    'jobs.get': async ({ jobId }) => ({ job: await getJob(db, jobId) }),
    'jobs.cancel': async ({ jobId }) => ({ cancelled: await cancelJob(db, controls, jobId) }),
    'jobs.retry': async ({ jobId }) => ({ jobId: await retryJob(db, controls, jobId) }),
    'jobs.prune': ({ statuses, olderThanDays }) => pruneJobs(db, statuses, olderThanDays),
  };
}
