/**
 * The repo capability's job types (docs/repo.md). A patch apply or revert finishes within its
 * command: it can be neither stopped nor retried. A check run is stopped and started again
 * through the repo commands.
 */
import { z } from 'zod';
import { repoCommands } from '../../shared/commands/repo';
import { id } from '../../shared/schemas/entities';
import { defineJobType, type JobTypeRegistration } from '../jobs';
import type { RepoHandlers } from './handlers';

export function repoJobTypes(repo: RepoHandlers): JobTypeRegistration[] {
  return [
    defineJobType('patch_apply', { params: z.object({ repoId: id, patchChars: z.number().int(), patchSha256: z.string() }) }),
    defineJobType('patch_revert', { params: z.object({ repoId: id, changeId: z.string() }) }),
    defineJobType('check_run', {
      params: repoCommands['repo.check'].params,
      cancel: async (job) => (await repo['repo.cancelCheck']({ jobId: job.id }, { senderTabId: null })).cancelled,
      retry: async (params) => (await repo['repo.check'](params, { senderTabId: null })).jobId,
    }),
  ];
}
