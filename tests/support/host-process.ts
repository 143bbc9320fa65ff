/**
 * Runs the real, built host program as a child process and speaks bytes to it, as a browser does.
 * Every byte it writes to stdout must decode as a frame: a non-frame byte fails the test.
 */
import { spawn, type ChildProcess, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeFrame, FrameDecoder } from '../../native-host/core/frame-decoder';
import { EXTENSION_ORIGIN } from '../../shared/extension-id';

export const REPO_ROOT = join(import.meta.dirname, '..', '..');
export const HOST_BUNDLE = join(REPO_ROOT, 'dist', 'host', 'hydraflow-host.mjs');

export interface HostFrame {
  id?: unknown;
  ok?: boolean;
  event?: string;
  result?: unknown;
  data?: unknown;
  parts?: number;
  protocolVersion?: number;
  error?: { code: string; message: string; details?: unknown };
}

export class HostProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly home: string;
  readonly frames: HostFrame[] = [];
  stderr = '';
  /** Set when stdout carried bytes that are not a valid frame. */
  garbage: string | null = null;
  private readonly decoder = new FrameDecoder(1_048_576);
  private waiters: (() => void)[] = [];
  readonly exited: Promise<number | null>;

  /** `umask`: the host runs under this umask (through /bin/sh), as a browser started from a shell would. */
  constructor(options: { nodeArgs?: string[]; env?: NodeJS.ProcessEnv; home?: string; umask?: string } = {}) {
    this.home = options.home ?? mkdtempSync(join(tmpdir(), 'hf-home-'));
    const argv = [...(options.nodeArgs ?? []), HOST_BUNDLE, EXTENSION_ORIGIN];
    const [command, args] = options.umask === undefined ? [process.execPath, argv] : ['/bin/sh', ['-c', `umask ${options.umask} && exec "$0" "$@"`, process.execPath, ...argv]];
    this.child = spawn(command, args, {
      env: { ...process.env, HYDRAFLOW_HOME: this.home, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stdout.on('data', (chunk: Buffer) => {
      for (const frame of this.decoder.push(chunk)) {
        if (frame.kind === 'error') this.garbage = `${frame.code}: ${frame.message}`;
        else this.frames.push(frame.value as HostFrame);
      }
      this.wake();
    });
    this.child.stderr.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
      this.wake();
    });
    this.child.stdin.on('error', () => undefined);
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  writeRaw(bytes: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => this.child.stdin.write(bytes, (error) => (error ? reject(error) : resolve())));
  }

  send(message: unknown): Promise<void> {
    return this.writeRaw(encodeFrame(message));
  }

  /** Waits until a frame matching `predicate` has arrived (or fails after `timeoutMs`). */
  async waitFor(predicate: (frame: HostFrame) => boolean, timeoutMs = 10_000): Promise<HostFrame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.find(predicate);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`No matching frame within ${timeoutMs} ms. Frames: ${JSON.stringify(this.frames).slice(0, 2000)} stderr: ${this.stderr.slice(-2000)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  reply(id: unknown, timeoutMs?: number): Promise<HostFrame> {
    return this.waitFor((frame) => frame.id === id && 'ok' in frame, timeoutMs);
  }

  async request(id: string | number, method: string, params?: unknown, timeoutMs?: number): Promise<HostFrame> {
    await this.send({ id, method, params });
    return this.reply(id, timeoutMs);
  }

  async stop(): Promise<void> {
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(timer);
    rmSync(this.home, { recursive: true, force: true });
  }
}

/**
 * Whether a child has exited, without the event loop (a loop that sleeps synchronously never sees
 * `child.exitCode` change while it runs): its /proc entry is gone or a zombie.
 */
export function finished(child: ChildProcess): boolean {
  if (child.exitCode !== null || child.signalCode !== null) return true;
  try {
    return readFileSync(`/proc/${child.pid}/stat`, 'utf8').replace(/^.*\) /s, '').startsWith('Z');
  } catch {
    return true;
  }
}

/** Blocks the thread for `ms` (a test that must not yield to the event loop while it polls). */
export function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
