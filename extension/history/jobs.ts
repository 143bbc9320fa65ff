/** The history capability's job type: `history_import` (docs/history.md). */
import { CodedError } from '../../shared/errors';
import type { HydraDb } from '../db';
import { defineJobType, type JobTypeRegistration } from '../jobs';
import { cancelImport, importParams, resumeHistoryImport, startHostImport, type HistoryHost } from './import';

export function historyJobTypes(db: HydraDb, host: HistoryHost): JobTypeRegistration[] {
  return [
    defineJobType('history_import', {
      params: importParams,
      cancel: (job) => cancelImport(db, job.id),
      retry: async (params) => {
        if (params.kind !== 'host') throw new CodedError('JOB_NOT_RETRYABLE', 'A Takeout import keeps no copy of its file: drop the file again');
        return startHostImport(db, host, params.target, params.full);
      },
      resume: (job) => resumeHistoryImport(db, host, job),
    }),
  ];
}
