/**
 * Views follow the data without a Refresh: each one that used to go stale updates within 1 s of
 * the change — the overview's open tabs, the search index's state after a search, the embeddings
 * line after an embed job, the host's bundle list after an export, a bundle check's old error,
 * and the settings forms after another page saved them.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli';
import { launchWithExtension, openExtensionPage, serviceWorkerTarget, type LaunchedBrowser } from '../support/chromium';
import { startFakeEmbeddings, type FakeEmbeddings } from '../support/fake-embeddings';

const WITHIN_MS = 1_000;

async function command<T>(page: Page, method: string, params: unknown): Promise<T> {
  const reply = await page.evaluate((m, p) => chrome.runtime.sendMessage({ type: 'hydraflow/command', method: m, params: p }), method, params as never);
  if (!reply.ok) throw new Error(`${method}: ${JSON.stringify(reply.error)}`);
  return reply.result as T;
}

const text = (page: Page, selector: string) => page.$eval(selector, (e) => e.textContent?.trim() ?? '');

/** Waits (at most 1 s) until the text of `selector` passes `test`; returns how long it took. */
async function within(page: Page, selector: string, test: string, arg: string | number): Promise<number> {
  const started = Date.now();
  await page.waitForFunction(
    (s, kind, value) => {
      const shown = document.querySelector(s)?.textContent?.trim() ?? '';
      return kind === 'equals' ? shown === String(value) : kind === 'contains' ? shown.includes(String(value)) : !shown.includes(String(value));
    },
    { timeout: WITHIN_MS, polling: 50 },
    selector,
    test,
    arg,
  );
  return Date.now() - started;
}

describe('live views', () => {
  let launched: LaunchedBrowser;
  let site: Server;
  let siteUrl: string;
  let embeddings: FakeEmbeddings;
  let options: Page;
  let home: string;
  const dirs: string[] = [];

  beforeAll(async () => {
    site = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>Heron notes</title><p>Grey herons wait by the water.</p>'));
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
    embeddings = await startFakeEmbeddings({ dims: 16 });
    home = mkdtempSync(join(tmpdir(), 'hf-home-'));
    const userDataDir = mkdtempSync(join(tmpdir(), 'hf-profile-'));
    dirs.push(home, userDataDir);
    const install = runCli(['install', '--user-data-dir', userDataDir], { HYDRAFLOW_HOME: home });
    expect(install.status, install.stderr).toBe(0);
    launched = await launchWithExtension({ userDataDir });
    await serviceWorkerTarget(launched.browser);
    options = await openExtensionPage(launched.browser, 'options.html#overview');
    await options.waitForSelector('[data-testid=overview-tabs-open]');
    // Start from a settled count: the welcome page opens on install on its own time, and every tab
    // the browser has (web pages or not) is counted open once capture has seen it.
    await options.waitForFunction(async () => Number(document.querySelector('[data-testid=overview-tabs-open]')?.textContent) === (await chrome.tabs.query({})).length, { timeout: 20_000, polling: 100 });
  }, 60_000);

  afterAll(async () => {
    await launched?.close();
    await new Promise((resolve) => site?.close(resolve));
    await embeddings?.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('the overview counts a tab that opens and one that closes', async () => {
    const before = Number(await text(options, '[data-testid=overview-tabs-open]'));
    const tab = await launched.browser.newPage();
    await tab.goto(`${siteUrl}/heron`);
    await options.bringToFront();
    // The open is seen within 1 s of the page loading (capture listens to tab events).
    await within(options, '[data-testid=overview-tabs-open]', 'equals', before + 1);
    await tab.close();
    expect(await within(options, '[data-testid=overview-tabs-open]', 'equals', before)).toBeLessThanOrEqual(WITHIN_MS);
  });

  it('the settings forms show what another page saved', async () => {
    await options.click('[data-testid=nav-settings]');
    await options.waitForSelector('[data-testid=model-url]');
    await command(options, 'chat.setSettings', { settings: { kind: 'openai', baseUrl: 'http://127.0.0.1:5999', apiKey: '', model: 'heron-1' } });
    await options.waitForFunction(() => (document.querySelector('[data-testid=model-url]') as HTMLInputElement).value === 'http://127.0.0.1:5999', { timeout: WITHIN_MS, polling: 50 });
    await options.click('[data-testid=nav-privacy]');
    await options.waitForSelector('[data-testid=blocklist-input]');
    await command(options, 'capture.setBlocklist', { rules: [{ domain: 'bank.example', subdomains: true }] });
    await within(options, '[data-testid=blocklist]', 'contains', 'bank.example');
  });

  it('the search index state follows a search, and the embeddings line follows an embed job', async () => {
    await options.click('[data-testid=nav-search]');
    await options.waitForSelector('[data-testid=search-index-state]');
    expect(await text(options, '[data-testid=search-index-state]')).toContain('not loaded');
    await options.type('[data-testid=search-section] [data-testid=search-input]', 'heron');
    await options.waitForSelector('[data-testid=search-section] [data-state=ready]', { timeout: 10_000 }).catch(async (error: unknown) => {
      throw new Error(`${String(error)}: ${await options.$eval('[data-testid=search-section]', (e) => e.innerHTML.slice(0, 1500))}`);
    });
    await within(options, '[data-testid=search-index-state]', 'excludes', 'not loaded');

    await options.click('[data-testid=nav-settings]');
    await options.waitForSelector('[data-testid=embedding-state]');
    expect(await text(options, '[data-testid=embedding-state]')).toBe('Not configured');
    const { jobId } = await (async () => {
      await command(options, 'embeddings.setSettings', { settings: { kind: 'openai', baseUrl: embeddings.url, model: 'e2e-embed' } });
      return command<{ jobId: string }>(options, 'embeddings.start', {});
    })();
    await options.waitForFunction(
      async (id) => (await chrome.runtime.sendMessage({ type: 'hydraflow/command', method: 'jobs.get', params: { jobId: id } })).result?.job.status === 'succeeded',
      { timeout: 30_000, polling: 20 },
      jobId,
    );
    await within(options, '[data-testid=embedding-state]', 'contains', 'vectors');
  });

  it("the host's bundle list shows a finished export, and a new check clears the last file's error", async () => {
    await options.click('[data-testid=nav-bundles]');
    await options.waitForSelector('[data-testid=bundle-files]', { timeout: 20_000 });
    const before = await options.$$eval('[data-testid=bundle-files] li', (items) => items.length);
    const { jobId } = await command<{ jobId: string }>(options, 'bundles.export', { scope: { kind: 'all' }, destination: { kind: 'host' } });
    await options.waitForFunction(
      async (id) => (await chrome.runtime.sendMessage({ type: 'hydraflow/command', method: 'jobs.get', params: { jobId: id } })).result?.job.status === 'succeeded',
      { timeout: 30_000, polling: 20 },
      jobId,
    );
    await options.waitForFunction((n) => document.querySelectorAll('[data-testid=bundle-files] li').length === n + 1, { timeout: WITHIN_MS, polling: 50 }, before);

    // A file that is not a bundle (put in the host's bundle folder): its error shows; checking the
    // good one clears it at once.
    const bad = 'not-a-bundle.hydraflow';
    writeFileSync(join(home, 'data', 'bundles', bad), 'not a bundle');
    await options.click('[data-testid=bundle-files-refresh]');
    const badPreview = await options.waitForSelector(`[data-testid=bundle-file][data-name="${bad}"] [data-testid=bundle-file-preview]`, { timeout: 10_000 });
    await badPreview!.click();
    await options.waitForSelector('[data-testid=bundle-message]', { timeout: 10_000 });
    await options.click(`[data-testid=bundle-file]:not([data-name="${bad}"]) [data-testid=bundle-file-preview]`);
    await options.waitForFunction(() => !document.querySelector('[data-testid=bundle-message]'), { timeout: WITHIN_MS, polling: 20 });
    await options.waitForSelector('[data-testid=bundle-preview]', { timeout: 10_000 });
  });
});
