/** The search capability's index maintenance job types (docs/search.md); `embed` is registered by search/embeddings. */
import { z } from 'zod';
import { defineJobType, type JobTypeRegistration } from '../jobs';
import type { Indexer } from './indexer';

export function searchJobTypes(indexer: Indexer): JobTypeRegistration[] {
  return [
    // A rebuild and a compaction read no params.
    defineJobType('index_rebuild', { params: z.unknown(), cancel: (job) => indexer.cancel(job.id), retry: async () => (await indexer.startJob('index_rebuild')).jobId }),
    defineJobType('index_verify', {
      params: z.object({ repair: z.boolean().optional() }),
      cancel: (job) => indexer.cancel(job.id),
      retry: async (params) => (await indexer.startJob('index_verify', params)).jobId,
    }),
    defineJobType('index_compact', { params: z.unknown(), retry: async () => (await indexer.startJob('index_compact')).jobId }),
  ];
}
