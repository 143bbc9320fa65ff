/** privacy.* commands. A history delete is a `privacy_delete` job whose cursor is its filter, so it resumes. */
import { historyFilter, type HistoryFilter } from '../../shared/commands/privacy';
import { toAppError } from '../../shared/errors';
import type { Job } from '../../shared/schemas/entities';
import type { CommandHandlers } from '../commands/router';
import type { HydraDb } from '../db';
import type { HostConnection } from '../host';
import { createJob, failJob, finishJob, startJob } from '../jobs';
import { deleteHistory, resolveFilter } from './delete';
import { getRetention, lastRetentionRun, runRetention, setRetention } from './retention';
import { forgetTab, wipeAll } from './wipe';

type PrivacyHandlers = Pick<CommandHandlers, 'privacy.deleteHistory' | 'privacy.forgetTab' | 'privacy.wipe' | 'privacy.getRetention' | 'privacy.setRetention' | 'privacy.runRetention'>;

/** Runs (or re-runs: a delete is idempotent) a history delete job from its stored filter. */
export async function runDeleteJob(db: HydraDb, job: Pick<Job, 'id' | 'cursor'>) {
  const filter = resolveFilter(historyFilter.parse(job.cursor));
  try {
    const deleted = await deleteHistory(db, filter);
    await finishJob(db, job.id, deleted);
    return deleted;
  } catch (error) {
    await failJob(db, job.id, toAppError(error));
    throw error;
  }
}

export async function startDeleteJob(db: HydraDb, params: HistoryFilter): Promise<{ jobId: string; deleted: Awaited<ReturnType<typeof deleteHistory>> }> {
  resolveFilter(params); // refuse a bad filter before a job exists
  const job = await createJob(db, { type: 'privacy_delete', params, total: null });
  await db.jobs.update(job.id, { cursor: params });
  await startJob(db, job.id);
  return { jobId: job.id, deleted: await runDeleteJob(db, { id: job.id, cursor: params }) };
}

export function privacyCommandHandlers(db: HydraDb, host: HostConnection | null): PrivacyHandlers {
  return {
    'privacy.deleteHistory': (params) => startDeleteJob(db, params),
    'privacy.forgetTab': ({ tabId }) => forgetTab(db, tabId),
    'privacy.wipe': ({ confirm, host: includeHost }) => wipeAll(db, host, confirm, includeHost),
    'privacy.getRetention': async () => ({ settings: await getRetention(db), lastRun: await lastRetentionRun(db) }),
    'privacy.setRetention': async ({ settings }) => ({ settings: await setRetention(db, settings) }),
    'privacy.runRetention': () => runRetention(db, host),
  };
}
