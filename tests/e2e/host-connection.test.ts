import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXTENSION_ID, extensionIdFromKeyDigest } from '../../shared/extension-id';
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

  it('refuses a host that speaks another protocol version, with a clear message', async () => {
    const userDataDir = tempDir('hf-profile-');
    const fakeDir = tempDir('hf-fake-host-');
    // A real process that frames correctly but announces protocol 99.
    const script = join(fakeDir, 'future-host.mjs');
    writeFileSync(
      script,
      `let buf = Buffer.alloc(0);
process.stdin.on('data', (chunk) => {
  buf = Buffer.concat([buf, chunk]);
  while (buf.length >= 4 && buf.length >= 4 + buf.readUInt32LE(0)) {
    const len = buf.readUInt32LE(0);
    const req = JSON.parse(buf.subarray(4, 4 + len).toString());
    buf = buf.subarray(4 + len);
    const body = Buffer.from(JSON.stringify({ id: req.id, ok: true, protocolVersion: 99, result: { hostVersion: '9.0.0', protocolVersion: 99, capabilities: ['hello'], platform: 'linux', nodeVersion: 'v99' } }));
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
      JSON.stringify({ name: 'com.hydraflow.host', description: 'future', path: launcher, type: 'stdio', allowed_origins: [`chrome-extension://${EXTENSION_ID}/`] }),
    );
    launched = await launchWithExtension({ userDataDir });
    const page = await openExtensionPage(launched.browser, 'sidepanel.html');
    const box = await page.waitForSelector('[data-testid=host-incompatible]', { timeout: 30_000 });
    const text = await box!.evaluate((el) => el.textContent ?? '');
    expect(text).toContain('9.0.0');
    expect(text).toContain('protocol 99');
    expect(text).toContain('npx hydraflow-host install');
  });
});
