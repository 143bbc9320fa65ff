/**
 * privacy.* commands. A history delete is a `privacy_delete` job: its params are the filter, its
 * cursor where the visit delete stands (committed with each batch), so a resumed delete continues
 * where the dead worker's last batch ended and the poison rule sees every batch as progress.
 */
import { z } from 'zod';
import { historyFilter, type HistoryFilter } from '../../shared/commands/privacy';
import { toAppError } from '../../shared/errors';
import type { Job } from '../../shared/schemas/entities';
import type { CommandHandlers } from '../commands/router';
import type { HydraDb } from '../db';
import type { HostConnection } from '../host';
import { appendJobLog, createJob, failJob, finishJob, reportProgress, startJob } from '../jobs';
import { DELETE_START, type DeleteTiming, type VisitDeleteCursor } from '../visits';
import { countHistory, deleteHistory, resolveFilter } from './delete';
import { getRetention, lastRetentionRun, runRetention, setRetention } from './retention';
import { forgetTab, wipeAll } from './wipe';

type PrivacyHandlers = Pick<CommandHandlers, 'privacy.deleteHistory' | 'privacy.countHistory' | 'privacy.forgetTab' | 'privacy.wipe' | 'privacy.getRetention' | 'privacy.setRetention' | 'privacy.runRetention'>;

const deleteCursor = z.lazy(() =>
  z.object({ visits: z.object({ phase: z.enum(['legacy', 'chunks']), after: z.number().nullable(), deleted: z.number().int().nonnegative(), swept: z.number().int().nonnegative().optional() }) }),
);

/**
 * Where a delete job stands. A job of an earlier version kept its filter as its cursor: it starts
 * over (a delete is idempotent).
 */
function visitCursor(cursor: unknown): VisitDeleteCursor {
  const parsed = deleteCursor.safeParse(cursor);
  return parsed.success ? parsed.data.visits : DELETE_START;
}

/** Runs a history delete job from its params (the filter) and its cursor, saving the cursor with each visit batch. */
export async function runDeleteJob(db: HydraDb, job: Pick<Job, 'id' | 'params' | 'cursor'>) {
  try {
    const filter = resolveFilter(historyFilter.parse(job.params));
    const from = visitCursor(job.cursor);
    const timing: DeleteTiming = { steps: 0, query: 0, wait: 0, legacy: 0, read: 0, cut: 0, write: 0, index: 0, counters: 0, journal: 0, observers: 0, save: 0, commit: 0 };
    const started = Date.now();
    const deleted = await deleteHistory(db, filter, {
      from,
      timing,
      progress: { tables: [db.jobs], save: (visits) => reportProgress(db, job.id, { done: visits.deleted, cursor: { visits } }) },
    });
    await appendJobLog(db, job.id, `visits: ${deleted.visits - from.deleted} deleted here in ${timing.steps} steps; the whole delete took ${Date.now() - started} ms (${Object.entries(timing).filter(([k]) => k !== 'steps').map(([k, v]) => `${k} ${Math.round(v)}`).join(', ')})`);
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
  const cursor = { visits: DELETE_START };
  await db.jobs.update(job.id, { cursor });
  await startJob(db, job.id);
  return { jobId: job.id, deleted: await runDeleteJob(db, { id: job.id, params, cursor }) };
}

export function privacyCommandHandlers(db: HydraDb, host: HostConnection | null): PrivacyHandlers {
  return {
    'privacy.deleteHistory': (params) => startDeleteJob(db, params),
    'privacy.countHistory': (params) => countHistory(db, resolveFilter(params)),
    'privacy.forgetTab': ({ tabId }) => forgetTab(db, tabId),
    'privacy.wipe': ({ confirm, host: includeHost }) => wipeAll(db, host, confirm, includeHost),
    'privacy.getRetention': async () => ({ settings: await getRetention(db), lastRun: await lastRetentionRun(db) }),
    'privacy.setRetention': async ({ settings }) => ({ settings: await setRetention(db, settings) }),
    'privacy.runRetention': () => runRetention(db, host),
  };
}
