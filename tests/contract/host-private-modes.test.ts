/**
 * Everything the host keeps is private, whatever the umask: under umask 022, after an install, an
 * export through the protocol, an apply, a history read and a log rotation, every folder the host
 * made is 0700 and every file 0600 (the launcher 0700). `doctor` names a loosened file and
 * `install` repairs it.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeChromiumHistory } from '../fixtures/make-history';
import { CLI } from '../support/cli';
import { HostProcess } from '../support/host-process';

const base = mkdtempSync(join(tmpdir(), 'hf-modes-'));
const home = join(base, 'home');
const env = { ...process.env, HYDRAFLOW_HOME: home };
afterAll(() => rmSync(base, { recursive: true, force: true }));

function cli022(args: string[], input?: string) {
  const run = spawnSync('/bin/sh', ['-c', 'umask 022 && exec "$0" "$@"', process.execPath, CLI, ...args], { env, encoding: 'utf8', input, timeout: 120_000 });
  expect(run.status, `${args.join(' ')}: ${run.stdout} ${run.stderr}`).toBe(0);
  return run;
}

/** Every entry under `root` whose mode is not private (folders 0700; files 0600, or 0700 when executable). */
function loose(root: string): string[] {
  const found: string[] = [];
  const walk = (path: string) => {
    const stats = lstatSync(path);
    const mode = stats.mode & 0o777;
    if (stats.isDirectory()) {
      if (mode !== 0o700) found.push(`${path} ${mode.toString(8)}`);
      for (const name of readdirSync(path)) walk(join(path, name));
    } else if (mode !== 0o600 && mode !== 0o700) found.push(`${path} ${mode.toString(8)}`);
  };
  walk(root);
  return found;
}

describe('private files under umask 022', () => {
  it('install, export, apply, history read and log rotation leave only 0700 folders and 0600 files', async () => {
    const repo = join(base, 'repo');
    mkdirSync(repo);
    writeFileSync(join(repo, 'a.txt'), 'one\ntwo\n');
    cli022(['install', '--user-data-dir', join(base, 'udd')]);
    cli022(['repo', 'add', 'main', repo]);
    cli022(['repo', 'apply', '--repo', 'main', '--patch', '-'], ['--- a/a.txt', '+++ b/a.txt', '@@ -1,2 +1,2 @@', ' one', '-two', '+TWO', ''].join('\n'));
    const files = join(base, 'files');
    mkdirSync(files);
    writeChromiumHistory(join(files, 'History'));
    const folders = JSON.parse(cli022(['folders', 'add', files]).stdout) as { folders: { id: string; isDefault: boolean }[] };
    // A log just under the rotation size: the host's next lines rotate it.
    mkdirSync(join(home, 'data', 'logs'), { recursive: true, mode: 0o700 });
    writeFileSync(join(home, 'data', 'logs', 'host.log'), 'x'.repeat(1024 * 1024), { mode: 0o600 });

    const host = new HostProcess({ home, umask: '022' });
    try {
      const opened = await host.request('o', 'bundle.writeOpen', { fileName: 'export.hydraflow' });
      const handle = (opened.result as { handle: string }).handle;
      expect((await host.request('c', 'bundle.writeChunk', { handle, offset: 0, data: Buffer.from('bundle bytes').toString('base64') })).ok).toBe(true);
      expect((await host.request('x', 'bundle.writeClose', { handle })).ok).toBe(true);
      const read = await host.request('h', 'history.read', { file: { folderId: folders.folders.find((f) => !f.isDefault)!.id, name: 'History' }, limit: 5 });
      expect(read.ok, JSON.stringify(read.error)).toBe(true);
      const applied = await host.request('a', 'repo.apply', { repoId: 'main', patch: ['--- a/a.txt', '+++ b/a.txt', '@@ -1,2 +1,2 @@', ' one', '-TWO', '+2', ''].join('\n') });
      expect(applied.ok, JSON.stringify(applied.error)).toBe(true);
    } finally {
      host.child.stdin.end();
      await host.exited;
    }
    expect(readdirSync(join(home, 'data', 'logs')).sort()).toEqual(['host.log', 'host.log.1']);
    for (const folder of ['bundles', 'repo', 'logs', 'bin', 'history-copies']) expect(readdirSync(join(home, 'data')), folder).toContain(folder);
    expect(loose(home)).toEqual([]);
    expect(lstatSync(join(home, 'data', 'bin', 'hydraflow-host')).mode & 0o777).toBe(0o700);
  });

  it('doctor reports a loosened file and folder; install makes them private again', () => {
    chmodSync(join(home, 'config.json'), 0o644);
    chmodSync(join(home, 'data', 'bundles'), 0o755);
    const doctor = spawnSync(process.execPath, [CLI, 'doctor', '--user-data-dir', join(base, 'udd'), '--json'], { env, encoding: 'utf8', timeout: 60_000 });
    expect(doctor.status).toBe(1);
    const report = JSON.parse(doctor.stdout) as { modes: { ok: boolean; loose: { path: string; mode: string; expected: string }[] } };
    expect(report.modes.loose).toEqual([
      { path: join(home, 'config.json'), mode: '0644', expected: '0600' },
      { path: join(home, 'data', 'bundles'), mode: '0755', expected: '0700' },
    ]);
    cli022(['install', '--user-data-dir', join(base, 'udd')]);
    expect(loose(home)).toEqual([]);
    const again = spawnSync(process.execPath, [CLI, 'doctor', '--user-data-dir', join(base, 'udd'), '--json'], { env, encoding: 'utf8', timeout: 60_000 });
    expect(JSON.parse(again.stdout)).toMatchObject({ ok: true, modes: { ok: true, loose: [] } });
  });
});
