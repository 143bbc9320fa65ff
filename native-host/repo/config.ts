/**
 * The host's repository config (`config.json`): registered repositories, their budgets and their
 * checks. Parsed with zod on every read (it is a trust boundary: a user or a tool may have edited
 * it). The extension only ever names a repo id and a check id; paths and argv live here only.
 */
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute } from 'node:path';
import { z } from 'zod';
import { CodedError } from '../../shared/errors';
import { ensurePrivateDir, writePrivateFile } from '../core/private-files';
import { DEFAULT_BUDGETS } from './core/budget';

export const idPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const repoIdSchema = z.lazy(() => z.string().regex(idPattern, 'ids are 1–64 characters: letters, digits, ".", "_", "-"'));

export const checkConfig = z.lazy(() => z.object({
  argv: z.array(z.string().min(1)).min(1),
  timeoutSec: z.number().positive().max(86_400).default(600),
  /** Output kept per run (head + tail); the rest is dropped and marked. */
  maxOutputBytes: z.number().int().min(1024).max(64 * 1_048_576).default(1_048_576),
}));

export const repoConfig = z.lazy(() => z.object({
  root: z.string().refine((p) => isAbsolute(p), 'root must be an absolute path'),
  budgets: z
    .object({
      maxFiles: z.number().int().positive().default(DEFAULT_BUDGETS.maxFiles),
      maxLines: z.number().int().positive().default(DEFAULT_BUDGETS.maxLines),
      maxBytes: z.number().int().positive().default(DEFAULT_BUDGETS.maxBytes),
    })
    .default(DEFAULT_BUDGETS),
  checks: z.record(repoIdSchema, checkConfig).default({}),
}));

export const hostConfig = z.lazy(() => z.looseObject({
  repos: z.record(repoIdSchema, repoConfig).default({}),
  /** Folders the user allowed with `hydraflow-host folders add` (real, absolute paths). */
  folders: z.array(z.string().refine((p) => isAbsolute(p), 'folders must be absolute paths')).default([]),
}));

export type HostConfig = z.infer<typeof hostConfig>;
export type RepoConfig = z.infer<typeof repoConfig>;
export type CheckConfig = z.infer<typeof checkConfig>;

export function readConfig(file: string): HostConfig {
  if (!existsSync(file)) return { repos: {}, folders: [] };
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CodedError('CONFIG_INVALID', `${file} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = hostConfig.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CodedError('CONFIG_INVALID', `${file}: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid'}`);
  }
  return parsed.data;
}

/** Writes the config atomically (temp file + rename, 0600 in a 0700 folder) so a crash never leaves half a file. */
export function writeConfig(file: string, config: HostConfig): void {
  ensurePrivateDir(dirname(file));
  writePrivateFile(file, `${JSON.stringify(config, null, 2)}\n`);
}

export function getRepo(config: HostConfig, repoId: string): RepoConfig & { id: string } {
  const repo = Object.hasOwn(config.repos, repoId) ? config.repos[repoId] : undefined;
  if (!repo) throw new CodedError('REPO_NOT_FOUND', `No repository "${repoId}" in the host config`);
  return { ...repo, id: repoId };
}

export function getCheck(repo: RepoConfig & { id: string }, checkId: string): CheckConfig {
  const check = Object.hasOwn(repo.checks, checkId) ? repo.checks[checkId] : undefined;
  if (!check) throw new CodedError('CHECK_NOT_FOUND', `No check "${checkId}" registered for repository "${repo.id}"`);
  return check;
}

/** The real, symlink-free root of a repository; REPO_ROOT_INVALID when it is not a directory. */
export function realRoot(root: string): string {
  try {
    const real = realpathSync(root);
    if (!statSync(real).isDirectory()) throw new Error('not a directory');
    return real;
  } catch (error) {
    throw new CodedError('REPO_ROOT_INVALID', `Repository root ${root} is not an existing directory (${(error as Error).message})`);
  }
}

export function isValidId(id: string): boolean {
  return idPattern.test(id);
}
