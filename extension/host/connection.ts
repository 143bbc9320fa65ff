/**
 * The background's connection to the native host: one port, opened on demand and closed when
 * idle (so the service worker can sleep), a `hello` handshake that refuses an incompatible host,
 * request/response correlation, streamed events, and reassembly of chunked results. Every frame
 * from the host is parsed with the shared schemas; failures come back as Result values.
 */
import { HOST_INSTALL_COMMAND, type HostStatus } from '../../shared/commands/host';
import { extensionUpdateHint, hostUpdateCommand } from '../../shared/host-install';
import { err, ok, type AppError, type Result } from '../../shared/errors';
import { NATIVE_HOST_NAME } from '../../shared/extension-id';
import { PartAssembler } from '../../shared/protocol/chunking';
import { hostMessage, partEvent, type RequestId } from '../../shared/protocol/envelope';
import { methods, type MethodName, type MethodParams, type MethodResult } from '../../shared/protocol/methods';
import { APP_VERSION, MIN_HOST_PROTOCOL_VERSION, PROTOCOL_VERSION } from '../../shared/version';

/** The parts of chrome.runtime.Port we use (a real Port in the extension, a fake in unit tests). */
export interface PortLike {
  postMessage(message: unknown): void;
  disconnect(): void;
  onMessage: { addListener(callback: (message: unknown) => void): void };
  onDisconnect: { addListener(callback: () => void): void };
}

export interface HostConnectionOptions {
  connect: () => PortLike;
  /** chrome.runtime.lastError?.message, read inside onDisconnect. */
  lastErrorMessage: () => string | undefined;
  idleMs?: number;
  requestTimeoutMs?: number;
  helloTimeoutMs?: number;
}

export interface RequestOptions {
  onEvent?: (event: string, data: unknown) => void;
  signal?: AbortSignal;
  /** 0 disables the timeout (long jobs report progress instead). */
  timeoutMs?: number;
}

interface Pending {
  method: MethodName;
  resolve: (result: Result<unknown>) => void;
  onEvent?: (event: string, data: unknown) => void;
  assembler?: PartAssembler;
  timer?: ReturnType<typeof setTimeout>;
}

type HelloResult = MethodResult<'hello'>;

export class HostConnection {
  private port: PortLike | null = null;
  private hello: HelloResult | null = null;
  private connecting: Promise<HostStatus> | null = null;
  private lastStatus: HostStatus | null = null;
  private readonly pending = new Map<RequestId, Pending>();
  private nextId = 1;
  private idleTimer: ReturnType<typeof setTimeout> | null = null;
  /** Until when (ms since the epoch) the idle close waits even without requests; see keepOpenFor. */
  private heldUntil = 0;

  constructor(private readonly options: HostConnectionOptions) {}

  /** Connects (or reuses the connection) and reports the host's state. */
  async status(refresh = false): Promise<HostStatus> {
    if (refresh) this.close();
    if (this.port && this.hello && this.lastStatus) return this.lastStatus;
    this.connecting ??= this.open().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  /** Sends one request; resolves with the method's validated result or an error value. */
  async request<M extends MethodName>(method: M, params: MethodParams<M>, options: RequestOptions = {}): Promise<Result<MethodResult<M>>> {
    const state = await this.status();
    if (state.state !== 'connected') return { ok: false, error: statusError(state) };
    return this.send(method, params, options) as Promise<Result<MethodResult<M>>>;
  }

  /**
   * Keeps an open connection (and with it the host process and what it holds in memory) for at
   * least `ms` more, instead of closing it after the usual idle time; 0 gives the hold up. The
   * repo preview uses it: the host keeps the previewed patch's parse and plan, which the apply
   * that the user approves minutes later reuses. An open native port also keeps the service
   * worker alive, so holds are bounded and given up as soon as they are no longer needed.
   */
  keepOpenFor(ms: number): void {
    this.heldUntil = ms > 0 ? Date.now() + ms : 0;
    if (this.pending.size === 0) this.armIdle();
  }

  close(): void {
    const port = this.port;
    this.port = null;
    this.hello = null;
    this.lastStatus = null;
    if (port) {
      try {
        port.disconnect();
      } catch {
        // already gone
      }
    }
    this.failAll(err('HOST_DISCONNECTED', 'Connection to the native host was closed').error);
  }

  private async open(): Promise<HostStatus> {
    let port: PortLike;
    try {
      port = this.options.connect();
    } catch (error) {
      return this.remember({ state: 'error', error: { code: 'HOST_DISCONNECTED', message: (error as Error).message } });
    }
    this.port = port;
    port.onMessage.addListener((message) => this.receive(message));
    port.onDisconnect.addListener(() => this.disconnected(port));
    const reply = await this.send('hello', { protocolVersion: PROTOCOL_VERSION, client: 'hydraflow-extension', clientVersion: APP_VERSION }, { timeoutMs: this.options.helloTimeoutMs ?? 10_000 });
    if (!reply.ok) {
      this.port = null;
      if (reply.error.code === 'HOST_NOT_INSTALLED') {
        return this.remember({ state: 'not_installed', message: reply.error.message, installCommand: HOST_INSTALL_COMMAND });
      }
      if (reply.error.code === 'INCOMPATIBLE_PROTOCOL') {
        // The host is newer than this extension and refused it; its message names what to update.
        const details = (reply.error.details ?? {}) as { hostVersion?: unknown; protocolVersion?: unknown };
        return this.remember({
          state: 'incompatible',
          message: reply.error.message,
          hostVersion: typeof details.hostVersion === 'string' ? details.hostVersion : 'unknown',
          protocolVersion: typeof details.protocolVersion === 'number' ? details.protocolVersion : 0,
          installCommand: hostUpdateCommand(APP_VERSION),
        });
      }
      return this.remember({ state: 'error', error: reply.error });
    }
    const hello = reply.result as HelloResult;
    const mismatch = protocolMismatch(hello);
    if (mismatch) {
      this.close();
      return this.remember({ state: 'incompatible', message: mismatch, hostVersion: hello.hostVersion, protocolVersion: hello.protocolVersion, installCommand: hostUpdateCommand(APP_VERSION) });
    }
    this.hello = hello;
    this.armIdle();
    return this.remember({ state: 'connected', hostVersion: hello.hostVersion, protocolVersion: hello.protocolVersion, capabilities: hello.capabilities });
  }

  private remember(status: HostStatus): HostStatus {
    this.lastStatus = status;
    return status;
  }

  private send(method: MethodName, params: unknown, { onEvent, signal, timeoutMs = this.options.requestTimeoutMs ?? 30_000 }: RequestOptions): Promise<Result<unknown>> {
    const port = this.port;
    if (!port) return Promise.resolve(err('HOST_DISCONNECTED'));
    const id = `r${this.nextId++}`;
    this.disarmIdle();
    return new Promise((resolve) => {
      const entry: Pending = { method, resolve, ...(onEvent ? { onEvent } : {}) };
      if (timeoutMs > 0) {
        entry.timer = setTimeout(() => this.settle(id, err('HOST_TIMEOUT', `The native host did not answer ${method} within ${timeoutMs} ms`)), timeoutMs);
      }
      this.pending.set(id, entry);
      signal?.addEventListener('abort', () => {
        this.port?.postMessage({ id: `c${this.nextId++}`, method: 'cancel', params: { requestId: id } });
      });
      try {
        port.postMessage({ id, method, params });
      } catch (error) {
        this.settle(id, err('HOST_DISCONNECTED', (error as Error).message));
      }
    });
  }

  private settle(id: RequestId, result: Result<unknown>): void {
    const entry = this.pending.get(id);
    if (!entry) return;
    this.pending.delete(id);
    if (entry.timer) clearTimeout(entry.timer);
    entry.resolve(result);
    if (this.pending.size === 0) this.armIdle();
  }

  private receive(raw: unknown): void {
    const parsed = hostMessage.safeParse(raw);
    if (!parsed.success) return; // not ours or malformed: nothing to correlate it with
    const message = parsed.data;
    if ('event' in message) {
      const entry = this.pending.get(message.id);
      if (!entry) return;
      if (message.event === 'part') {
        const part = partEvent.safeParse(message.data);
        if (part.success) (entry.assembler ??= new PartAssembler()).add(part.data.seq, part.data.text);
        return;
      }
      entry.onEvent?.(message.event, message.data);
      return;
    }
    if (message.id === null) return; // a framing error not tied to a request
    const entry = this.pending.get(message.id);
    if (!entry) return;
    if (!message.ok) return this.settle(message.id, { ok: false, error: message.error });
    let value: unknown = message.result;
    if (message.parts !== undefined) {
      const joined = (entry.assembler ?? new PartAssembler()).finish(message.parts);
      if (!joined.ok) return this.settle(message.id, err('INVALID_RESULT', `Chunked ${entry.method} result: ${joined.message}`));
      value = joined.value;
    }
    const checked = methods[entry.method].result.safeParse(value);
    this.settle(message.id, checked.success ? ok(checked.data) : err('INVALID_RESULT', `The host's ${entry.method} result does not match the protocol`));
  }

  private disconnected(port: PortLike): void {
    if (this.port !== port && this.port !== null) return;
    const reason = this.options.lastErrorMessage() ?? 'Native host has exited.';
    this.port = null;
    this.hello = null;
    this.lastStatus = null;
    const missing = /not found|forbidden|not allowed/i.test(reason);
    this.failAll(
      missing
        ? { code: 'HOST_NOT_INSTALLED', message: `The HydraFlow native host is not installed for this browser (${reason}).` }
        : { code: 'HOST_DISCONNECTED', message: `The native host disconnected: ${reason}` },
    );
  }

  private failAll(error: AppError): void {
    for (const id of [...this.pending.keys()]) this.settle(id, { ok: false, error });
  }

  private armIdle(): void {
    this.disarmIdle();
    const idleMs = this.options.idleMs ?? 60_000;
    if (idleMs > 0 && this.port) this.idleTimer = setTimeout(() => this.close(), Math.max(idleMs, this.heldUntil - Date.now()));
  }

  private disarmIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }
}

/**
 * Why this extension cannot use the host that answered, naming the command that updates the
 * side that is behind; null when they fit.
 */
export function protocolMismatch(hello: { hostVersion: string; protocolVersion: number }): string | null {
  const host = `The installed native host ${hello.hostVersion} (protocol ${hello.protocolVersion})`;
  const extension = `this extension ${APP_VERSION} (protocol ${MIN_HOST_PROTOCOL_VERSION === PROTOCOL_VERSION ? PROTOCOL_VERSION : `${MIN_HOST_PROTOCOL_VERSION}–${PROTOCOL_VERSION}`})`;
  if (hello.protocolVersion < MIN_HOST_PROTOCOL_VERSION) return `${host} is older than ${extension}. Update the host (your config and data are kept): ${hostUpdateCommand(APP_VERSION)}`;
  if (hello.protocolVersion > PROTOCOL_VERSION) return `${host} is newer than ${extension}. ${extensionUpdateHint(hello.hostVersion, APP_VERSION)}`;
  return null;
}

function statusError(status: HostStatus): AppError {
  switch (status.state) {
    case 'not_installed':
      return { code: 'HOST_NOT_INSTALLED', message: `${status.message} Install it with: ${status.installCommand}` };
    case 'incompatible':
      return { code: 'INCOMPATIBLE_PROTOCOL', message: status.message };
    case 'error':
      return status.error;
    case 'connected':
      return { code: 'INTERNAL_ERROR', message: 'connected' };
  }
}

/** The real connection, over chrome.runtime.connectNative. */
export function createNativeHostConnection(): HostConnection {
  return new HostConnection({
    connect: () => chrome.runtime.connectNative(NATIVE_HOST_NAME),
    lastErrorMessage: () => chrome.runtime.lastError?.message,
  });
}
