/** How CLI commands talk to the terminal: one JSON object (or text) on stdout, errors on stderr. */
import { once } from 'node:events';
import type { AppError } from '../../shared/errors';

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Long output (an export) piece by piece, as is: resolves when stdout can take more. */
  stream(chunk: string | Uint8Array): Promise<void>;
}

export const processIo: CliIo = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  // stdout to a file (and a pipe, on Linux) writes synchronously; elsewhere a slow reader must
  // not make the whole export pile up in memory.
  stream: async (chunk) => {
    if (!process.stdout.write(chunk)) await once(process.stdout, 'drain');
  },
};

/** Exit codes shared by every subcommand. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export function printError(io: CliIo, error: AppError): void {
  io.err(JSON.stringify({ ok: false, error }));
}

export type CliCommand = (args: string[], io: CliIo) => Promise<number>;
