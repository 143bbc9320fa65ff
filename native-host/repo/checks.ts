/**
 * Runs one registered check: argv spawned without a shell, in its own process group (so the
 * whole tree can be killed), with a scrubbed environment, in the repository root. On timeout or
 * cancel the group gets SIGTERM, then SIGKILL after a grace period; when the main process exits,
 * anything it left running in its group is killed too. Output (stdout and stderr, in arrival
 * order) is streamed in chunks while within the cap, and kept as head + tail with the dropped
 * middle marked.
 */
import { spawn } from 'node:child_process';
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

export function runCheck({ root, check, signal, onOutput, killGraceMs = 2000 }: RunCheckOptions): Promise<CheckResult> {
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
    const child = spawn(check.argv[0]!, check.argv.slice(1), { cwd: root, env: scrubbedEnv(), shell: false, detached: true, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    const pid = child.pid;

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
      killTimer ??= setTimeout(() => killGroup('SIGKILL'), killGraceMs);
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
      exitCode = code;
      exitSignal = sig;
      // Whatever the check left behind in its group must not outlive it (it would also hold our pipes).
      killGroup('SIGKILL');
    });
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      signal?.removeEventListener('abort', onAbort);
      let tailBuffer = Buffer.concat(tail);
      if (tailBuffer.length > tailCap) tailBuffer = tailBuffer.subarray(tailBuffer.length - tailCap);
      const kept = headBytes + tailBuffer.length;
      const truncated = total > kept;
      let output = Buffer.concat(head).toString('utf8');
      if (truncated) output += truncationMarker(total - kept);
      output += tailBuffer.toString('utf8');
      if (spawnError) output += `${output ? '\n' : ''}[could not start ${JSON.stringify(check.argv[0])}: ${(spawnError as Error).message}]`;
      tail = [];
      resolve({ exitCode, signal: exitSignal, timedOut, cancelled, durationMs: Date.now() - started, output, truncated, outputBytes: total });
    };
    child.on('close', finish);
  });
}
