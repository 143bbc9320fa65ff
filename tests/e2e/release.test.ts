/**
 * The release as a user gets it: `npm run release` builds the store zip and the host package;
 * the host package is installed with `npm install -g` into an empty prefix outside the repo and
 * registered with its own `install --user-data-dir --extension-id`; the store zip, unzipped, is
 * loaded unpacked (no `key`, so Chromium gives it an ID of its own, as a store would) and, through
 * its options page, imports a profile's history and exports a bundle through that host.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { unzipSync } from 'fflate';
import { EXTENSION_ID, extensionIdFromKeyDigest } from '../../shared/extension-id';
import { APP_VERSION } from '../../shared/version';
import { writeChromiumHistory } from '../fixtures/make-history';
import { launchWithExtension, openExtensionPage, serviceWorkerTarget, type LaunchedBrowser } from '../support/chromium';
import { installHostPackage, type InstalledHostPackage } from '../support/host-package';
import { REPO_ROOT } from '../support/host-process';

describe('the release: store zip + host package installed with npm', () => {
  let host: InstalledHostPackage;
  let extensionDir: string;
  let launched: LaunchedBrowser | undefined;
  const dirs: string[] = [];
  const temp = (prefix: string) => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };

  beforeAll(async () => {
    execFileSync(process.execPath, [join(REPO_ROOT, 'scripts', 'release.mjs')], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    const release = join(REPO_ROOT, '.output', 'release');
    host = await installHostPackage(join(release, `hydraflow-host-${APP_VERSION}.tgz`));
    extensionDir = realpathSync(temp('hf-release-ext-'));
    for (const [name, bytes] of Object.entries(unzipSync(readFileSync(join(release, `hydraflow-${APP_VERSION}-chrome.zip`))))) {
      if (name.endsWith('/')) continue;
      mkdirSync(dirname(join(extensionDir, name)), { recursive: true });
      writeFileSync(join(extensionDir, name), bytes);
    }
  }, 240_000);
  afterEach(async () => {
    await launched?.close();
    launched = undefined;
  });
  afterAll(() => {
    host?.remove();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('the store zip has no key (the dev build keeps it) and the version of package.json', () => {
    const manifest = JSON.parse(readFileSync(join(extensionDir, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest.key).toBeUndefined();
    expect(manifest.version).toBe(APP_VERSION);
    const devManifest = JSON.parse(readFileSync(join(REPO_ROOT, '.output', 'chrome-mv3', 'manifest.json'), 'utf8')) as Record<string, unknown>;
    expect(devManifest.key).toEqual(expect.any(String));
  });

  it('imports history and exports a bundle through the npm-installed host', async () => {
    // Without a key, an unpacked extension's ID comes from its folder's path (a store gives its own).
    const storeLikeId = extensionIdFromKeyDigest(createHash('sha256').update(extensionDir).digest('hex'));
    expect(storeLikeId).not.toBe(EXTENSION_ID);
    const home = temp('hf-release-home-');
    const profile = temp('hf-release-profile-');
    const config = temp('hf-release-config-');
    mkdirSync(join(config, 'chromium', 'Default'), { recursive: true });
    writeChromiumHistory(join(config, 'chromium', 'Default', 'History'));
    const run = (args: string[]) => spawnSync(host.bin, args, { cwd: host.prefix, encoding: 'utf8', env: { ...process.env, HYDRAFLOW_HOME: home } });
    const install = run(['install', '--user-data-dir', profile, '--extension-id', storeLikeId]);
    expect(install.status, install.stderr).toBe(0);
    const doctor = run(['doctor', '--user-data-dir', profile]);
    expect(doctor.status, doctor.stdout).toBe(0);
    expect(doctor.stdout).toContain(`extension ${EXTENSION_ID}, ${storeLikeId}`);

    launched = await launchWithExtension({ userDataDir: profile, extensionDir, env: { XDG_CONFIG_HOME: config } });
    await serviceWorkerTarget(launched.browser, storeLikeId);
    const options = await openExtensionPage(launched.browser, 'options.html', storeLikeId);
    await options.waitForSelector('[data-testid=host-connected]', { timeout: 30_000 });
    expect(await options.$eval('[data-testid=host-connected]', (el) => el.textContent)).toContain(`host ${APP_VERSION}`);
    await options.waitForFunction((id) => document.querySelector('[data-testid=app-info]')?.textContent?.includes(id), { timeout: 10_000 }, storeLikeId);

    const importButton = '[data-testid=history-profile][data-profile-id="chromium:Default"] [data-testid=import-profile]';
    await options.waitForSelector(importButton, { timeout: 30_000 });
    await options.click(importButton);
    const job = await options.waitForSelector('[data-testid=import-jobs] > [data-testid=import-job]:first-child[data-status=succeeded] [data-testid=import-counts]', { timeout: 60_000 });
    expect(await job!.evaluate((el) => el.closest('[data-testid=import-job]')!.querySelector('[data-testid=count-added]')!.textContent)).toBe('11');

    await options.click('[data-testid=export-start]');
    const done = await options.waitForSelector('[data-testid=bundle-job][data-type=bundle_export][data-status=succeeded] [data-testid=export-path-result]', { timeout: 60_000 });
    const bundlePath = (await done!.evaluate((el) => el.textContent))!;
    expect(bundlePath.startsWith(join(home, 'data', 'bundles'))).toBe(true);
    const inspect = run(['bundle', 'inspect', bundlePath]);
    expect(JSON.parse(inspect.stdout)).toMatchObject({ valid: true, counts: { visits: 11 } });
  });
});
