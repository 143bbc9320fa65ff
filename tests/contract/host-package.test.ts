/**
 * The host package as a user installs it: packed with `npm pack`, installed with
 * `npm install -g <tarball>` into an empty prefix outside the repo, registered with its own
 * `install --user-data-dir`, and found healthy by its own `doctor`, with its version and its
 * protocol version the ones this checkout speaks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APP_VERSION, PROTOCOL_VERSION } from '../../shared/version';
import { installHostPackage, runNpm, type InstalledHostPackage } from '../support/host-package';
import { REPO_ROOT } from '../support/host-process';

describe('hydraflow-host as an npm package', () => {
  let installed: InstalledHostPackage;
  let home: string;
  let userDataDir: string;
  beforeAll(async () => {
    installed = await installHostPackage();
    console.log(JSON.stringify({ figure: 'host package npm install -g (s)', value: installed.installSeconds }));
    home = mkdtempSync(join(tmpdir(), 'hf-pkg-home-'));
    userDataDir = mkdtempSync(join(tmpdir(), 'hf-pkg-udd-'));
  }, 180_000);
  afterAll(() => {
    installed?.remove();
    for (const dir of [home, userDataDir]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const run = (args: string[]) => spawnSync(installed.bin, args, { cwd: installed.prefix, encoding: 'utf8', env: { ...process.env, HYDRAFLOW_HOME: home } });

  it('holds only the host, its README and package.json, with the version of this checkout and only runtime dependencies', () => {
    const packageDir = join(installed.prefix, 'lib', 'node_modules', 'hydraflow-host');
    const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as Record<string, unknown>;
    const rootManifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string; engines: unknown; dependencies: Record<string, string> };
    expect(manifest).toMatchObject({ name: 'hydraflow-host', version: APP_VERSION, engines: rootManifest.engines, bin: { 'hydraflow-host': 'hydraflow-host.mjs' } });
    expect(rootManifest.version).toBe(APP_VERSION);
    expect(manifest.optionalDependencies).toEqual({ 'better-sqlite3': rootManifest.dependencies['better-sqlite3'] });
    expect(manifest.dependencies).toBeUndefined();
    expect(installed.installSeconds).toBeLessThan(60);
    expect(run(['--version']).stdout.trim()).toBe(APP_VERSION);
  });

  it('installs for a --user-data-dir from the package (no repo around it) and doctor finds it healthy, speaking this protocol', () => {
    const install = run(['install', '--user-data-dir', userDataDir, '--json']);
    expect(install.status, install.stderr).toBe(0);
    const report = JSON.parse(install.stdout) as { hostScript: string; notes: string[] };
    expect(realpathSync(report.hostScript)).toBe(realpathSync(join(installed.prefix, 'lib', 'node_modules', 'hydraflow-host', 'hydraflow-host.mjs')));
    expect(report.hostScript.startsWith(REPO_ROOT)).toBe(false);
    expect(report.notes).toEqual([]);
    const launcher = join(home, 'data', 'bin', 'hydraflow-host');
    expect(existsSync(launcher)).toBe(true);
    const doctor = run(['doctor', '--user-data-dir', userDataDir]);
    expect(doctor.status, doctor.stdout + doctor.stderr).toBe(0);
    expect(doctor.stdout).toContain(`✓ handshake: hello answered by host ${APP_VERSION} (protocol ${PROTOCOL_VERSION})`);
    expect(doctor.stdout).not.toContain('history reader');
    expect(doctor.stdout.trim().endsWith('healthy')).toBe(true);
  });

  it('without better-sqlite3 (no prebuilt binary, no compiler) still installs, and install and doctor say what to do', async () => {
    const bare = await installHostPackage(installed.tarball, { unbuildable: true });
    try {
      expect(existsSync(join(bare.prefix, 'lib', 'node_modules', 'hydraflow-host', 'node_modules', 'better-sqlite3'))).toBe(false);
      const env = { ...process.env, HYDRAFLOW_HOME: join(home, 'bare') };
      const install = spawnSync(bare.bin, ['install', '--user-data-dir', join(userDataDir, 'bare')], { cwd: bare.prefix, encoding: 'utf8', env });
      expect(install.status, install.stderr).toBe(0);
      expect(install.stderr).toContain('Note: better-sqlite3, which reads browser History files, is not usable');
      expect(install.stderr).toContain('sudo apt-get install -y python3 make g++');
      expect(install.stderr).toContain('npm install -g hydraflow-host && hydraflow-host install');
      const doctor = spawnSync(bare.bin, ['doctor', '--user-data-dir', join(userDataDir, 'bare')], { cwd: bare.prefix, encoding: 'utf8', env });
      expect(doctor.status, doctor.stdout).toBe(0);
      expect(doctor.stdout).toContain('✓ handshake');
      expect(doctor.stdout).toContain('! history reader: better-sqlite3');
    } finally {
      bare.remove();
    }
  }, 180_000);

  it('`npx hydraflow-host install` with no clone and no global install works, and says npx\'s cache holds it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hf-npx-'));
    // A tarball path of its own, so npx installs it afresh into its cache.
    const tarball = join(dir, 'hydraflow-host.tgz');
    copyFileSync(installed.tarball, tarball);
    let hostScript = '';
    try {
      const npx = await runNpm(['exec', '--yes', '--package', tarball, '--', 'hydraflow-host', 'install', '--user-data-dir', join(dir, 'profile'), '--json'], { cwd: dir });
      expect(npx.status, npx.output).toBe(0);
      expect(npx.fetchedPrebuilt).toBe(true);
      const report = JSON.parse(npx.output.trim().split('\n').at(-1)!) as { hostScript: string; notes: string[] };
      hostScript = report.hostScript;
      expect(hostScript).toMatch(/[\\/]_npx[\\/]/);
      expect(report.notes).toEqual([expect.stringContaining('npm install -g hydraflow-host && hydraflow-host install')]);
      const doctor = run(['doctor', '--user-data-dir', join(dir, 'profile')]);
      expect(doctor.status, doctor.stdout).toBe(0);
    } finally {
      // npx's cache entry for this one-off tarball: <cache>/_npx/<hash>/node_modules/hydraflow-host/…
      if (hostScript) rmSync(hostScript.replace(/([\\/]_npx[\\/][^\\/]+)[\\/].*$/, '$1'), { recursive: true, force: true });
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
