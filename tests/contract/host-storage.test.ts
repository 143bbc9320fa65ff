/**
 * The host's own disk: usage by kind, the retention caps (oldest rotated logs and oldest ledger
 * pre-images first; a change without pre-images refuses revert with CHANGE_NOT_REVERTIBLE), and
 * the wipe that keeps the launcher and the config.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HostProcess } from '../support/host-process';
import { makeRepoFixture, wholeFileDiff, type RepoFixture } from '../support/repo-fixture';

let host: HostProcess | null = null;
let fixture: RepoFixture;
afterEach(async () => {
  host?.child.kill('SIGKILL');
  await host?.exited;
  host = null;
  fixture.cleanup();
});

describe('host storage', () => {
  it('reports bytes per kind, prunes beyond caps (oldest first), and a pruned change cannot be reverted', async () => {
    fixture = makeRepoFixture({ 'a.txt': 'one\n' });
    const data = join(fixture.home, 'data');
    const logs = join(data, 'logs');
    mkdirSync(join(data, 'bundles'), { recursive: true });
    writeFileSync(join(data, 'bundles', 'x.hydraflow'), Buffer.alloc(5000));
    mkdirSync(logs, { recursive: true });
    for (const [i, size] of [[1, 3000], [2, 3000], [3, 3000]] as const) {
      writeFileSync(join(logs, `host.log.${i}`), Buffer.alloc(size));
      utimesSync(join(logs, `host.log.${i}`), new Date(Date.now() - i * 60_000), new Date(Date.now() - i * 60_000));
    }
    host = new HostProcess({ home: fixture.home });
    await host.request(1, 'hello', { protocolVersion: 1 });
    const first = await host.request(2, 'repo.apply', { repoId: 'main', patch: wholeFileDiff('a.txt', 'one\n', 'two\n'), dryRun: false });
    const second = await host.request(3, 'repo.apply', { repoId: 'main', patch: wholeFileDiff('a.txt', 'two\n', 'three\n'), dryRun: false });
    expect(first.ok && second.ok).toBe(true);
    const firstId = (first as { result: { changeId: string } }).result.changeId;
    const secondId = (second as { result: { changeId: string } }).result.changeId;
    // The second change's pre-image is newer: make the ages unambiguous.
    const pre = (id: string) => join(data, 'repo', 'main', 'changes', id, 'pre');
    utimesSync(pre(firstId), new Date(Date.now() - 3_600_000), new Date(Date.now() - 3_600_000));

    const usage = await host.request(4, 'storage.usage', {});
    expect(usage).toMatchObject({ ok: true, result: { bundles: 5000 } });
    const { ledger, logs: logBytes } = (usage as { result: { ledger: number; logs: number } }).result;
    expect(ledger).toBeGreaterThan(8);
    expect(logBytes).toBeGreaterThanOrEqual(9000);

    const currentLog = existsSync(join(logs, 'host.log')) ? readFileSync(join(logs, 'host.log')).length : 0;
    const pruned = await host.request(5, 'storage.prune', { logBytes: currentLog + 3500, preimageBytes: 4 });
    expect(pruned).toMatchObject({ ok: true, result: { logBytesRemoved: 6000, preimageBytesRemoved: 4, changesNoLongerRevertible: 1 } });
    expect(existsSync(join(logs, 'host.log.1'))).toBe(true);
    expect(existsSync(join(logs, 'host.log.3'))).toBe(false);
    expect(existsSync(pre(firstId))).toBe(false);
    expect(existsSync(pre(secondId))).toBe(true);
    // Revert the newest first (the ledger refuses a revert under a later change), then the pruned one.
    expect(await host.request(6, 'repo.revert', { repoId: 'main', changeId: secondId })).toMatchObject({ ok: true });
    expect(await host.request(7, 'repo.revert', { repoId: 'main', changeId: firstId })).toMatchObject({ ok: false, error: { code: 'CHANGE_NOT_REVERTIBLE' } });
    expect(readFileSync(join(fixture.root, 'a.txt'), 'utf8')).toBe('two\n');
  });

  it('wipes bundles, ledgers and logs only with the confirmation, keeping the launcher and config', async () => {
    fixture = makeRepoFixture({ 'a.txt': 'one\n' });
    const data = join(fixture.home, 'data');
    mkdirSync(join(data, 'bundles'), { recursive: true });
    writeFileSync(join(data, 'bundles', 'x.hydraflow'), 'zip');
    mkdirSync(join(data, 'bin'), { recursive: true });
    writeFileSync(join(data, 'bin', 'hydraflow-host'), '#!/bin/sh\n');
    host = new HostProcess({ home: fixture.home });
    await host.request(1, 'hello', { protocolVersion: 1 });
    await host.request(2, 'repo.apply', { repoId: 'main', patch: wholeFileDiff('a.txt', 'one\n', 'two\n'), dryRun: false });
    expect(await host.request(3, 'storage.wipe', { confirm: 'yes' })).toMatchObject({ ok: false, error: { code: 'INVALID_PARAMS' } });
    expect(existsSync(join(data, 'bundles', 'x.hydraflow'))).toBe(true);
    const wiped = await host.request(4, 'storage.wipe', { confirm: 'WIPE' });
    expect(wiped).toMatchObject({ ok: true });
    expect((wiped as { result: { removedBytes: number } }).result.removedBytes).toBeGreaterThan(3);
    expect(existsSync(join(data, 'bundles'))).toBe(false);
    expect(existsSync(join(data, 'repo'))).toBe(false);
    expect(existsSync(join(data, 'bin', 'hydraflow-host'))).toBe(true);
    expect(existsSync(join(fixture.home, 'config.json'))).toBe(true);
    expect(await host.request(5, 'storage.usage', {})).toMatchObject({ ok: true, result: { bundles: 0, ledger: 0 } });
  });
});
