/**
 * Repo tools methods. The extension names a repository id and a check id only: roots, budgets
 * and argv live in the host's config file. Patches travel as text; the host parses them.
 */
import { z } from 'zod';
import { defineMethod } from './define';

const entityId = z.lazy(() => z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/));
const changeId = z.lazy(() => z.string().regex(/^[a-z0-9]{1,16}-[0-9a-f]{8}$/));

export const repoBudgets = z.lazy(() => z.object({ maxFiles: z.number().int(), maxLines: z.number().int(), maxBytes: z.number().int() }));

export const repoSummary = z.lazy(() => z.object({ id: z.string(), root: z.string(), budgets: repoBudgets, checks: z.array(z.string()) }));
export type RepoSummary = z.infer<typeof repoSummary>;

export const diffstatItem = z.lazy(() => z.object({
  path: z.string(),
  movePath: z.string().nullable(),
  op: z.enum(['create', 'modify', 'delete', 'rename']),
  linesAdded: z.number().int().nonnegative(),
  linesRemoved: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
}));
export type DiffstatItem = z.infer<typeof diffstatItem>;

export const applyResult = z.lazy(() => z.object({
  changeId: z.string().nullable(),
  dryRun: z.boolean(),
  files: z.number().int().nonnegative(),
  linesAdded: z.number().int().nonnegative(),
  linesRemoved: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
  diffstat: z.array(diffstatItem),
  budgets: repoBudgets,
  /** SHA-256 of the patch text's UTF-8 bytes: an apply may name a previewed patch by it. */
  patchSha256: z.string(),
}));
export type ApplyResult = z.infer<typeof applyResult>;

export const ledgerFileView = z.lazy(() => z.object({
  path: z.string(),
  op: z.enum(['create', 'modify', 'delete']),
  beforeSha256: z.string().nullable(),
  afterSha256: z.string().nullable(),
  linesAdded: z.number().int(),
  linesRemoved: z.number().int(),
  bytes: z.number().int(),
}));

export const ledgerEntryView = z.lazy(() => z.object({
  changeId: z.string(),
  repoId: z.string(),
  kind: z.enum(['apply', 'revert']),
  revertOf: z.string().nullable(),
  revertedBy: z.string().nullable(),
  appliedAt: z.number(),
  files: z.array(ledgerFileView),
  linesAdded: z.number().int(),
  linesRemoved: z.number().int(),
  bytes: z.number().int(),
}));
export type LedgerEntryView = z.infer<typeof ledgerEntryView>;

export const checkResult = z.lazy(() => z.object({
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  timedOut: z.boolean(),
  durationMs: z.number().nonnegative(),
  output: z.string(),
  truncated: z.boolean(),
  outputBytes: z.number().int().nonnegative(),
}));
export type CheckRunResult = z.infer<typeof checkResult>;

/** Largest patch text the extension may send (the host re-checks after parsing, with budgets). */
export const MAX_PATCH_CHARS = 16 * 1_048_576;

/**
 * `repo.apply` takes the patch as text, or as the SHA-256 of a text this host process parsed
 * (its preview): the apply the user approves after reading the preview then carries 64
 * characters instead of the whole patch again, and is bound to exactly the previewed bytes.
 */
const applyParams = z.lazy(() => z
  .object({
    repoId: entityId,
    patch: z.string().min(1).max(MAX_PATCH_CHARS).optional(),
    patchSha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
    dryRun: z.boolean().default(false),
  })
  .refine((params) => (params.patch === undefined) !== (params.patchSha256 === undefined), { message: 'Give exactly one of patch and patchSha256' }));

export const repoMethods = {
  'repo.list': defineMethod({
    summary: 'Registered repositories with their budgets and check ids.',
    params: () => z.object({}),
    result: () => z.object({ repos: z.array(repoSummary) }),
  }),
  'repo.apply': defineMethod({
    summary: 'Applies a patch (its text, or the patchSha256 of one this host previewed) all-or-nothing under the repository budgets (or, with dryRun, only reports the diffstat and budget use).',
    params: () => applyParams,
    result: () => applyResult,
  }),
  'repo.revert': defineMethod({
    summary: 'Restores the pre-images of a change; refused when a file changed since.',
    params: () => z.object({ repoId: entityId, changeId }),
    result: () => ledgerEntryView,
  }),
  'repo.ledger': defineMethod({
    summary: 'The change ledger of a repository, oldest first.',
    params: () => z.object({ repoId: entityId }),
    result: () => z.object({ entries: z.array(ledgerEntryView) }),
  }),
  'repo.check': defineMethod({
    summary: 'Runs a registered check by id; streams `output` events; result has exit code, signal, duration, timedOut, truncated.',
    params: () => z.object({ repoId: entityId, checkId: entityId }),
    result: () => checkResult,
    events: () => ({ output: z.object({ text: z.string() }) }),
  }),
};
