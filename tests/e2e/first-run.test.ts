/**
 * First run, as `npm start` does it: Chromium started with `--load-extension` on a fresh profile
 * and no URL. The extension opens its own welcome page (never an error page), and a person walks
 * through it: the host is connected, a local model server is found on its default loopback port,
 * saved and tested, a browser profile's history is imported, a domain is never captured.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { afterEach, describe, expect, it } from 'vitest';
import { writeChromiumHistory } from '../fixtures/make-history';
import { runCli } from '../support/cli';
import { extensionUrl, launchWithExtension, type LaunchedBrowser } from '../support/chromium';

const WELCOME = extensionUrl('welcome.html');
/** The default ports the welcome page probes (shared/commands/chat.ts LOCAL_MODEL_SERVERS). */
const DEFAULT_PORTS = [11434, 1234, 8080];

/** A model server answering both the Ollama and the OpenAI model list, on the first free default port. */
async function listenOnDefaultPort(): Promise<{ server: Server; port: number }> {
  const server = createServer((request, response) => {
    response.setHeader('content-type', 'application/json');
    if (request.url === '/api/tags') response.end(JSON.stringify({ models: [{ name: 'owl-7b' }, { name: 'tiny-1b' }] }));
    else if (request.url === '/v1/models') response.end(JSON.stringify({ data: [{ id: 'owl-7b' }, { id: 'tiny-1b' }] }));
    else response.writeHead(404).end('{}');
  });
  for (const port of DEFAULT_PORTS) {
    const bound = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (bound) return { server, port };
  }
  throw new Error(`Ports ${DEFAULT_PORTS.join(', ')} are all taken on 127.0.0.1: the test needs one of them free`);
}

async function welcomePage(browser: Browser, launchedAt: number): Promise<{ page: Page; ms: number }> {
  const target = await browser.waitForTarget((t) => t.type() === 'page' && t.url() === WELCOME, { timeout: 5_000 });
  const ms = Date.now() - launchedAt;
  const page = (await target.page())!;
  await page.waitForSelector('[data-testid=welcome]', { timeout: 5_000 });
  return { page, ms };
}

async function noErrorPages(browser: Browser): Promise<void> {
  const urls = (await browser.pages()).map((p) => p.url());
  expect(urls.filter((url) => url.startsWith('chrome-error:') || url.includes('ERR_'))).toEqual([]);
  for (const page of await browser.pages()) {
    expect(await page.evaluate(() => document.body?.innerText.includes('ERR_BLOCKED_BY_CLIENT') ?? false)).toBe(false);
  }
}

describe('first run', () => {
  let launched: LaunchedBrowser | undefined;
  let server: Server | undefined;
  const cleanup: string[] = [];
  afterEach(async () => {
    await launched?.close();
    launched = undefined;
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(null)));
    server = undefined;
    for (const dir of cleanup.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  function tempDir(prefix: string): string {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    cleanup.push(dir);
    return dir;
  }

  it('opens the welcome page within 5 s and walks through host, model, history import and privacy', async () => {
    const model = await listenOnDefaultPort();
    server = model.server;
    const home = tempDir('hf-home-');
    const userDataDir = tempDir('hf-profile-');
    const config = tempDir('hf-config-');
    mkdirSync(join(config, 'chromium', 'Default'), { recursive: true });
    writeChromiumHistory(join(config, 'chromium', 'Default', 'History'));
    // As scripts/start.mjs: the host installed for the profile, then Chromium with --load-extension.
    const install = runCli(['install', '--user-data-dir', userDataDir], { HYDRAFLOW_HOME: home });
    expect(install.status, install.stderr).toBe(0);
    const launchedAt = Date.now();
    launched = await launchWithExtension({ userDataDir, env: { XDG_CONFIG_HOME: config }, loadExtensionFlag: true });
    const { page, ms } = await welcomePage(launched.browser, launchedAt);
    expect(ms).toBeLessThan(5_000);
    await noErrorPages(launched.browser);

    // 1. The host: connected (it was installed for this profile).
    await page.waitForSelector('[data-testid=welcome-host] [data-testid=host-connected]', { timeout: 20_000 });

    // 2. The model: the server on its default port is found and offered.
    const found = await page.waitForSelector('[data-testid=welcome-model-found]', { timeout: 10_000 });
    expect(await found!.evaluate((e) => e.textContent)).toContain(`http://127.0.0.1:${model.port}`);
    expect(await found!.evaluate((e) => e.textContent)).toContain('2 models');
    // A wrong URL first: saving it says what is wrong, not "Saved".
    await page.click('[data-testid=model-url]', { count: 3 });
    await page.type('[data-testid=model-url]', 'http://127.0.0.1:9');
    await page.click('[data-testid=model-save]');
    await page.waitForSelector('[data-testid=model-status][data-kind=warn]', { timeout: 10_000 });
    const unreachable = await page.$eval('[data-testid=model-status]', (e) => e.textContent ?? '');
    expect(unreachable).toContain('Cannot reach http://127.0.0.1:9');
    expect(unreachable).toContain('MODEL_UNREACHABLE');
    // Then the server found: "Use" fills the form with its first model; saving tests it.
    await page.click('[data-testid=welcome-model-use]');
    await page.waitForFunction((port) => (document.querySelector('[data-testid=model-url]') as HTMLInputElement).value === `http://127.0.0.1:${port}`, {}, model.port);
    await page.click('[data-testid=model-save]');
    await page.waitForSelector('[data-testid=model-status][data-kind=ok]', { timeout: 10_000 });
    expect(await page.$eval('[data-testid=model-status]', (e) => e.textContent)).toContain('owl-7b');
    const saved = await page.evaluate(() => chrome.runtime.sendMessage({ type: 'hydraflow/command', method: 'chat.getSettings', params: {} }));
    expect(saved.result.settings).toMatchObject({ baseUrl: `http://127.0.0.1:${model.port}`, model: 'owl-7b' });

    // 3. History: the fixture profile is listed and imports.
    await page.waitForSelector('[data-testid=history-profile][data-profile-id="chromium:Default"]', { timeout: 30_000 });
    await page.click('[data-testid=history-profile][data-profile-id="chromium:Default"] [data-testid=import-profile]');
    await page.waitForSelector('[data-testid=import-job][data-status=succeeded] [data-testid=import-counts]', { timeout: 60_000 });
    expect(await page.$eval('[data-testid=count-added]', (e) => e.textContent)).toBe('11');

    // 4. Privacy: a domain never captured.
    await page.type('[data-testid=blocklist-input]', 'bank.example');
    await page.click('[data-testid=blocklist-add]');
    await page.waitForSelector('[data-testid=blocklist-rule]');
    expect(await page.$eval('[data-testid=blocklist-rule]', (e) => e.textContent)).toContain('bank.example and its subdomains');

    // Done: the options app, on its overview, with the imported visits counted.
    await page.click('[data-testid=welcome-done]');
    await page.waitForSelector('[data-testid=options-page][data-page=overview]', { timeout: 10_000 });
    await page.waitForFunction(() => document.querySelector('[data-testid=overview-visits]')?.textContent?.trim() === '11', { timeout: 20_000 });
    await noErrorPages(launched.browser);
  });

  it('without a host, the welcome page gives the exact install commands for this browser', async () => {
    launched = await launchWithExtension({ loadExtensionFlag: true });
    const { page } = await welcomePage(launched.browser, Date.now());
    await page.waitForSelector('[data-testid=welcome-host-install]', { timeout: 20_000 });
    const commands = await page.$$eval('[data-testid=welcome-host-install] code', (codes) => codes.map((c) => c.textContent));
    expect(commands).toEqual(['npx hydraflow-host install --browser chromium', 'npx hydraflow-host install --user-data-dir /path/to/profile-folder']);
    await noErrorPages(launched.browser);
  });
});
