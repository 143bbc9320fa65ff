import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ERRORS } from '../../shared/errors';
import { APP_VERSION, MIN_EXTENSION_PROTOCOL_VERSION, PROTOCOL_VERSION } from '../../shared/version';
import { encodeFrame } from '../../native-host/core/frame-decoder';
import { HOST_BUNDLE, HostProcess } from '../support/host-process';

const hello = { protocolVersion: PROTOCOL_VERSION, client: 'contract-test' };

describe('native host framing and routing (real process over stdio)', () => {
  let host: HostProcess;

  beforeEach(() => {
    expect(existsSync(HOST_BUNDLE), 'host bundle built (npm run build:host)').toBe(true);
    host = new HostProcess();
  });

  afterEach(async () => {
    expect(host.garbage, 'every stdout byte is part of a frame').toBeNull();
    await host.stop();
  });

  it('answers hello with host version, protocol version and capabilities', async () => {
    const reply = await host.request('h1', 'hello', hello);
    expect(reply).toMatchObject({ id: 'h1', ok: true, protocolVersion: PROTOCOL_VERSION });
    const result = reply.result as { hostVersion: string; protocolVersion: number; capabilities: string[] };
    expect(result.protocolVersion).toBe(PROTOCOL_VERSION);
    expect(result.hostVersion).toMatch(/^\d+\.\d+\.\d+/);
    expect(result.capabilities).toContain('hello');
  });

  it('refuses an extension older than it serves, naming the extension update and the host that matches it', async () => {
    const reply = await host.request('old', 'hello', { protocolVersion: MIN_EXTENSION_PROTOCOL_VERSION - 1, client: 'hydraflow-extension', clientVersion: '0.0.9' });
    expect(reply).toMatchObject({ ok: false, error: { code: 'INCOMPATIBLE_PROTOCOL', details: { hostVersion: APP_VERSION, protocolVersion: PROTOCOL_VERSION } } });
    expect(reply.error!.message).toBe(
      `The installed host ${APP_VERSION} (protocol ${PROTOCOL_VERSION}) is newer than the extension 0.0.9 (protocol ${MIN_EXTENSION_PROTOCOL_VERSION - 1}). ` +
        `Update the HydraFlow extension to ${APP_VERSION} or later (chrome://extensions → Developer mode → Update; store installs update themselves), or install the host that matches this extension: npx hydraflow-host@0.0.9 install`,
    );
  });

  it('reassembles a frame written one byte at a time', async () => {
    const frame = encodeFrame({ id: 'split', method: 'hello', params: hello });
    for (const byte of frame) {
      await host.writeRaw(Uint8Array.of(byte));
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    expect(await host.reply('split')).toMatchObject({ ok: true });
  });

  it('answers two frames that arrive in one write', async () => {
    await host.writeRaw(Buffer.concat([encodeFrame({ id: 'a', method: 'hello', params: hello }), encodeFrame({ id: 'b', method: 'hello', params: hello })]));
    expect(await host.reply('a')).toMatchObject({ ok: true });
    expect(await host.reply('b')).toMatchObject({ ok: true });
  });

  it('refuses a 70 MiB length prefix with FRAME_TOO_LARGE and answers the next request', async () => {
    const header = Buffer.alloc(4);
    header.writeUInt32LE(70 * 1024 * 1024, 0);
    await host.writeRaw(header);
    const error = await host.waitFor((f) => f.ok === false && f.error?.code === 'FRAME_TOO_LARGE');
    expect(error.id).toBeNull();
    expect(error.error?.message).toMatch(/exceeds/);
    expect(await host.request('after-oversize', 'hello', hello)).toMatchObject({ ok: true });
  });

  it('discards a frame that stops arriving before its declared length (FRAME_TRUNCATED) and answers the next request', async () => {
    await host.stop();
    host = new HostProcess({ env: { HYDRAFLOW_FRAME_STALL_MS: '200' } });
    const full = encodeFrame({ id: 'cut', method: 'hello', params: hello });
    await host.writeRaw(full.subarray(0, 20));
    const error = await host.waitFor((f) => f.error?.code === 'FRAME_TRUNCATED', 5000);
    expect(error.id).toBeNull();
    expect(host.frames.some((f) => f.id === 'cut')).toBe(false);
    expect(await host.request('after-truncated', 'hello', hello)).toMatchObject({ ok: true });
  });

  it('keeps a slowly arriving frame whose bytes keep coming', async () => {
    await host.stop();
    host = new HostProcess({ env: { HYDRAFLOW_FRAME_STALL_MS: '300' } });
    const full = encodeFrame({ id: 'slow', method: 'hello', params: hello });
    for (let at = 0; at < full.length; at += 8) {
      await host.writeRaw(full.subarray(at, at + 8));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await host.reply('slow')).toMatchObject({ ok: true });
    expect(host.frames.some((f) => f.error?.code === 'FRAME_TRUNCATED')).toBe(false);
  });

  it('refuses garbage bytes and a zero length, answering the next request after each', async () => {
    await host.writeRaw(Buffer.from('GET / HTTP/1.1\r\n\r\n\xff\xfe garbage'));
    await host.waitFor((f) => f.error?.code === 'FRAME_TOO_LARGE');
    expect(await host.request('after-garbage', 'hello', hello)).toMatchObject({ ok: true });
    await host.writeRaw(Buffer.from([0, 0, 0, 0]));
    await host.waitFor((f) => f.error?.code === 'INVALID_FRAME');
    expect(await host.request('after-zero', 'hello', hello)).toMatchObject({ ok: true });
  });

  it('answers invalid JSON with INVALID_JSON and stays up', async () => {
    const body = Buffer.from('{"id": "x", "method": hel');
    const header = Buffer.alloc(4);
    header.writeUInt32LE(body.length, 0);
    await host.writeRaw(Buffer.concat([header, body]));
    const error = await host.waitFor((f) => f.error?.code === 'INVALID_JSON');
    expect(error).toMatchObject({ id: null, ok: false, protocolVersion: PROTOCOL_VERSION });
    expect(await host.request('after-json', 'hello', hello)).toMatchObject({ ok: true });
  });

  it('answers an unknown method with UNKNOWN_METHOD and its id', async () => {
    const reply = await host.request(7, 'does.not.exist', {});
    expect(reply).toMatchObject({ id: 7, ok: false, error: { code: 'UNKNOWN_METHOD' } });
    expect(reply.error?.message).toContain('does.not.exist');
    expect(await host.request(8, 'hello', hello)).toMatchObject({ ok: true });
  });

  it('answers params that fail the schema with INVALID_PARAMS', async () => {
    const reply = await host.request('bad', 'hello', { protocolVersion: 'one' });
    expect(reply).toMatchObject({ id: 'bad', ok: false, error: { code: 'INVALID_PARAMS' } });
    expect(reply.error?.message).toContain('protocolVersion');
    expect(await host.request('good', 'hello', hello)).toMatchObject({ ok: true });
  });

  it('answers a request without a method with INVALID_REQUEST', async () => {
    await host.send({ id: 'nomethod', params: {} });
    expect(await host.reply('nomethod')).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } });
    await host.send([1, 2, 3]);
    await host.waitFor((f) => f.id === null && f.error?.code === 'INVALID_REQUEST');
  });

  it('uses only codes from the shared error table', async () => {
    await host.request('u', 'nope');
    await host.writeRaw(Buffer.from([0, 0, 0, 0]));
    await host.waitFor((f) => f.error?.code === 'INVALID_FRAME');
    for (const frame of host.frames) if (frame.error) expect(Object.keys(ERRORS)).toContain(frame.error.code);
  });

  it('exits cleanly when the browser closes stdin', async () => {
    await host.request('h', 'hello', hello);
    host.child.stdin.end();
    expect(await host.exited).toBe(0);
    expect(existsSync(join(host.home, 'data', 'logs', 'host.log'))).toBe(true);
  });
});

describe('stdout carries frames only', () => {
  it('sends console.log and stray stdout writes to stderr, never to the browser', async () => {
    const host = new HostProcess({ nodeArgs: ['--import', new URL('./fixtures/late-stdout-writer.mjs', import.meta.url).pathname] });
    try {
      await host.request('before', 'hello', hello);
      await host.waitFor(() => host.stderr.includes('LEAK process.stdout.write'), 20_000).catch(() => undefined);
      expect(host.stderr).toContain('LEAK console.log');
      expect(host.stderr).toContain('LEAK console.info');
      expect(host.stderr).toContain('LEAK process.stdout.write');
      expect(await host.request('after', 'hello', hello)).toMatchObject({ ok: true });
      expect(host.garbage).toBeNull();
      expect(host.frames.every((f) => typeof f === 'object' && f !== null && 'protocolVersion' in f)).toBe(true);
    } finally {
      await host.stop();
    }
  });
});
