import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostPaths } from '../../native-host/core/paths';
import { install, resolveTargets } from '../../native-host/install/install';
import { runningBrowserUserDataDirs } from '../../native-host/install/running-browsers';
import { EXTENSION_ORIGIN } from '../../shared/extension-id';
import { APP_VERSION } from '../../shared/version';
import { runCli } from '../support/cli';
import { HOST_BUNDLE } from '../support/host-process';

describe('hydraflow-host install / doctor / uninstall', () => {
  let home: string;
  let userDataDir: string;
  const env = () => ({ HYDRAFLOW_HOME: home });

  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'hf-home-'));
    userDataDir = mkdtempSync(join(tmpdir(), 'hf-udd-'));
  });
  afterEach(() => {
    rmSync(home, { recursive: true, force: true });
    rmSync(userDataDir, { recursive: true, force: true });
  });

  it('prints its version', () => {
    const run = runCli(['--version']);
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toBe(APP_VERSION);
  });

  it('installs into a user-data-dir and doctor then reports healthy', () => {
    const install = runCli(['install', '--user-data-dir', userDataDir, '--json'], env());
    expect(install.status, install.stderr).toBe(0);
    const report = JSON.parse(install.stdout) as { launcher: string; installed: { manifestPath: string }[] };
    const manifestPath = join(userDataDir, 'NativeMessagingHosts', 'com.hydraflow.host.json');
    expect(report.installed.map((i) => i.manifestPath)).toEqual([manifestPath]);
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { path: string; allowed_origins: string[]; type: string };
    expect(manifest.type).toBe('stdio');
    expect(manifest.allowed_origins).toEqual([EXTENSION_ORIGIN]);
    expect(manifest.path).toBe(report.launcher);
    expect(readFileSync(manifest.path, 'utf8')).toContain(`node='${process.execPath}'`);

    const doctor = runCli(['doctor', '--user-data-dir', userDataDir], env());
    expect(doctor.status, doctor.stdout + doctor.stderr).toBe(0);
    expect(doctor.stdout).toContain('✓ handshake: hello answered by host');
    expect(doctor.stdout.trim().endsWith('healthy')).toBe(true);
  });

  it('doctor names a deleted launcher and how to fix it', () => {
    runCli(['install', '--user-data-dir', userDataDir], env());
    const launcher = join(home, 'data', 'bin', 'hydraflow-host');
    rmSync(launcher);
    const doctor = runCli(['doctor', '--user-data-dir', userDataDir, '--json'], env());
    expect(doctor.status).toBe(1);
    const report = JSON.parse(doctor.stdout) as { ok: boolean; targets: { checks: { name: string; ok: boolean; detail: string; fix?: string }[] }[] };
    expect(report.ok).toBe(false);
    const failed = report.targets[0]!.checks.find((c) => !c.ok)!;
    expect(failed.name).toBe('launcher');
    expect(failed.detail).toContain(launcher);
    expect(failed.detail).toContain('missing');
    expect(failed.fix).toContain(`hydraflow-host install --user-data-dir ${userDataDir}`);
  });

  it('doctor names a missing manifest, a non-executable launcher and a launcher whose node is gone', () => {
    expect(runCli(['doctor', '--user-data-dir', userDataDir], env()).stdout).toContain('✗ manifest present');
    runCli(['install', '--user-data-dir', userDataDir], env());
    const launcher = join(home, 'data', 'bin', 'hydraflow-host');
    chmodSync(launcher, 0o644);
    expect(runCli(['doctor', '--user-data-dir', userDataDir], env()).stdout).toContain('not executable');
    chmodSync(launcher, 0o755);
    writeFileSync(launcher, readFileSync(launcher, 'utf8').replace(process.execPath, '/nonexistent/node'));
    const doctor = runCli(['doctor', '--user-data-dir', userDataDir], env());
    expect(doctor.status).toBe(1);
    expect(doctor.stdout).toContain('✗ node path: node /nonexistent/node is missing');
  });

  it('doctor reports a host that writes garbage instead of frames', () => {
    runCli(['install', '--user-data-dir', userDataDir], env());
    const launcher = join(home, 'data', 'bin', 'hydraflow-host');
    const fake = join(home, 'fake-host.mjs');
    writeFileSync(fake, "process.stdout.write('hello from a broken host that prints text\\n'); setTimeout(() => {}, 10000);");
    writeFileSync(launcher, readFileSync(launcher, 'utf8').replace(/'[^']*hydraflow-host\.mjs'/, `'${fake}'`));
    const doctor = runCli(['doctor', '--user-data-dir', userDataDir], env());
    expect(doctor.status).toBe(1);
    expect(doctor.stdout).toMatch(/✗ handshake: host wrote bytes that are not a frame/);
  });

  it('uninstall removes the manifest', () => {
    runCli(['install', '--user-data-dir', userDataDir], env());
    const manifestPath = join(userDataDir, 'NativeMessagingHosts', 'com.hydraflow.host.json');
    expect(existsSync(manifestPath)).toBe(true);
    const run = runCli(['uninstall', '--user-data-dir', userDataDir], env());
    expect(run.status).toBe(0);
    expect(existsSync(manifestPath)).toBe(false);
  });

  it('uninstalling one browser leaves the other healthy; the launcher goes with the last manifest naming it', () => {
    const config = join(home, 'xdg');
    const browserEnv = { ...env(), XDG_CONFIG_HOME: config };
    const manifestOf = (dir: string) => join(config, dir, 'NativeMessagingHosts', 'com.hydraflow.host.json');
    const launcher = join(home, 'data', 'bin', 'hydraflow-host');
    for (const browser of ['chromium', 'brave']) expect(runCli(['install', '--browser', browser], browserEnv).status).toBe(0);
    expect(runCli(['install', '--user-data-dir', userDataDir], browserEnv).status).toBe(0);

    const removeBrave = runCli(['uninstall', '--browser', 'brave', '--json'], browserEnv);
    expect(removeBrave.status, removeBrave.stderr).toBe(0);
    expect(JSON.parse(removeBrave.stdout)).toEqual({ ok: true, removed: [manifestOf('BraveSoftware/Brave-Browser')] });
    expect(existsSync(launcher)).toBe(true);
    const doctor = runCli(['doctor', '--browser', 'chromium'], browserEnv);
    expect(doctor.status, doctor.stdout).toBe(0);
    expect(doctor.stdout).toContain('✓ handshake: hello answered by host');
    expect(runCli(['doctor', '--browser', 'brave'], browserEnv).stdout).toContain('fix: Run: npx hydraflow-host install --browser brave');

    // Chromium's manifest goes; the custom profile still names the launcher, so it stays.
    expect(runCli(['uninstall', '--browser', 'chromium'], browserEnv).status).toBe(0);
    expect(existsSync(manifestOf('chromium'))).toBe(false);
    expect(existsSync(launcher)).toBe(true);
    expect(runCli(['doctor', '--user-data-dir', userDataDir], browserEnv).status).toBe(0);
    const last = runCli(['uninstall', '--user-data-dir', userDataDir, '--json'], browserEnv);
    expect(JSON.parse(last.stdout)).toEqual({ ok: true, removed: [join(userDataDir, 'NativeMessagingHosts', 'com.hydraflow.host.json'), launcher] });
  });

  it('a plain install also covers the custom --user-data-dir of a Chromium running now, so the hint\'s command fixes it', async () => {
    // A process whose argv is a browser's: argv[0] named chromium, with --user-data-dir=.
    const profile = join(userDataDir, 'my profile ü');
    const fake = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)', '--', `--user-data-dir=${profile}`], { argv0: 'chromium', stdio: 'ignore' });
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      const running = runningBrowserUserDataDirs('linux');
      expect(running).toContain(profile);
      // Other browsers running on this machine (other test runs) are left alone: only ours is installed into.
      const targets = resolveTargets({ platform: 'linux', home: join(home, 'no-browsers'), env: {}, runningUserDataDirs: () => running.filter((dir) => dir === profile) });
      expect(targets).toEqual([{ label: 'user-data-dir', manifestDir: join(profile, 'NativeMessagingHosts') }]);
      install(targets, hostPaths('linux', home, env()), { platform: 'linux', hostScript: HOST_BUNDLE, hydraflowHome: home });
      expect(runCli(['doctor', '--user-data-dir', profile], env()).status).toBe(0);
    } finally {
      fake.kill();
    }
  });

  it('keeps extension IDs added with --extension-id across reinstalls, and refuses a malformed one', () => {
    const storeId = 'abcdefghijklmnopabcdefghijklmnop';
    expect(runCli(['install', '--user-data-dir', userDataDir, '--extension-id', storeId], env()).status).toBe(0);
    expect(runCli(['install', '--user-data-dir', userDataDir], env()).status).toBe(0);
    const manifest = JSON.parse(readFileSync(join(userDataDir, 'NativeMessagingHosts', 'com.hydraflow.host.json'), 'utf8')) as { allowed_origins: string[] };
    expect(manifest.allowed_origins).toEqual([EXTENSION_ORIGIN, `chrome-extension://${storeId}/`]);
    const bad = runCli(['install', '--user-data-dir', userDataDir, '--extension-id', 'not-an-id'], env());
    expect(bad.status).toBe(2);
    expect(JSON.parse(bad.stderr)).toMatchObject({ error: { code: 'USAGE', message: expect.stringContaining('32 letters a–p') } });
  });

  it('installs for a named browser under XDG_CONFIG_HOME, and refuses an unknown browser', () => {
    const config = join(home, 'xdg');
    const run = runCli(['install', '--browser', 'brave', '--json'], { ...env(), XDG_CONFIG_HOME: config });
    expect(run.status, run.stderr).toBe(0);
    expect(existsSync(join(config, 'BraveSoftware', 'Brave-Browser', 'NativeMessagingHosts', 'com.hydraflow.host.json'))).toBe(true);
    const bad = runCli(['install', '--browser', 'netscape'], env());
    expect(bad.status).toBe(2);
    expect(JSON.parse(bad.stderr)).toMatchObject({ ok: false, error: { code: 'USAGE' } });
  });

  it('exits 2 with a USAGE error for an unknown command', () => {
    const run = runCli(['frobnicate'], env());
    expect(run.status).toBe(2);
    expect(JSON.parse(run.stderr)).toMatchObject({ ok: false, error: { code: 'USAGE' } });
  });
});

describe('installing over an older host', () => {
  it('keeps config, ledger, bundles and folders byte for byte, and replaces the old launcher', () => {
    const home = mkdtempSync(join(tmpdir(), 'hf-upgrade-'));
    const userDataDir = mkdtempSync(join(tmpdir(), 'hf-upgrade-udd-'));
    const repo = mkdtempSync(join(tmpdir(), 'hf-upgrade-repo-'));
    try {
      const env = { HYDRAFLOW_HOME: home };
      writeFileSync(join(repo, 'notes.txt'), 'one\n');
      expect(runCli(['repo', 'add', 'notes', repo], env).status).toBe(0);
      const patch = ['--- a/notes.txt', '+++ b/notes.txt', '@@ -1 +1,2 @@', ' one', '+two', ''].join('\n');
      const apply = runCli(['repo', 'apply', '--repo', 'notes', '--patch', '-'], env, patch);
      expect(apply.status, apply.stderr).toBe(0);
      mkdirSync(join(home, 'data', 'bundles'), { recursive: true });
      writeFileSync(join(home, 'data', 'bundles', 'kept.hydraflow'), 'bundle bytes');
      // What an older hydraflow-host install left: its launcher format and its manifest.
      const launcher = join(home, 'data', 'bin', 'hydraflow-host');
      mkdirSync(join(home, 'data', 'bin'), { recursive: true });
      writeFileSync(launcher, `#!/bin/sh\nexec '${process.execPath}' '/old/place/hydraflow-host.mjs' "$@"\n`, { mode: 0o755 });
      mkdirSync(join(userDataDir, 'NativeMessagingHosts'));
      writeFileSync(join(userDataDir, 'NativeMessagingHosts', 'com.hydraflow.host.json'), JSON.stringify({ name: 'com.hydraflow.host', path: launcher, type: 'stdio', allowed_origins: [EXTENSION_ORIGIN] }));
      const before = snapshot(home, ['data/bin', 'data/logs']);
      expect(Object.keys(before)).toEqual(expect.arrayContaining(['config.json', 'data/bundles/kept.hydraflow']));
      expect(Object.keys(before).some((path) => path.includes('changes/'))).toBe(true);

      const install = runCli(['install', '--user-data-dir', userDataDir], env);
      expect(install.status, install.stderr).toBe(0);
      expect(snapshot(home, ['data/bin', 'data/logs'])).toEqual(before);
      expect(readFileSync(launcher, 'utf8')).not.toContain('/old/place/');
      expect(runCli(['doctor', '--user-data-dir', userDataDir], env).status).toBe(0);
      expect(JSON.parse(runCli(['repo', 'ledger', '--repo', 'notes'], env).stdout)).toMatchObject({ ok: true });
    } finally {
      for (const dir of [home, userDataDir, repo]) rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Every file under `root` (relative path → content), skipping the folders named. */
function snapshot(root: string, skip: string[]): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = dir ? `${dir}/${entry.name}` : entry.name;
      if (skip.includes(path)) continue;
      if (entry.isDirectory()) walk(path);
      else files[path] = readFileSync(join(root, path), 'base64');
    }
  };
  walk('');
  return files;
}
