/** The sync capability's job type: resumable (the run continues from its checkpoint and outbox). */
import { z } from 'zod';
import type { HydraDb } from '../db';
import { defineJobType, type JobTypeRegistration } from '../jobs';
import { cancelSync, resumeSync, startSync } from './service';

export function syncJobTypes(db: HydraDb): JobTypeRegistration[] {
  return [
    defineJobType('sync', {
      params: z.object({}),
      cancel: (job) => cancelSync(job.id),
      retry: () => startSync(db),
      resume: (job) => resumeSync(db, job),
    }),
  ];
}
