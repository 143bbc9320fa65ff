/**
 * The repo capability's operations, shared by the CLI and the protocol handlers: list, apply
 * (or dry run), revert, ledger and check. Each names a repository by id; paths and argv come from
 * the host config only. Everything that changes a tree runs under the repository's lock, after
 * recovery of any change a dead process left half-written.
 */
import { isUtf8 } from 'node:buffer';
import { existsSync, lstatSync, readdirSync, readFileSync, rmdirSync } from 'node:fs';
import { pathComponents } from './core/path-rules';
import { join } from 'node:path';
import { CodedError } from '../../shared/errors';
import { enforceBudgets, type Budgets, type ChangeFigures } from './core/budget';
import { parsePatchBytes, type ParsedPatch } from './core/patch';
import { getCheck, getRepo, readConfig, realRoot, type HostConfig } from './config';
import { runCheck, type CheckResult } from './checks';
import { PathChecker } from './paths';
import { planPatch, type ChangePlan, type DiffstatItem } from './plan';
import { commitChange, fileMode, hashWrites, inPlaceIdentity, readLedger, readPreImage, sha256, withRepoLock, type LedgerEntry, type PlannedWrite } from './transaction';

export interface RepoContext {
  configFile: string;
  dataDir: string;
}

/** Largest patch text accepted at all (before parsing); budgets apply to the parsed result. */
export const MAX_PATCH_TEXT_BYTES = 64 * 1_048_576;

export interface ApplyOutcome extends ChangeFigures {
  changeId: string | null;
  dryRun: boolean;
  diffstat: DiffstatItem[];
  budgets: Budgets;
  patchSha256: string;
}

/**
 * A patch as its text, as its UTF-8 bytes (the CLI reads a file: no decode to a string and encode
 * back, which cost a 1.3 MB patch with non-ASCII lines ~10 ms and a 2.6 MB string), or as the
 * SHA-256 of a patch this process parsed before (a preview).
 */
export type PatchSource = { text: string } | { bytes: Buffer } | { sha256: string };

function loadConfig(ctx: RepoContext): HostConfig {
  return readConfig(ctx.configFile);
}

export function listRepos(ctx: RepoContext) {
  const config = loadConfig(ctx);
  return Object.entries(config.repos).map(([id, repo]) => ({ id, root: repo.root, budgets: repo.budgets, checks: Object.keys(repo.checks).sort() }));
}

export async function applyPatch(ctx: RepoContext, repoId: string, source: PatchSource, dryRun: boolean): Promise<ApplyOutcome> {
  const repo = getRepo(loadConfig(ctx), repoId);
  const root = realRoot(repo.root);
  const { parsed, sha256: patchSha256 } = parseOnce(source);
  const run = async (dir: string | null): Promise<ApplyOutcome> => {
    const previous = lastPlan?.parsed === parsed ? lastPlan.plan : null;
    lastPlan = null;
    // An apply streams its plan into the change's pre-image file unless it reuses the preview's.
    const plan = planPatch(root, parsed, previous, dir === null ? null : { dir, budgets: repo.budgets });
    try {
      enforceBudgets(plan.figures, repo.budgets);
    } catch (error) {
      plan.stage?.discard();
      throw error;
    }
    const base = { ...plan.figures, diffstat: plan.diffstat, budgets: repo.budgets, dryRun, patchSha256 };
    if (dir === null) {
      // The ledger's hashes, taken now: the apply after this preview reuses the plan and its hashes.
      hashWrites(plan.writes);
      lastPlan = { parsed, plan };
      return { ...base, changeId: null };
    }
    const entry = await commitChange(dir, { repoId, root, kind: 'apply', revertOf: null, patchSha256, writes: plan.writes }, plan.stage ?? undefined);
    return { ...base, changeId: entry.changeId };
  };
  // A dry run writes nothing but still takes the lock, so it never looks at a half-written tree.
  return withRepoLock(ctx.dataDir, repoId, root, (dir) => run(dryRun ? null : dir));
}

/**
 * The last patch parsed, with its text and hash. The side panel previews a patch (a dry run)
 * before the user approves the same text, and parsing is a pure function of the text, so the
 * apply reuses the preview's parse, named by its hash (or found by comparing the text);
 * everything that depends on the tree (paths, hunks, budgets) is checked again. One entry: a
 * large patch's parse is a few MB.
 */
let lastParse: { text: string | null; sha256: string; parsed: ParsedPatch } | null = null;

function parseOnce(source: PatchSource): { parsed: ParsedPatch; sha256: string } {
  if ('sha256' in source) {
    if (lastParse?.sha256 === source.sha256) return lastParse;
    throw new CodedError('PATCH_NOT_PREVIEWED', `This host process has not parsed a patch with SHA-256 ${source.sha256}; send the patch text`);
  }
  if ('bytes' in source) {
    const bytes = source.bytes;
    if (bytes.length > MAX_PATCH_TEXT_BYTES) throw new CodedError('BUDGET_BYTES', `The patch text is over ${MAX_PATCH_TEXT_BYTES} bytes`);
    // Bytes that are not UTF-8 are no text at all (a decode would silently turn them into U+FFFD).
    if (!isUtf8(bytes)) throw new CodedError('PATCH_INVALID', 'The patch is not valid UTF-8 text');
    const digest = sha256(bytes);
    if (lastParse?.sha256 === digest) return lastParse;
    lastParse = { text: null, sha256: digest, parsed: parsePatchBytes(bytes) };
    return lastParse;
  }
  const text = source.text;
  if (lastParse?.text === text) return lastParse;
  if (Buffer.byteLength(text, 'utf8') > MAX_PATCH_TEXT_BYTES) throw new CodedError('BUDGET_BYTES', `The patch text is over ${MAX_PATCH_TEXT_BYTES} bytes`);
  // A lone surrogate has no UTF-8 form (it would be written as U+FFFD): refuse rather than guess.
  if (!text.isWellFormed()) throw new CodedError('PATCH_INVALID', 'The patch text is not well-formed Unicode (lone surrogate)');
  const bytes = Buffer.from(text, 'utf8');
  const parsed = parsePatchBytes(bytes);
  lastParse = { text, sha256: sha256(bytes), parsed };
  return lastParse;
}

/**
 * The preview's plan (a dry run) of the last parsed patch: the apply that follows reuses it when
 * planPatch finds every touched file exactly as it was then (see there). Held until the next
 * apply of any patch; a few MB (the files' bytes before and after).
 */
let lastPlan: { parsed: ParsedPatch; plan: ChangePlan } | null = null;

export interface LedgerView extends LedgerEntry {
  revertedBy: string | null;
}

export async function ledger(ctx: RepoContext, repoId: string): Promise<LedgerView[]> {
  const repo = getRepo(loadConfig(ctx), repoId);
  return withRepoLock(ctx.dataDir, repoId, realRoot(repo.root), (dir) => withReverts(readLedger(dir)));
}

function withReverts(entries: LedgerEntry[]): LedgerView[] {
  const revertedBy = new Map<string, string>();
  for (const entry of entries) if (entry.revertOf) revertedBy.set(entry.revertOf, entry.changeId);
  return entries.map((entry) => ({ ...entry, revertedBy: revertedBy.get(entry.changeId) ?? null }));
}

/**
 * Restores the pre-images of a change. Refused (REVERT_CONFLICT) when any of its files is not
 * byte-for-byte what the change wrote: a later edit would otherwise be silently lost.
 */
export async function revertChange(ctx: RepoContext, repoId: string, changeId: string): Promise<LedgerEntry> {
  const repo = getRepo(loadConfig(ctx), repoId);
  const root = realRoot(repo.root);
  return withRepoLock(ctx.dataDir, repoId, root, async (dir) => {
    const entries = withReverts(readLedger(dir));
    const entry = entries.find((e) => e.changeId === changeId);
    if (!entry) throw new CodedError('CHANGE_NOT_FOUND', `No change "${changeId}" in the ledger of "${repoId}"`);
    if (entry.revertedBy) throw new CodedError('CHANGE_ALREADY_REVERTED', `Change ${changeId} was already reverted by ${entry.revertedBy}`);
    const checker = new PathChecker(root);
    const writes: PlannedWrite[] = [];
    for (const file of entry.files) {
      const safe = checker.check(file.path);
      const current = safe.stats ? readFileSync(safe.absolute) : null;
      const currentSha = current === null ? null : sha256(current);
      if (currentSha !== file.afterSha256) {
        throw new CodedError('REVERT_CONFLICT', `${file.path} changed since change ${changeId} (${file.afterSha256 === null ? 'it was deleted and now exists' : current === null ? 'it was deleted' : 'its content differs'})`);
      }
      const before = file.preImage === null ? null : readPreImage(dir, changeId, file.preImage);
      writes.push({
        absolute: safe.absolute,
        relative: safe.relative,
        before: current,
        after: before,
        mode: file.mode ?? fileMode(safe.absolute),
        missingDirs: safe.missingDirs,
        op: before === null ? 'delete' : current === null ? 'create' : 'modify',
        linesAdded: file.linesRemoved,
        linesRemoved: file.linesAdded,
        // In place only when that keeps the mode the change recorded; otherwise a new file gets it.
        inPlace: safe.stats !== null && (safe.stats.mode & 0o777) === file.mode ? inPlaceIdentity(safe.stats) : null,
      });
    }
    const reverted = await commitChange(dir, { repoId, root, kind: 'revert', revertOf: changeId, patchSha256: null, writes });
    // Directories the change created go too, when nothing else lives in them (outside the journal:
    // an empty directory left behind by a crash here is harmless).
    for (const created of [...entry.createdDirs].reverse()) {
      const absolute = join(root, ...pathComponents(created));
      try {
        if (lstatSync(absolute).isDirectory()) rmdirSync(absolute);
      } catch {
        // Not empty, or already gone.
      }
    }
    return reverted;
  });
}

export async function check(ctx: RepoContext, repoId: string, checkId: string, options: { signal?: AbortSignal; onOutput?: (text: string) => void; killGraceMs?: number } = {}): Promise<CheckResult> {
  const repo = getRepo(loadConfig(ctx), repoId);
  const checkConfig = getCheck(repo, checkId);
  const root = realRoot(repo.root);
  return runCheck({ root, check: checkConfig, ...options });
}

/**
 * Host start: finish or undo whatever a killed host left half-written, in every registered
 * repository (a folder of an unregistered one is left alone: its root is unknown, so its
 * journal's targets cannot be checked).
 */
export async function recoverAll(ctx: RepoContext): Promise<{ repoId: string; outcome: string }[]> {
  const base = join(ctx.dataDir, 'repo');
  if (!existsSync(base)) return [];
  const report: { repoId: string; outcome: string }[] = [];
  for (const repoId of readdirSync(base)) {
    if (!existsSync(join(base, repoId, 'journal.json'))) continue;
    try {
      const repo = getRepo(loadConfig(ctx), repoId);
      await withRepoLock(ctx.dataDir, repoId, realRoot(repo.root), () => undefined);
      report.push({ repoId, outcome: 'recovered' });
    } catch (error) {
      report.push({ repoId, outcome: (error as Error).message });
    }
  }
  return report;
}
