/** Runs the real `hydraflow-host` CLI (bin/hydraflow-host.mjs) as a child process. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

/**
 * `bundle inspect` on `bytes` (written to a temp file): exit status, the JSON report, and the
 * process's peak RSS in MB (its own `resourceUsage().maxRSS`, written at exit by a preloaded hook).
 */
export function inspectWithPeakRss(bytes: Uint8Array): { status: number | null; report: { valid: boolean; error?: { code: string } } | null; rssMb: number } {
  const dir = mkdtempSync(join(tmpdir(), 'hf-inspect-'));
  try {
    const preload = join(dir, 'maxrss.cjs');
    // The peak of this process's own memory: VmHWM on Linux. getrusage's maxRSS is not reset by
    // exec, so a child forked from a big parent (the stress runner, grown by earlier scenarios)
    // reported the parent's size (236 MB for every file of one full run).
    writeFileSync(
      preload,
      "const fs = require('fs'); process.on('exit', () => { let kb = process.resourceUsage().maxRSS; try { kb = Number(/VmHWM:\\s+(\\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))[1]); } catch {} process.stderr.write(`\\nmaxrss-kb=${kb}\\n`); });\n",
    );
    const path = join(dir, 'input.hydraflow');
    writeFileSync(path, bytes);
    const run = spawnSync(process.execPath, ['--require', preload, CLI, 'bundle', 'inspect', path], { encoding: 'utf8', timeout: 120_000 });
    const rss = /maxrss-kb=(\d+)/.exec(run.stderr);
    let report = null;
    try {
      report = JSON.parse(run.stdout.trim().split('\n').pop() ?? 'null');
    } catch {
      report = null;
    }
    return { status: run.status, report, rssMb: rss ? Number(rss[1]) / 1024 : Infinity };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

