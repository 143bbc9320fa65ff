/**
 * `hydraflow-host repo …`: manage registered repositories and use the repo tools from a shell.
 * Contract: one JSON object on stdout; exit 0 on success, 1 when refused or failed, 2 on usage
 * errors. A check's live output goes to stderr (stdout stays one JSON object).
 */
import { parseArgs } from 'node:util';
import { existsSync, readFileSync } from 'node:fs';
import { err, toAppError, type AppError } from '../../shared/errors';
import { currentPaths } from '../host-env';
import { checkConfig, isValidId, readConfig, realRoot, writeConfig } from '../repo/config';
import { applyPatch, check, ledger, listRepos, revertChange, type RepoContext } from '../repo/service';
import { EXIT, type CliCommand, type CliIo } from './io';

const USAGE = `Usage: hydraflow-host repo <command> [--config FILE]
  add ID PATH                         register a repository (budgets default to 50 files, 4000 lines, 1 MiB)
  check-add ID CHECK [--timeout SEC] -- ARGV...   register a check command (argv, no shell)
  budget ID [--files N] [--lines N] [--bytes N]    set a repository's change budgets (shows them without options)
  list                                registered repositories
  apply --repo ID --patch FILE|- [--dry-run]
  revert --repo ID --change CHANGE_ID
  ledger --repo ID
  check --repo ID --check CHECK_ID`;

class UsageError extends Error {}

function fail(io: CliIo, error: AppError, code: number = EXIT.failed): number {
  io.out(JSON.stringify({ ok: false, error: { code: error.code, message: error.message } }));
  return code;
}

function parse(args: string[], options: Record<string, { type: 'string' | 'boolean' }>): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  try {
    return parseArgs({ args, options: { config: { type: 'string' }, ...options }, allowPositionals: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function required(values: Record<string, unknown>, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required`);
  return value;
}

function context(configOption: unknown): RepoContext {
  const paths = currentPaths();
  return { configFile: typeof configOption === 'string' ? configOption : paths.configFile, dataDir: paths.dataDir };
}

type Sub = (args: string[], io: CliIo) => Promise<number>;

const subs: Record<string, Sub> = {
  async add(args, io) {
    const { values, positionals } = parse(args, {});
    const [id, path] = positionals;
    if (!id || !path || positionals.length !== 2) throw new UsageError('repo add ID PATH');
    if (!isValidId(id)) throw new UsageError(`Invalid repository id "${id}"`);
    const ctx = context(values.config);
    const root = realRoot(path);
    const config = readConfig(ctx.configFile);
    const existing = config.repos[id];
    config.repos[id] = { root, budgets: existing?.budgets ?? { maxFiles: 50, maxLines: 4000, maxBytes: 1_048_576 }, checks: existing?.checks ?? {} };
    writeConfig(ctx.configFile, config);
    io.out(JSON.stringify({ ok: true, id, root, config: ctx.configFile }));
    return EXIT.ok;
  },
  async 'check-add'(args, io) {
    const split = args.indexOf('--');
    if (split === -1) throw new UsageError('repo check-add ID CHECK [--timeout SEC] -- ARGV...');
    const { values, positionals } = parse(args.slice(0, split), { timeout: { type: 'string' } });
    const argv = args.slice(split + 1);
    const [id, checkId] = positionals;
    if (!id || !checkId || positionals.length !== 2 || argv.length === 0) throw new UsageError('repo check-add ID CHECK [--timeout SEC] -- ARGV...');
    if (!isValidId(checkId)) throw new UsageError(`Invalid check id "${checkId}"`);
    const timeoutSec = values.timeout === undefined ? 600 : Number(values.timeout);
    const parsed = checkConfig.safeParse({ argv, timeoutSec });
    if (!parsed.success) throw new UsageError(parsed.error.issues[0]?.message ?? 'invalid check');
    const ctx = context(values.config);
    const config = readConfig(ctx.configFile);
    const repo = config.repos[id];
    if (!repo) return fail(io, err('REPO_NOT_FOUND', `No repository "${id}"; add it first with: hydraflow-host repo add ${id} PATH`).error);
    repo.checks[checkId] = parsed.data;
    writeConfig(ctx.configFile, config);
    io.out(JSON.stringify({ ok: true, id, check: checkId, argv, timeoutSec: parsed.data.timeoutSec }));
    return EXIT.ok;
  },
  async budget(args, io) {
    const { values, positionals } = parse(args, { files: { type: 'string' }, lines: { type: 'string' }, bytes: { type: 'string' } });
    const [id] = positionals;
    if (!id || positionals.length !== 1) throw new UsageError('repo budget ID [--files N] [--lines N] [--bytes N]');
    const ctx = context(values.config);
    const config = readConfig(ctx.configFile);
    const repo = Object.hasOwn(config.repos, id) ? config.repos[id] : undefined;
    if (!repo) return fail(io, err('REPO_NOT_FOUND', `No repository "${id}"; add it first with: hydraflow-host repo add ${id} PATH`).error);
    const limit = (name: 'files' | 'lines' | 'bytes'): number | undefined => {
      const raw = values[name];
      if (raw === undefined) return undefined;
      const n = Number(raw);
      if (typeof raw !== 'string' || !/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < 1) throw new UsageError(`--${name} must be a positive integer`);
      return n;
    };
    const budgets = { maxFiles: limit('files') ?? repo.budgets.maxFiles, maxLines: limit('lines') ?? repo.budgets.maxLines, maxBytes: limit('bytes') ?? repo.budgets.maxBytes };
    if (values.files !== undefined || values.lines !== undefined || values.bytes !== undefined) {
      repo.budgets = budgets;
      writeConfig(ctx.configFile, config);
    }
    io.out(JSON.stringify({ ok: true, id, budgets }));
    return EXIT.ok;
  },
  async list(args, io) {
    const { values } = parse(args, {});
    io.out(JSON.stringify({ ok: true, repos: listRepos(context(values.config)) }));
    return EXIT.ok;
  },
  async apply(args, io) {
    const { values } = parse(args, { repo: { type: 'string' }, patch: { type: 'string' }, 'dry-run': { type: 'boolean' } });
    const repoId = required(values, 'repo');
    const patchFile = required(values, 'patch');
    if (patchFile !== '-' && !existsSync(patchFile)) throw new UsageError(`No patch file ${patchFile}`);
    const bytes = readFileSync(patchFile === '-' ? 0 : patchFile);
    const outcome = await applyPatch(context(values.config), repoId, { bytes }, values['dry-run'] === true);
    io.out(JSON.stringify({ ok: true, ...outcome }));
    return EXIT.ok;
  },
  async revert(args, io) {
    const { values } = parse(args, { repo: { type: 'string' }, change: { type: 'string' } });
    const entry = await revertChange(context(values.config), required(values, 'repo'), required(values, 'change'));
    io.out(JSON.stringify({ ok: true, changeId: entry.changeId, revertOf: entry.revertOf, files: entry.files.length, linesAdded: entry.linesAdded, linesRemoved: entry.linesRemoved, bytes: entry.bytes }));
    return EXIT.ok;
  },
  async ledger(args, io) {
    const { values } = parse(args, { repo: { type: 'string' } });
    const entries = await ledger(context(values.config), required(values, 'repo'));
    io.out(JSON.stringify({ ok: true, entries: entries.map(({ files, ...rest }) => ({ ...rest, files: files.map(({ preImage: _p, mode: _m, ...file }) => file) })) }));
    return EXIT.ok;
  },
  async check(args, io) {
    const { values } = parse(args, { repo: { type: 'string' }, check: { type: 'string' } });
    const controller = new AbortController();
    const stop = () => controller.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      const result = await check(context(values.config), required(values, 'repo'), required(values, 'check'), { signal: controller.signal, onOutput: (text) => process.stderr.write(text) });
      const passed = result.exitCode === 0 && !result.timedOut && !result.cancelled;
      const { cancelled: _cancelled, ...rest } = result;
      io.out(JSON.stringify({ ok: passed, ...rest, ...(passed ? {} : { error: { code: result.cancelled ? 'CANCELLED' : 'CHECK_FAILED', message: result.timedOut ? 'The check timed out and was killed' : `The check exited with ${result.exitCode ?? result.signal}` } }) }));
      return passed ? EXIT.ok : EXIT.failed;
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
  },
};

export const repoCommand: CliCommand = async (args, io) => {
  const name = args[0];
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(USAGE);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const sub = Object.hasOwn(subs, name) ? subs[name] : undefined;
  if (!sub) return fail(io, err('USAGE', `Unknown repo command "${name}".\n${USAGE}`).error, EXIT.usage);
  try {
    return await sub(args.slice(1), io);
  } catch (error) {
    if (error instanceof UsageError) return fail(io, err('USAGE', error.message).error, EXIT.usage);
    return fail(io, toAppError(error));
  }
};
