/**
 * The host program runs its code with a V8 code cache (native-host/entry.ts): one file per
 * subcommand next to the program, private, written by the first run; a cache that is garbage,
 * from another build, or that cannot be written changes nothing a user sees.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HOST_BUNDLE } from '../support/host-process';
import { makeRepoFixture, type RepoFixture } from '../support/repo-fixture';

let dir: string;
let program: string;
let cacheDir: string;
let fixture: RepoFixture;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hf-code-cache-'));
  program = join(dir, 'hydraflow-host.mjs');
  copyFileSync(HOST_BUNDLE, program);
  copyFileSync(join(HOST_BUNDLE, '..', 'hydraflow-host.code.js'), join(dir, 'hydraflow-host.code.js'));
  cacheDir = join(dir, 'hydraflow-host.v8-cache');
  fixture = makeRepoFixture({ 'a.txt': 'one\n' });
});
afterEach(() => {
  chmodSync(dir, 0o755);
  rmSync(dir, { recursive: true, force: true });
  fixture.cleanup();
});

function host(...args: string[]) {
  const run = spawnSync(process.execPath, [program, ...args], { env: { ...process.env, HYDRAFLOW_HOME: fixture.home }, encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

const cacheFiles = () => readdirSync(cacheDir).sort();

describe('the host code cache', () => {
  it('is written once per subcommand, private, and used by the next run of that subcommand', () => {
    const first = host('repo', 'list');
    expect(first.status, first.stderr).toBe(0);
    expect(host('--version').stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const files = cacheFiles();
    expect(files).toHaveLength(2);
    expect(files.some((name) => name.endsWith('-repo-list.bin'))).toBe(true);
    expect(files.some((name) => name.endsWith('-version.bin'))).toBe(true);
    expect(statSync(cacheDir).mode & 0o777).toBe(0o700);
    for (const name of files) expect(statSync(join(cacheDir, name)).mode & 0o777).toBe(0o600);
    const listCache = join(cacheDir, files.find((name) => name.endsWith('-repo-list.bin'))!);
    const written = readFileSync(listCache);
    const { mtimeMs } = statSync(listCache);
    // A run that used the cache leaves it alone.
    expect(host('repo', 'list').stdout).toBe(first.stdout);
    expect(statSync(listCache).mtimeMs).toBe(mtimeMs);
    expect(readFileSync(listCache).equals(written)).toBe(true);
  });

  it('keeps no cache for a run that fails (a mistyped command)', () => {
    expect(host('frobnicate').status).toBe(2);
    expect(host('repo', 'lsit').status).toBe(2);
    expect(() => readdirSync(cacheDir)).toThrow();
  });

  it('rejects a garbage cache and writes it again; the output is the same', () => {
    const first = host('repo', 'list');
    const [name] = cacheFiles();
    const cache = join(cacheDir, name!);
    const length = statSync(cache).size;
    writeFileSync(cache, Buffer.alloc(length, 0x5a));
    const again = host('repo', 'list');
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toBe(first.stdout);
    expect(readFileSync(cache).equals(Buffer.alloc(length, 0x5a))).toBe(false);
  });

  it('drops the caches of other builds when it writes its own', () => {
    mkdirSync(cacheDir, { mode: 0o700 });
    writeFileSync(join(cacheDir, '0000000000000000-v20.0.0-x64-repo-list.bin'), 'old build');
    expect(host('repo', 'list').status).toBe(0);
    expect(cacheFiles()).toHaveLength(1);
    expect(cacheFiles()[0]).not.toMatch(/^0000000000000000-/);
  });

  it('runs without a cache where its folder cannot be written, and with HYDRAFLOW_CODE_CACHE=0', () => {
    if (process.getuid?.() === 0) {
      // root writes anywhere: a file where the folder would be stops it instead.
      writeFileSync(cacheDir, 'not a folder');
    } else chmodSync(dir, 0o555);
    const run = host('repo', 'list');
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true });
    chmodSync(dir, 0o755);
    rmSync(cacheDir, { recursive: true, force: true });
    const off = spawnSync(process.execPath, [program, 'repo', 'list'], { env: { ...process.env, HYDRAFLOW_HOME: fixture.home, HYDRAFLOW_CODE_CACHE: '0' }, encoding: 'utf8' });
    expect(off.status).toBe(0);
    expect(() => readdirSync(cacheDir)).toThrow();
  });
});
