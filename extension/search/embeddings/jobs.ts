/** The embeddings job type: `embed`, resumable from its cursor; a retry embeds with the current settings. */
import type { HydraDb } from '../../db';
import { defineJobType, type JobTypeRegistration } from '../../jobs';
import { cancelEmbedJob, embedParams, resumeEmbedJob, startEmbedJob, type EmbedJobOptions } from './job';

export function embeddingJobTypes(db: HydraDb, options: EmbedJobOptions = {}): JobTypeRegistration[] {
  return [
    defineJobType('embed', {
      params: embedParams,
      cancel: (job) => cancelEmbedJob(job.id),
      retry: async () => (await startEmbedJob(db, options)).jobId,
      resume: (job) => void resumeEmbedJob(db, job, options),
    }),
  ];
}
