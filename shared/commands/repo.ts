/**
 * Repo tools commands (UI → background). Apply, revert and check runs are jobs in the jobs
 * ledger; a check returns its job id at once and its live output accumulates in the job row.
 */
import { z } from 'zod';
import { applyResult, ledgerEntryView, MAX_PATCH_CHARS, repoSummary, type CheckRunResult } from '../protocol/repo';
import { defineCommand, OWN_PAGES } from './define';

const repoId = z.lazy(() => z.string().min(1).max(64));

/** What a running check job keeps in `job.result` while it runs (the tail of its output). */
export const checkJobLive = z.lazy(() => z.object({ live: z.literal(true), output: z.string(), outputChars: z.number().int() }));
/** Live output kept in the job row (the host keeps the full capped output for the final result). */
export const CHECK_LIVE_OUTPUT_CHARS = 256 * 1024;

export const repoCommands = {
  'repo.list': defineCommand({
    callers: OWN_PAGES,
    summary: 'Repositories registered in the host config.',
    params: () => z.object({}),
    result: () => z.object({ repos: z.array(repoSummary) }),
  }),
  'repo.preview': defineCommand({
    callers: OWN_PAGES,
    summary: 'Dry run: diffstat and budget use of a patch, or the code it is refused with; with the one-time token repo.apply needs (bound to this repository and patch, 15 minutes).',
    params: () => z.object({ repoId, patch: z.string().min(1).max(MAX_PATCH_CHARS) }),
    result: () => applyResult.unwrap().extend({ approvalToken: z.string() }),
  }),
  'repo.apply': defineCommand({
    callers: OWN_PAGES,
    summary: 'Applies a patch after the user approved it (a patch_apply job); needs the approval token of its preview, once (APPROVAL_REQUIRED).',
    params: () => z.object({ repoId, patch: z.string().min(1).max(MAX_PATCH_CHARS), approvalToken: z.string().max(128).optional() }),
    result: () => z.object({ jobId: z.string(), apply: applyResult }),
  }),
  'repo.revert': defineCommand({
    callers: OWN_PAGES,
    summary: 'Reverts a change from the ledger (a patch_revert job).',
    params: () => z.object({ repoId, changeId: z.string().min(1).max(64) }),
    result: () => z.object({ jobId: z.string(), entry: ledgerEntryView }),
  }),
  'repo.ledger': defineCommand({
    callers: OWN_PAGES,
    summary: 'The change ledger of a repository, newest first.',
    params: () => z.object({ repoId }),
    result: () => z.object({ entries: z.array(ledgerEntryView) }),
  }),
  'repo.check': defineCommand({
    callers: OWN_PAGES,
    summary: 'Starts a registered check (a check_run job); returns the job id; output streams into the job row.',
    params: () => z.object({ repoId, checkId: z.string().min(1).max(64) }),
    result: () => z.object({ jobId: z.string() }),
  }),
  'repo.cancelCheck': defineCommand({
    callers: OWN_PAGES,
    summary: 'Stops a running check job: the host kills its whole process group; the job ends cancelled.',
    params: () => z.object({ jobId: z.string().min(1).max(64) }),
    result: () => z.object({ cancelled: z.boolean() }),
  }),
};

export type CheckJobResult = CheckRunResult;
