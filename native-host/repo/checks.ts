/**
 * Runs one registered check: argv spawned without a shell, in its own process group (so the
 * whole tree can be killed), with a scrubbed environment, in the repository root. On timeout or
 * cancel the group gets SIGTERM, then SIGKILL after a grace period; when the main process exits,
 * anything it left running in its group is killed too. Output (stdout and stderr, in arrival
 * order) is streamed in chunks while within the cap, and kept as head + tail with the dropped
 * middle marked.
 *
 * The reply never waits on a descendant that escaped the group. A process that calls setsid()
 * (or setpgid) leaves the group, so the group kill misses it, and if it keeps our stdout open
 * the pipe never closes. Such a process still writes the check's output, so the check counts as
 * running until its pipes close; but after a timeout or cancel the run gets a hard deadline
 * (killGraceMs + PIPE_GRACE_MS, or PIPE_GRACE_MS when the main process is gone), then the
 * pipes are closed on our side and the result is sent at once.
 *
 * Escaped descendants are killed: every run's environment carries a fresh random token
 * (HYDRAFLOW_CHECK_RUN, the "cookie" Jenkins' process-tree killer uses), and when the run ends,
 * however it ends, every process of this user whose environment carries it is SIGKILLed (found
 * through /proc/PID/environ; Linux). Node offers no subreaper (prctl), and a cgroup of its own
 * is nothing an unprivileged process can count on, so this is the reachable way. It misses only a
 * process that also scrubbed its environment (or another OS); docs/repo.md says so.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import type { CheckConfig } from './config';

export interface CheckResult {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  cancelled: boolean;
  durationMs: number;
  output: string;
  truncated: boolean;
  /** Bytes the check printed in all (kept or not). */
  outputBytes: number;
}

export interface RunCheckOptions {
  root: string;
  check: CheckConfig;
  signal?: AbortSignal;
  onOutput?: (text: string) => void;
  /** Time between SIGTERM and SIGKILL of the group. */
  killGraceMs?: number;
}

/** How long the output pipes may stay open after the main process exited, or after the SIGKILL. */
export const PIPE_GRACE_MS = 750;
const ESCAPED_NOTE = '\n[a process of the check that left its process group was still running: it was killed]\n';

/** Variables a check may need to find its tools; everything else (tokens, keys) is dropped. */
const KEPT_ENV = ['PATH', 'HOME', 'USER', 'LOGNAME', 'LANG', 'LC_ALL', 'TMPDIR', 'TEMP', 'TMP', 'SYSTEMROOT', 'SystemRoot', 'COMSPEC', 'PATHEXT', 'WINDIR'];

export function scrubbedEnv(source: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = { CI: '1', TERM: 'dumb', NO_COLOR: '1' };
  for (const name of KEPT_ENV) {
    const value = source[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

export function truncationMarker(dropped: number): string {
  return `\n[… ${dropped} bytes of output truncated …]\n`;
}

/** Every check run's environment carries a fresh token under this name (see killTagged). */
export const RUN_TOKEN_VAR = 'HYDRAFLOW_CHECK_RUN';

/**
 * SIGKILLs every process of this user whose environment carries `token` (a descendant of the
 * check, wherever it went: setsid, double fork, reparented to init). Linux only (/proc; other
 * users' environments are unreadable); elsewhere a no-op. Returns the pids killed.
 */
export function killTagged(token: string): number[] {
  if (process.platform !== 'linux') return [];
  const needle = Buffer.from(`${RUN_TOKEN_VAR}=${token}\0`);
  const killed: number[] = [];
  let pids: string[] = [];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
  for (const pid of pids) {
    if (Number(pid) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${pid}/environ`).indexOf(needle) === -1) continue;
      process.kill(Number(pid), 'SIGKILL');
      killed.push(Number(pid));
    } catch {
      // gone, or not ours
    }
  }
  return killed;
}

export function runCheck({ root, check, signal, onOutput, killGraceMs = 1500 }: RunCheckOptions): Promise<CheckResult> {
  const started = Date.now();
  const cap = check.maxOutputBytes;
  const headCap = Math.floor(cap / 2);
  const tailCap = cap - headCap;
  const head: Buffer[] = [];
  let headBytes = 0;
  let tail: Buffer[] = [];
  let tailBytes = 0;
  let total = 0;
  let streamedMarker = false;
  const decoder = new StringDecoder('utf8');

  return new Promise((resolve) => {
    let timedOut = false;
    let cancelled = false;
    let killTimer: ReturnType<typeof setTimeout> | null = null;
    let deadline: ReturnType<typeof setTimeout> | null = null;
    let exited = false;
    let escaped = false;
    const token = randomBytes(12).toString('hex');
    const child = spawn(check.argv[0]!, check.argv.slice(1), { cwd: root, env: { ...scrubbedEnv(), [RUN_TOKEN_VAR]: token }, shell: false, detached: true, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    const pid = child.pid;
    /** Ends the run now: every process of the run still alive is killed and the pipes closed on our side. */
    const cutPipes = () => {
      if (finished) return;
      if (killTagged(token).length > 0 || !child.stdout.readableEnded || !child.stderr.readableEnded) escaped = true;
      child.stdout.destroy();
      child.stderr.destroy();
      finish();
    };

    const killGroup = (sig: NodeJS.Signals) => {
      if (pid === undefined) return;
      try {
        process.kill(-pid, sig);
      } catch (error) {
        // ESRCH: the group is already gone. Elsewhere (Windows has no process groups) at least
        // the main process is killed.
        if ((error as NodeJS.ErrnoException).code !== 'ESRCH') child.kill(sig);
      }
    };
    const terminate = () => {
      killGroup('SIGTERM');
      killTimer ??= setTimeout(() => {
        killGroup('SIGKILL');
        child.kill('SIGKILL');
      }, killGraceMs);
      // Whatever happens to the pipes, the reply comes by then (sooner when the main process is gone).
      deadline ??= setTimeout(cutPipes, (exited ? 0 : killGraceMs) + PIPE_GRACE_MS);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      terminate();
    }, check.timeoutSec * 1000);
    const onAbort = () => {
      cancelled = true;
      terminate();
    };
    signal?.addEventListener('abort', onAbort, { once: true });

    const take = (chunk: Buffer) => {
      total += chunk.length;
      if (headBytes < headCap) {
        const part = chunk.subarray(0, headCap - headBytes);
        head.push(part);
        headBytes += part.length;
        onOutput?.(decoder.write(part));
        chunk = chunk.subarray(part.length);
        if (chunk.length === 0) return;
      }
      if (!streamedMarker) {
        streamedMarker = true;
        onOutput?.(decoder.end() + '\n[… output over the cap; the tail is kept and shown at the end …]\n');
      }
      tail.push(chunk);
      tailBytes += chunk.length;
      // Drop whole chunks from the front while the rest still covers the tail cap.
      while (tail.length > 1 && tailBytes - tail[0]!.length >= tailCap) tailBytes -= tail.shift()!.length;
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);

    let exitCode: number | null = null;
    let exitSignal: string | null = null;
    let spawnError: Error | null = null;
    child.on('error', (error) => {
      spawnError = error;
      // A command that never started emits no 'close' on every Node version: finish here.
      if (pid === undefined) finish();
    });
    child.on('exit', (code, sig) => {
      exited = true;
      exitCode = code;
      exitSignal = sig;
      // Whatever the check left behind in its group must not outlive it (it would also hold our pipes).
      // A process that left the group and still holds the pipes keeps the check running (its
      // output is the check's output) until the pipes close, the timeout or a cancel.
      killGroup('SIGKILL');
    });
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      // A check leaves nothing behind: whatever escaped the group (and closed its output) goes too.
      if (killTagged(token).length > 0) escaped = true;
      clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      if (deadline) clearTimeout(deadline);
      signal?.removeEventListener('abort', onAbort);
      let tailBuffer = Buffer.concat(tail);
      if (tailBuffer.length > tailCap) tailBuffer = tailBuffer.subarray(tailBuffer.length - tailCap);
      const kept = headBytes + tailBuffer.length;
      const truncated = total > kept;
      let output = Buffer.concat(head).toString('utf8');
      if (truncated) output += truncationMarker(total - kept);
      output += tailBuffer.toString('utf8');
      if (escaped) output += ESCAPED_NOTE;
      if (spawnError) output += `${output ? '\n' : ''}[could not start ${JSON.stringify(check.argv[0])}: ${(spawnError as Error).message}]`;
      tail = [];
      resolve({ exitCode, signal: exitSignal, timedOut, cancelled, durationMs: Date.now() - started, output, truncated, outputBytes: total });
    };
    child.on('close', finish);
  });
}
