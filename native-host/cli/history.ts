/**
 * `hydraflow-host history …`: the history capability for scripts and tests.
 *   history profiles [--json]
 *   history export --file PATH [--since ISO-8601] [--format ndjson] [--source chrome|…]
 *   history summary --file PATH [--json]
 * `export` prints one JSON object per visit per line; `summary` the file's visits per block of
 * UTC days with their digest (what a re-import compares); errors are one JSON line on stderr.
 */
import { homedir } from 'node:os';
import { err, toAppError } from '../../shared/errors';
import { VISIT_SOURCES, type VisitSource } from '../../shared/schemas/statuses';
import { DAY_MS } from '../../shared/time';
import { currentPlatform } from '../host-env';
import { discoverProfiles } from '../history/profiles';
import { openHistoryFile } from '../history/read';
import { EXIT, printError, type CliCommand, type CliIo } from './io';

const USAGE = 'Usage: hydraflow-host history profiles [--json] | history export --file PATH [--since ISO-8601] [--format ndjson] [--source BROWSER] | history summary --file PATH [--json]';

function parseFlags(args: string[], valued: string[], booleans: string[]): Record<string, string | true> | string {
  const flags: Record<string, string | true> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const name = arg.replace(/^--/, '');
    if (!arg.startsWith('--')) return `Unexpected argument "${arg}"`;
    if (booleans.includes(name)) flags[name] = true;
    else if (valued.includes(name)) {
      const value = args[++i];
      if (value === undefined) return `--${name} needs a value`;
      flags[name] = value;
    } else return `Unknown option ${arg}`;
  }
  return flags;
}

function usage(io: CliIo, message: string): number {
  printError(io, err('USAGE', `${message}. ${USAGE}`).error);
  return EXIT.usage;
}

export const historyCommand: CliCommand = async (args, io) => {
  const [sub, ...rest] = args;
  if (sub === 'profiles') return profilesCommand(rest, io);
  if (sub === 'export') return exportCommand(rest, io);
  if (sub === 'summary') return summaryCommand(rest, io);
  return usage(io, sub ? `Unknown history command "${sub}"` : 'Missing history command');
};

async function profilesCommand(args: string[], io: CliIo): Promise<number> {
  const flags = parseFlags(args, [], ['json']);
  if (typeof flags === 'string') return usage(io, flags);
  const profiles = discoverProfiles(currentPlatform(), homedir(), process.env);
  if (flags.json) {
    io.out(JSON.stringify({ ok: true, profiles }));
    return EXIT.ok;
  }
  if (profiles.length === 0) io.out('No browser profiles with history found.');
  for (const profile of profiles) {
    io.out(`${profile.id}\t${profile.name}\t${profile.historySize} bytes\t${new Date(profile.modifiedAt).toISOString()}\t${profile.historyPath}`);
  }
  return EXIT.ok;
}

async function exportCommand(args: string[], io: CliIo): Promise<number> {
  const flags = parseFlags(args, ['file', 'since', 'format', 'source'], []);
  if (typeof flags === 'string') return usage(io, flags);
  if (typeof flags.file !== 'string') return usage(io, '--file is required');
  if (flags.format !== undefined && flags.format !== 'ndjson') return usage(io, `Unknown format "${String(flags.format)}" (only ndjson)`);
  let since: number | undefined;
  if (typeof flags.since === 'string') {
    since = Date.parse(flags.since);
    if (!/^\d{4}-\d{2}-\d{2}/.test(flags.since) || Number.isNaN(since)) return usage(io, `--since "${flags.since}" is not an ISO-8601 date`);
  }
  let source: VisitSource | undefined;
  if (typeof flags.source === 'string') {
    if (!(VISIT_SOURCES as readonly string[]).includes(flags.source)) return usage(io, `Unknown --source "${flags.source}"`);
    source = flags.source as VisitSource;
  }
  return withHistoryFile(io, flags.file, source ? { source } : {}, async (reader) => {
    for (const chunk of reader.ndjson(since === undefined ? {} : { since })) await io.stream(chunk);
  });
}

async function summaryCommand(args: string[], io: CliIo): Promise<number> {
  const flags = parseFlags(args, ['file'], ['json']);
  if (typeof flags === 'string') return usage(io, flags);
  if (typeof flags.file !== 'string') return usage(io, '--file is required');
  return withHistoryFile(io, flags.file, {}, (reader) => {
    const { summary, visits } = reader.summary();
    if (flags.json) io.out(JSON.stringify({ ok: true, source: reader.source, visits, summary }));
    else {
      io.out(`${reader.kind}\t${visits} visits\tblocks of ${summary.blockDays} day(s)`);
      for (const [block, count, digest] of summary.blocks) io.out(`${new Date(block * summary.blockDays * DAY_MS).toISOString().slice(0, 10)}\t${count}\t${digest}`);
    }
  });
}

/** Opens a history file, runs `use` on it and closes it; an error is printed and the exit code says so. */
async function withHistoryFile(io: CliIo, file: string, options: Parameters<typeof openHistoryFile>[1], use: (reader: ReturnType<typeof openHistoryFile>) => void | Promise<void>): Promise<number> {
  try {
    const reader = openHistoryFile(file, options);
    try {
      await use(reader);
    } finally {
      reader.close();
    }
  } catch (error) {
    printError(io, toAppError(error));
    return EXIT.failed;
  }
  return EXIT.ok;
}
