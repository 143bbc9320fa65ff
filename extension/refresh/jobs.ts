/** The refresh capability's job type: `page_refresh` (docs/refresh.md). */
import { refreshParams } from '../../shared/commands/refresh';
import type { HydraDb } from '../db';
import { defineJobType, type JobTypeRegistration } from '../jobs';
import { workerRefreshDeps } from './handlers';
import { cancelRefresh, startRefresh } from './start';

export function refreshJobTypes(db: HydraDb, reindex: () => Promise<unknown>): JobTypeRegistration[] {
  return [
    defineJobType('page_refresh', {
      params: refreshParams,
      cancel: (job) => cancelRefresh(job.id),
      retry: async (params) => (await startRefresh(db, params, () => workerRefreshDeps(reindex))).jobId,
    }),
  ];
}
