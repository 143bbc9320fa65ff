/** Runs the real `hydraflow-host` CLI (bin/hydraflow-host.mjs) as a child process. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './host-process';

export const CLI = join(REPO_ROOT, 'bin', 'hydraflow-host.mjs');

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, input?: string): CliRun {
  const run = spawnSync(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, encoding: 'utf8', input, timeout: 120_000, maxBuffer: 512 * 1024 * 1024 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}
