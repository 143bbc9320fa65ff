/**
 * `hydraflow-host bundle …`: bundles for scripts and tests, over the shared codec.
 *   bundle inspect FILE                                  one JSON object; exit 1 when it does not validate
 *   bundle from-history --file PATH --out FILE [--source BROWSER]
 *   bundle merge IN... --out FILE
 */
import { resolve } from 'node:path';
import { err, toAppError } from '../../shared/errors';
import { VISIT_SOURCES, type VisitSource } from '../../shared/schemas/statuses';
import { bundleFromHistory, inspectBundle, mergeBundles } from '../bundle/tools';
import { EXIT, printError, type CliCommand, type CliIo } from './io';

const USAGE = 'Usage: hydraflow-host bundle inspect FILE | bundle from-history --file PATH --out FILE [--source BROWSER] | bundle merge IN... --out FILE';

function usage(io: CliIo, message: string): number {
  printError(io, err('USAGE', `${message}. ${USAGE}`).error);
  return EXIT.usage;
}

/** Positional arguments and `--name value` options. */
function parseArgs(args: string[], valued: string[]): { positional: string[]; flags: Record<string, string> } | string {
  const positional: string[] = [];
  const flags: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const name = arg.slice(2);
    if (!valued.includes(name)) return `Unknown option ${arg}`;
    const value = args[++i];
    if (value === undefined) return `--${name} needs a value`;
    flags[name] = value;
  }
  return { positional, flags };
}

export const bundleCommand: CliCommand = async (args, io) => {
  const [sub, ...rest] = args;
  if (sub === 'inspect') {
    const parsed = parseArgs(rest, []);
    if (typeof parsed === 'string') return usage(io, parsed);
    if (parsed.positional.length !== 1) return usage(io, 'inspect takes one FILE');
    const report = await inspectBundle(resolve(parsed.positional[0]!));
    io.out(JSON.stringify(report));
    if (report.error) printError(io, report.error);
    return report.valid ? EXIT.ok : EXIT.failed;
  }
  if (sub === 'from-history') {
    const parsed = parseArgs(rest, ['file', 'out', 'source']);
    if (typeof parsed === 'string') return usage(io, parsed);
    const { file, out, source } = parsed.flags;
    if (!file || !out || parsed.positional.length) return usage(io, 'from-history needs --file PATH and --out FILE');
    if (source !== undefined && !(VISIT_SOURCES as readonly string[]).includes(source)) return usage(io, `Unknown --source "${source}"`);
    return run(io, () => bundleFromHistory(resolve(file), resolve(out), source as VisitSource | undefined));
  }
  if (sub === 'merge') {
    const parsed = parseArgs(rest, ['out']);
    if (typeof parsed === 'string') return usage(io, parsed);
    if (!parsed.flags.out || parsed.positional.length === 0) return usage(io, 'merge needs at least one input and --out FILE');
    return run(io, () => mergeBundles(parsed.positional.map((p) => resolve(p)), resolve(parsed.flags.out!)));
  }
  return usage(io, sub ? `Unknown bundle command "${sub}"` : 'Missing bundle command');
};

async function run(io: CliIo, task: () => Promise<object>): Promise<number> {
  try {
    io.out(JSON.stringify({ ok: true, ...(await task()) }));
    return EXIT.ok;
  } catch (error) {
    printError(io, toAppError(error));
    return EXIT.failed;
  }
}
