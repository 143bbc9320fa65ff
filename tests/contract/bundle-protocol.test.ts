/**
 * bundle.* through the real host process: a file written in slices is linked into the bundle
 * folder only when closed, read back byte for byte in slices under the frame limit; an abandoned
 * writer leaves nothing, not even after the host exits mid-write.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostProcess } from '../support/host-process';
import { fixtureBundle } from '../fixtures/bundles';

let host: HostProcess;
let bytes: Uint8Array;

beforeAll(async () => {
  host = new HostProcess();
  bytes = await fixtureBundle();
});
afterAll(async () => {
  await host.stop();
});

const folder = () => join(host.home, 'data', 'bundles');

describe('bundle protocol', () => {
  it('writes a bundle in chunks, lists it, and reads it back in slices', async () => {
    const opened = await host.request('o1', 'bundle.writeOpen', { fileName: 'contract.hydraflow' });
    expect(opened.ok, JSON.stringify(opened.error)).toBe(true);
    const { handle, path, folderId, name } = opened.result as { handle: string; path: string; folderId: string; name: string };
    expect([path, folderId, name]).toEqual([join(folder(), 'contract.hydraflow'), 'bundles', 'contract.hydraflow']);
    const half = Math.floor(bytes.length / 2);
    expect((await host.request('c1', 'bundle.writeChunk', { handle, offset: 0, data: Buffer.from(bytes.subarray(0, half)).toString('base64') })).ok).toBe(true);
    const wrongOffset = await host.request('c2', 'bundle.writeChunk', { handle, offset: 0, data: 'AAAA' });
    expect(wrongOffset.error?.code).toBe('INVALID_PARAMS');
    expect(existsSync(path)).toBe(false);
    expect((await host.request('c3', 'bundle.writeChunk', { handle, offset: half, data: Buffer.from(bytes.subarray(half)).toString('base64') })).ok).toBe(true);
    const closed = await host.request('x1', 'bundle.writeClose', { handle });
    expect(closed.result).toMatchObject({ path, size: bytes.length });
    expect(new Uint8Array(readFileSync(path))).toEqual(bytes);
    const list = await host.request('l1', 'bundle.list', {});
    expect((list.result as { files: { name: string }[] }).files.map((f) => f.name)).toEqual(['contract.hydraflow']);
    const parts: Buffer[] = [];
    for (let offset = 0; offset < bytes.length; offset += 1000) {
      const slice = await host.request(`r${offset}`, 'bundle.readBytes', { folderId: 'bundles', name: 'contract.hydraflow', offset, length: 1000 });
      parts.push(Buffer.from((slice.result as { data: string }).data, 'base64'));
    }
    expect(new Uint8Array(Buffer.concat(parts))).toEqual(bytes);
    const tooLong = await host.request('r-big', 'bundle.readBytes', { folderId: 'bundles', name: 'contract.hydraflow', offset: 0, length: 2_000_000 });
    expect(tooLong.error?.code).toBe('INVALID_PARAMS');
  });

  it('refuses to write over an existing file and a missing file is BUNDLE_FILE_NOT_FOUND', async () => {
    expect((await host.request('e1', 'bundle.writeOpen', { fileName: 'contract.hydraflow' })).error?.code).toBe('BUNDLE_FILE_EXISTS');
    expect((await host.request('e2', 'bundle.stat', { folderId: 'bundles', name: 'missing.hydraflow' })).error?.code).toBe('BUNDLE_FILE_NOT_FOUND');
    // A path is not a parameter any more: the schema refuses it.
    expect((await host.request('e3', 'bundle.writeOpen', { path: '/tmp/x.hydraflow' })).error?.code).toBe('INVALID_PARAMS');
  });

  it('an aborted writer and a host that exits mid-write leave no file behind', async () => {
    const a = await host.request('a1', 'bundle.writeOpen', { fileName: 'aborted.hydraflow' });
    const handle = (a.result as { handle: string }).handle;
    await host.request('a2', 'bundle.writeChunk', { handle, offset: 0, data: 'AAAA' });
    expect((await host.request('a3', 'bundle.writeAbort', { handle })).result).toEqual({ aborted: true });
    const other = new HostProcess({ home: mkdtempSync(join(tmpdir(), 'hf-home-')) });
    const opened = await other.request('b1', 'bundle.writeOpen', { fileName: 'cut.hydraflow' });
    await other.request('b2', 'bundle.writeChunk', { handle: (opened.result as { handle: string }).handle, offset: 0, data: 'AAAA' });
    expect(readdirSync(join(other.home, 'data', 'bundles'))).toHaveLength(1);
    // The browser closes the port: the host exits and deletes what it never finished.
    other.child.stdin.end();
    await other.exited;
    expect(readdirSync(join(other.home, 'data', 'bundles'))).toEqual([]);
    rmSync(other.home, { recursive: true, force: true });
    expect(readdirSync(folder()).sort()).toEqual(['contract.hydraflow']);
  });
});
