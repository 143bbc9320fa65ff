import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXTENSION_ID, extensionIdFromKeyDigest } from '../../shared/extension-id';
import { hostPaths } from '../../native-host/core/paths';
import { install, resolveTargets } from '../../native-host/install/install';
import { runningBrowserUserDataDirs } from '../../native-host/install/running-browsers';
import { extensionUpdateHint, hostInstallCommand } from '../../shared/host-install';
import { HOST_BUNDLE } from '../support/host-process';
import { APP_VERSION, PROTOCOL_VERSION } from '../../shared/version';
import { runCli } from '../support/cli';
import { EXTENSION_DIR, launchWithExtension, openExtensionPage, serviceWorkerTarget, type LaunchedBrowser } from '../support/chromium';

describe('extension ↔ native host in real Chromium', () => {
  let launched: LaunchedBrowser | undefined;
  const cleanup: string[] = [];

  beforeAll(() => {
    expect(existsSync(join(EXTENSION_DIR, 'manifest.json')), 'extension built (npm run build)').toBe(true);
  });

  afterEach(async () => {
    await launched?.close();
    launched = undefined;
    for (const dir of cleanup.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  function tempDir(prefix: string): string {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    cleanup.push(dir);
    return dir;
  }

  it('loads with the fixed extension ID derived from the manifest key', async () => {
    const manifest = JSON.parse(readFileSync(join(EXTENSION_DIR, 'manifest.json'), 'utf8')) as { key: string };
    const digest = createHash('sha256').update(Buffer.from(manifest.key, 'base64')).digest('hex');
    expect(extensionIdFromKeyDigest(digest)).toBe(EXTENSION_ID);
    launched = await launchWithExtension();
    const worker = await serviceWorkerTarget(launched.browser);
    expect(new URL(worker.url()).host).toBe(EXTENSION_ID);
  });

  it('completes a hello round trip through the installed host and shows it connected', async () => {
    const home = tempDir('hf-home-');
    const userDataDir = tempDir('hf-profile-');
    const install = runCli(['install', '--user-data-dir', userDataDir], { HYDRAFLOW_HOME: home });
    expect(install.status, install.stderr).toBe(0);
    launched = await launchWithExtension({ userDataDir });
    const page = await openExtensionPage(launched.browser, 'sidepanel.html');
    const connected = await page.waitForSelector('[data-testid=host-connected]', { timeout: 30_000 });
    expect(await connected!.evaluate((el) => el.textContent)).toMatch(/Connected — host \d+\.\d+\.\d+ \(protocol 1\)/);
    // The host really ran: it logged the browser's origin under the HYDRAFLOW_HOME pinned at install.
    const log = readFileSync(join(home, 'data', 'logs', 'host.log'), 'utf8');
    expect(log).toContain(`chrome-extension://${EXTENSION_ID}/`);
  });

  it('shows the exact install command when no host is installed', async () => {
    launched = await launchWithExtension();
    const page = await openExtensionPage(launched.browser, 'sidepanel.html');
    await page.waitForSelector('[data-testid=host-not-installed]', { timeout: 30_000 });
    const command = await page.$eval('[data-testid=install-command]', (el) => el.textContent);
    expect(command).toBe('npx hydraflow-host install');
  });

  it('a Chromium started with --user-data-dir: the command shown finds its profile while it runs, and Check again connects', async () => {
    const home = tempDir('hf-home-');
    const userDataDir = tempDir('hf-custom-profile-');
    launched = await launchWithExtension({ userDataDir });
    const page = await openExtensionPage(launched.browser, 'sidepanel.html');
    await page.waitForSelector('[data-testid=host-not-installed]', { timeout: 30_000 });
    expect(await page.$eval('[data-testid=install-command]', (el) => el.textContent)).toBe(hostInstallCommand());
    expect(await page.$eval('[data-testid=user-data-dir-hint]', (el) => el.textContent)).toContain('--user-data-dir');
    // What that command does for running browsers, kept to this test's own Chromium (other
    // browsers running on this shared machine are left alone): the real process is found.
    const running = runningBrowserUserDataDirs('linux');
    expect(running).toContain(userDataDir);
    const targets = resolveTargets({ platform: 'linux', home: tempDir('hf-no-browsers-'), env: {}, runningUserDataDirs: () => running.filter((dir) => dir === userDataDir) });
    install(targets, hostPaths('linux', home, { HYDRAFLOW_HOME: home }), { platform: 'linux', hostScript: HOST_BUNDLE, hydraflowHome: home });
    await page.click('[data-testid=host-check-again]');
    await page.waitForSelector('[data-testid=host-connected]', { timeout: 30_000 });
  });

  /**
   * A stand-in host: a real process that frames correctly and answers `hello` with `reply`
   * (a result, or an error as a host that refuses this extension answers).
   */
  function installStandInHost(userDataDir: string, reply: Record<string, unknown>): void {
    const fakeDir = tempDir('hf-fake-host-');
    const script = join(fakeDir, 'stand-in-host.mjs');
    writeFileSync(
      script,
      `let buf = Buffer.alloc(0);
process.stdin.on('data', (chunk) => {
  buf = Buffer.concat([buf, chunk]);
  while (buf.length >= 4 && buf.length >= 4 + buf.readUInt32LE(0)) {
    const len = buf.readUInt32LE(0);
    const req = JSON.parse(buf.subarray(4, 4 + len).toString());
    buf = buf.subarray(4 + len);
    const body = Buffer.from(JSON.stringify({ id: req.id, ...${JSON.stringify(reply)} }));
    const head = Buffer.alloc(4); head.writeUInt32LE(body.length, 0);
    process.stdout.write(Buffer.concat([head, body]));
  }
});
process.stdin.on('end', () => process.exit(0));
`,
    );
    const launcher = join(fakeDir, 'launcher.sh');
    writeFileSync(launcher, `#!/bin/sh\nexec '${process.execPath}' '${script}' "$@"\n`);
    chmodSync(launcher, 0o755);
    mkdirSync(join(userDataDir, 'NativeMessagingHosts'), { recursive: true });
    writeFileSync(
      join(userDataDir, 'NativeMessagingHosts', 'com.hydraflow.host.json'),
      JSON.stringify({ name: 'com.hydraflow.host', description: 'stand-in', path: launcher, type: 'stdio', allowed_origins: [`chrome-extension://${EXTENSION_ID}/`] }),
    );
  }

  async function incompatibleBox(userDataDir: string): Promise<{ text: string; command: string }> {
    launched = await launchWithExtension({ userDataDir });
    const page = await openExtensionPage(launched.browser, 'sidepanel.html');
    const box = await page.waitForSelector('[data-testid=host-incompatible]', { timeout: 30_000 });
    return { text: await box!.evaluate((el) => el.textContent ?? ''), command: (await page.$eval('[data-testid=host-incompatible] [data-testid=install-command]', (el) => el.textContent)) ?? '' };
  }

  it('an older host (the previous protocol) gets the command that updates the host to this version', async () => {
    const userDataDir = tempDir('hf-profile-');
    installStandInHost(userDataDir, { ok: true, protocolVersion: PROTOCOL_VERSION - 1, result: { hostVersion: '0.0.9', protocolVersion: PROTOCOL_VERSION - 1, capabilities: ['hello'], platform: 'linux', nodeVersion: 'v20.0.0' } });
    const { text, command } = await incompatibleBox(userDataDir);
    expect(text).toContain(`The installed native host 0.0.9 (protocol ${PROTOCOL_VERSION - 1}) is older than this extension ${APP_VERSION}`);
    expect(text).toContain('Update the host (your config and data are kept)');
    expect(command).toBe(`npx hydraflow-host@${APP_VERSION} install`);
  });

  it('a newer host (protocol 99) gets the way to update the extension, or the host that matches it', async () => {
    const userDataDir = tempDir('hf-profile-');
    installStandInHost(userDataDir, { ok: true, protocolVersion: 99, result: { hostVersion: '9.0.0', protocolVersion: 99, capabilities: ['hello'], platform: 'linux', nodeVersion: 'v99' } });
    const { text, command } = await incompatibleBox(userDataDir);
    expect(text).toContain(`The installed native host 9.0.0 (protocol 99) is newer than this extension ${APP_VERSION}`);
    expect(text).toContain('Update the HydraFlow extension to 9.0.0 or later (chrome://extensions');
    expect(command).toBe(`npx hydraflow-host@${APP_VERSION} install`);
  });

  it('a newer host that refuses this extension: its message, with the update commands, is shown', async () => {
    const userDataDir = tempDir('hf-profile-');
    // What this checkout's host answers an extension below MIN_EXTENSION_PROTOCOL_VERSION (see the contract test).
    const message = `The installed host 9.0.0 (protocol 99) is newer than the extension ${APP_VERSION} (protocol ${PROTOCOL_VERSION}). ${extensionUpdateHint('9.0.0', APP_VERSION)}`;
    installStandInHost(userDataDir, { ok: false, protocolVersion: 99, error: { code: 'INCOMPATIBLE_PROTOCOL', message, details: { hostVersion: '9.0.0', protocolVersion: 99 } } });
    const { text, command } = await incompatibleBox(userDataDir);
    expect(text).toContain(message);
    expect(command).toBe(`npx hydraflow-host@${APP_VERSION} install`);
  });
});
