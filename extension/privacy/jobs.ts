/** The privacy capability's job types: a history delete (resumable: it is idempotent) and a retention run. */
import { z } from 'zod';
import { historyFilter } from '../../shared/commands/privacy';
import type { HydraDb } from '../db';
import type { HostConnection } from '../host';
import { defineJobType, replaying, type JobTypeRegistration } from '../jobs';
import { runDeleteJob, startDeleteJob } from './handlers';
import { runRetention } from './retention';

export function privacyJobTypes(db: HydraDb, host: HostConnection | null): JobTypeRegistration[] {
  return [
    defineJobType('privacy_delete', {
      params: historyFilter,
      retry: async (params) => (await startDeleteJob(db, params)).jobId,
      // A worker stopped before the resumed delete commits its first step is not the delete
      // killing it: that step counts as replay (the poison rule, extension/jobs/ledger.ts).
      resume: (job) =>
        void replaying(db, job.id, job.cursor)
          .then(() => runDeleteJob(db, job))
          .catch((error: unknown) => console.error('[hydraflow] resumed delete failed', error)),
    }),
    // A retry runs the rules as they are now; the params only record the rules the job ran with.
    defineJobType('prune', { params: z.unknown(), retry: async () => (await runRetention(db, host)).jobId }),
  ];
}
