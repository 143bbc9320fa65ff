/** The visits capability's job type: `visits_migrate` (docs/history.md, docs/adr/0006-visit-chunks.md). */
import type { HydraDb } from '../db';
import { defineJobType, type JobTypeRegistration } from '../jobs';
import { migrateParams, resumeVisitMigration } from './migrate';

export function visitJobTypes(db: HydraDb): JobTypeRegistration[] {
  return [
    defineJobType('visits_migrate', {
      params: migrateParams,
      resume: (job) => resumeVisitMigration(db, job),
    }),
  ];
}
