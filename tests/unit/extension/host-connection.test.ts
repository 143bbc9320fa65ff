/**
 * The background's HostConnection against the real host server code, run in-process: frames go
 * through the real encoder/decoder and router. Only the browser's Port is stood in for.
 */
import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { HostConnection, protocolMismatch, type PortLike } from '../../../extension/host/connection';
import { APP_VERSION, PROTOCOL_VERSION } from '../../../shared/version';
import { createHandlers } from '../../../native-host/commands';
import { encodeFrame, FrameDecoder } from '../../../native-host/core/frame-decoder';
import { hostPaths } from '../../../native-host/core/paths';
import { createLogger } from '../../../native-host/logger';
import { serve } from '../../../native-host/server';
import { planReply } from '../../../shared/protocol/chunking';

const log = createLogger({ logDir: null, toStderr: false });

/** A Port wired to an in-process host server, as chrome.runtime.connectNative would be to the real one. */
function portToServer(): { port: PortLike; stopHost: () => void } {
  const toHost = new PassThrough();
  const decoder = new FrameDecoder(1_048_576);
  const messageListeners: ((m: unknown) => void)[] = [];
  const disconnectListeners: (() => void)[] = [];
  void serve({
    input: toHost,
    write: (bytes) => {
      for (const frame of decoder.push(bytes)) if (frame.kind === 'message') queueMicrotask(() => messageListeners.forEach((l) => l(frame.value)));
    },
    handlers: createHandlers({ paths: hostPaths('linux', '/nonexistent', {}), log, platform: 'linux' }),
    log,
  }).then(() => disconnectListeners.forEach((l) => l()));
  return {
    port: {
      postMessage: (message) => toHost.write(encodeFrame(message)),
      disconnect: () => toHost.end(),
      onMessage: { addListener: (l) => messageListeners.push(l) },
      onDisconnect: { addListener: (l) => disconnectListeners.push(l) },
    },
    stopHost: () => toHost.end(),
  };
}

describe('HostConnection', () => {
  it('connects with a hello handshake and reports the host version', async () => {
    const { port } = portToServer();
    const connection = new HostConnection({ connect: () => port, lastErrorMessage: () => undefined, idleMs: 0 });
    const status = await connection.status();
    expect(status).toMatchObject({ state: 'connected', protocolVersion: 1, capabilities: expect.arrayContaining(['hello', 'cancel']) });
    const cancel = await connection.request('cancel', { requestId: 'nothing-running' });
    expect(cancel).toEqual({ ok: true, result: { cancelled: false } });
    connection.close();
  });

  it('closes the port when idle, but not while held open (a preview awaiting approval), and again once the hold is given up', async () => {
    let disconnects = 0;
    let connects = 0;
    const connect = (): PortLike => {
      connects++;
      const { port } = portToServer();
      return { ...port, disconnect: () => (disconnects++, port.disconnect()) };
    };
    const connection = new HostConnection({ connect, lastErrorMessage: () => undefined, idleMs: 60 });
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    expect((await connection.status()).state).toBe('connected');
    await sleep(500);
    expect(disconnects, 'closed after the idle time').toBe(1);

    expect((await connection.status()).state).toBe('connected');
    connection.keepOpenFor(400);
    await sleep(250);
    expect(disconnects, 'held past the idle time').toBe(1);
    expect(await connection.request('cancel', { requestId: 'x' })).toEqual({ ok: true, result: { cancelled: false } });
    expect(connects, 'the same port served the request').toBe(2);
    await sleep(700);
    expect(disconnects, 'closed when the hold ran out').toBe(2);

    expect((await connection.status()).state).toBe('connected');
    connection.keepOpenFor(10_000);
    connection.keepOpenFor(0);
    await sleep(500);
    expect(disconnects, 'a hold given up leaves the usual idle close').toBe(3);
  });

  it('reports not_installed with the install command when the browser finds no host', async () => {
    let disconnect: () => void = () => undefined;
    const port: PortLike = {
      postMessage: () => queueMicrotask(() => disconnect()),
      disconnect: () => undefined,
      onMessage: { addListener: () => undefined },
      onDisconnect: { addListener: (l) => (disconnect = l) },
    };
    const connection = new HostConnection({ connect: () => port, lastErrorMessage: () => 'Specified native messaging host not found.', idleMs: 0 });
    expect(await connection.status()).toEqual({
      state: 'not_installed',
      message: expect.stringContaining('not installed'),
      installCommand: 'npx hydraflow-host install',
    });
    expect(await connection.request('hello', { protocolVersion: 1 })).toMatchObject({ ok: false, error: { code: 'HOST_NOT_INSTALLED' } });
  });

  it('fails a pending request with HOST_DISCONNECTED when the host exits, and reconnects next time', async () => {
    const listeners: ((m: unknown) => void)[] = [];
    let disconnect: () => void = () => undefined;
    let connects = 0;
    const port: PortLike = {
      postMessage: (message) => {
        const { id, method } = message as { id: string; method: string };
        if (method === 'hello') {
          queueMicrotask(() => listeners.forEach((l) => l({ id, ok: true, protocolVersion: 1, result: { hostVersion: '0.1.0', protocolVersion: 1, capabilities: [], platform: 'linux', nodeVersion: 'v20' } })));
        } else {
          setTimeout(() => disconnect(), 5); // the host dies while working on it
        }
      },
      disconnect: () => undefined,
      onMessage: { addListener: (l) => listeners.push(l) },
      onDisconnect: { addListener: (l) => (disconnect = l) },
    };
    const connection = new HostConnection({ connect: () => (connects++, port), lastErrorMessage: () => 'Native host has exited.', idleMs: 0 });
    expect((await connection.status()).state).toBe('connected');
    expect(await connection.request('cancel', { requestId: 'x' })).toEqual({
      ok: false,
      error: { code: 'HOST_DISCONNECTED', message: 'The native host disconnected: Native host has exited.' },
    });
    expect((await connection.status()).state).toBe('connected');
    expect(connects).toBe(2);
  });

  it('times out a request the host never answers', async () => {
    const port: PortLike = { postMessage: () => undefined, disconnect: () => undefined, onMessage: { addListener: () => undefined }, onDisconnect: { addListener: () => undefined } };
    const connection = new HostConnection({ connect: () => port, lastErrorMessage: () => undefined, idleMs: 0, helloTimeoutMs: 200 });
    const started = Date.now();
    const status = await Promise.race([connection.status(), new Promise((r) => setTimeout(() => r('too slow'), 5_000))]);
    expect(status).toMatchObject({ state: 'error', error: { code: 'HOST_TIMEOUT' } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('reassembles a result that arrived in parts and validates it against the method schema', async () => {
    const listeners: ((m: unknown) => void)[] = [];
    const hello = { hostVersion: '0.1.0', protocolVersion: 1, capabilities: ['x'.repeat(300_000), 'y'.repeat(300_000), 'z'.repeat(600_000)], platform: 'linux', nodeVersion: 'v20' };
    const port: PortLike = {
      postMessage: (message) => {
        const { id } = message as { id: string };
        const plan = planReply(id, 1, hello);
        expect(plan.parts.length).toBeGreaterThan(1);
        queueMicrotask(() => [...plan.parts, plan.reply].forEach((frame) => listeners.forEach((l) => l(frame))));
      },
      disconnect: () => undefined,
      onMessage: { addListener: (l) => listeners.push(l) },
      onDisconnect: { addListener: () => undefined },
    };
    const connection = new HostConnection({ connect: () => port, lastErrorMessage: () => undefined, idleMs: 0 });
    const status = await connection.status();
    expect(status.state).toBe('connected');
    expect(status.state === 'connected' && status.capabilities.map((c) => c.length)).toEqual([300_000, 300_000, 600_000]);
  });

  it('refuses a host speaking a newer protocol as incompatible', async () => {
    const listeners: ((m: unknown) => void)[] = [];
    const port: PortLike = {
      postMessage: (message) => {
        const { id } = message as { id: string };
        queueMicrotask(() => listeners.forEach((l) => l({ id, ok: true, protocolVersion: 7, result: { hostVersion: '7.0.0', protocolVersion: 7, capabilities: [], platform: 'linux', nodeVersion: 'v20' } })));
      },
      disconnect: () => undefined,
      onMessage: { addListener: (l) => listeners.push(l) },
      onDisconnect: { addListener: () => undefined },
    };
    const connection = new HostConnection({ connect: () => port, lastErrorMessage: () => undefined, idleMs: 0 });
    expect(await connection.status()).toMatchObject({ state: 'incompatible', hostVersion: '7.0.0', protocolVersion: 7 });
  });

  it('names the side that is behind and the command that updates it', () => {
    expect(protocolMismatch({ hostVersion: APP_VERSION, protocolVersion: PROTOCOL_VERSION })).toBeNull();
    expect(protocolMismatch({ hostVersion: '0.0.1', protocolVersion: PROTOCOL_VERSION - 1 })).toBe(
      `The installed native host 0.0.1 (protocol ${PROTOCOL_VERSION - 1}) is older than this extension ${APP_VERSION} (protocol ${PROTOCOL_VERSION}). Update the host (your config and data are kept): npx hydraflow-host@${APP_VERSION} install`,
    );
    expect(protocolMismatch({ hostVersion: '9.0.0', protocolVersion: PROTOCOL_VERSION + 1 })).toMatch(/is newer than this extension .* Update the HydraFlow extension to 9\.0\.0 or later .* npx hydraflow-host@/);
  });
});
