/**
 * Finds and launches the real Chromium for e2e tests: PUPPETEER_EXECUTABLE_PATH, then
 * /usr/bin/chromium, else a clear error. The built extension is loaded, with a fresh user-data-dir
 * per test so the host manifest installed there is the one the browser sees.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page, type Target } from 'puppeteer-core';
import { EXTENSION_ID } from '../../shared/extension-id';

export const EXTENSION_DIR = join(import.meta.dirname, '..', '..', '.output', 'chrome-mv3');

export function findChromium(): string {
  const candidates = [process.env.PUPPETEER_EXECUTABLE_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(Boolean) as string[];
  const found = candidates.find((path) => existsSync(path));
  if (!found) {
    throw new Error(
      `No Chromium found (looked at ${candidates.join(', ')}). Install it with "apt-get install -y chromium" or set PUPPETEER_EXECUTABLE_PATH.`,
    );
  }
  return found;
}

export interface LaunchedBrowser {
  browser: Browser;
  userDataDir: string;
  close(): Promise<void>;
}

/**
 * `extensionDir`: another build to load unpacked (the release test loads the unzipped store zip).
 * `loadExtensionFlag`: load the extension the way `npm start` does (scripts/start.mjs:
 * `--load-extension`, no page to open) instead of through Puppeteer's CDP loading.
 */
export async function launchWithExtension(options: { userDataDir?: string; env?: NodeJS.ProcessEnv; extensionDir?: string; loadExtensionFlag?: boolean } = {}): Promise<LaunchedBrowser> {
  const extensionDir = options.extensionDir ?? EXTENSION_DIR;
  if (!existsSync(join(extensionDir, 'manifest.json'))) throw new Error(`Extension not built: ${extensionDir} (run npm run build)`);
  const ownsDir = !options.userDataDir;
  const userDataDir = options.userDataDir ?? mkdtempSync(join(tmpdir(), 'hf-profile-'));
  const fresh = !existsSync(join(userDataDir, 'Default', 'Preferences'));
  const browser = await puppeteer.launch({
    executablePath: findChromium(),
    headless: true,
    pipe: true,
    dumpio: !!process.env.HYDRAFLOW_CHROMIUM_LOG,
    ...(options.loadExtensionFlag ? { ignoreDefaultArgs: ['--disable-extensions'] } : { enableExtensions: [extensionDir] }),
    userDataDir,
    env: { ...process.env, ...options.env },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
      ...(process.env.HYDRAFLOW_CHROMIUM_LOG ? ['--enable-logging=stderr', '--v=0', '--vmodule=*indexed_db*=2,*leveldb*=2'] : []),
      ...(options.loadExtensionFlag ? [`--load-extension=${extensionDir}`, '--disable-features=DisableLoadExtensionCommandLineSwitch'] : []),
    ],
  });
  // On a fresh profile the extension opens its welcome page (runtime.onInstalled). It would come to
  // the front over the page a test opens (a hidden page's requestAnimationFrame, which
  // waitForFunction polls by, stops): close it, except for tests of the first run itself.
  if (fresh && !options.loadExtensionFlag) {
    // Any extension ID: another build (extensionDir) has its own.
    const welcome = await browser.waitForTarget((t) => t.type() === 'page' && /^chrome-extension:\/\/[a-p]{32}\/welcome\.html$/.test(t.url()), { timeout: 20_000 });
    await (await welcome.page())?.close();
  }
  return {
    browser,
    userDataDir,
    async close() {
      await browser.close().catch(() => undefined);
      if (ownsDir) rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

export function extensionUrl(page: string, extensionId = EXTENSION_ID): string {
  return `chrome-extension://${extensionId}/${page}`;
}

export async function openExtensionPage(browser: Browser, page: string, extensionId = EXTENSION_ID): Promise<Page> {
  const tab = await browser.newPage();
  await tab.goto(extensionUrl(page, extensionId), { waitUntil: 'domcontentloaded' });
  return tab;
}

export async function serviceWorkerTarget(browser: Browser, extensionId = EXTENSION_ID): Promise<Target> {
  return browser.waitForTarget((t) => t.type() === 'service_worker' && t.url().startsWith(`chrome-extension://${extensionId}/`), { timeout: 20_000 });
}
