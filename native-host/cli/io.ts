/** How CLI commands talk to the terminal: one JSON object (or text) on stdout, errors on stderr. */
import type { AppError } from '../../shared/errors';

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

export const processIo: CliIo = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
};

/** Exit codes shared by every subcommand. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export function printError(io: CliIo, error: AppError): void {
  io.err(JSON.stringify({ ok: false, error }));
}

export type CliCommand = (args: string[], io: CliIo) => Promise<number>;
