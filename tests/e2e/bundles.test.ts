/**
 * Bundles end to end in real Chromium with the real host: profile A gets threads with messages,
 * tasks with events, memories, a page snapshot and history imported from a folder allowed on the
 * host; it is exported through the options page to the host's bundle folder and, once profile B's
 * host allows that folder, picked from B's list and imported (preview first) into B,
 * where every bundled store equals A's by content; a second import adds nothing; every damaged
 * bundle is refused with its code and B's stores do not change. Without a host, an export is a
 * download (Cache Storage) and a picked file is staged and previewed.
 */
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { COMPONENTS } from '../../shared/bundle/format';
import { damagedBundles } from '../fixtures/bundles';
import { writeChromiumHistory } from '../fixtures/make-history';
import { launchWithExtension, openExtensionPage, serviceWorkerTarget, type LaunchedBrowser } from '../support/chromium';
import { runCli } from '../support/cli';
import { readStore, readVisits } from '../support/idb';

let site: Server;
let siteUrl: string;

beforeAll(async () => {
  site = createServer((req, res) => {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.setHeader('connection', 'close');
    res.end(`<!doctype html><html><head><title>Article ${req.url}</title></head><body><article><h1>Bundles</h1><p>${'A page worth keeping in a bundle, with enough words to be readable. '.repeat(30)}</p></article></body></html>`);
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => site.close(() => resolve())));

async function command<T = unknown>(page: Page, method: string, params: unknown): Promise<T> {
  const reply = await page.evaluate((m, p) => chrome.runtime.sendMessage({ type: 'hydraflow/command', method: m, params: p }), method, params as never);
  const result = reply as { ok: boolean; result?: T; error?: { code: string; message: string } };
  if (!result.ok) throw new Error(`${method}: ${result.error!.code} ${result.error!.message}`);
  return result.result as T;
}

interface JobRow {
  id: string;
  status: string;
  result: unknown;
  error: { code: string } | null;
}

async function waitJob(page: Page, jobId: string, timeoutMs = 60_000): Promise<JobRow> {
  const started = Date.now();
  for (;;) {
    const job = (await readStore<JobRow>(page, 'jobs')).find((j) => j.id === jobId);
    if (job && job.status !== 'running' && job.status !== 'queued') return job;
    if (Date.now() - started > timeoutMs) throw new Error(`job ${jobId} still ${job?.status}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const byKey = (rows: Record<string, unknown>[]) => [...rows].sort((a, b) => String(a.id ?? a.tabId).localeCompare(String(b.id ?? b.tabId)));

async function stores(page: Page): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const component of COMPONENTS) out[component] = byKey(component === 'visits' ? await readVisits(page) : await readStore(page, component));
  return out;
}

describe('bundles in real Chromium', () => {
  let launched: LaunchedBrowser | undefined;
  const dirs: string[] = [];
  afterEach(async () => {
    await launched?.close();
    launched = undefined;
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const temp = (prefix: string) => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };

  /** A browser with the host installed; `allow` folders are allowed on the host side first (the CLI). Returns their folder ids. */
  async function profileWithHost(allow: string[] = []): Promise<{ browser: Browser; options: Page; home: string; folderIds: string[] }> {
    const userDataDir = temp('hf-profile-');
    const home = temp('hf-home-');
    const install = runCli(['install', '--user-data-dir', userDataDir], { HYDRAFLOW_HOME: home });
    expect(install.status, install.stderr).toBe(0);
    const folderIds = allow.map((folder) => {
      const added = runCli(['folders', 'add', folder], { HYDRAFLOW_HOME: home });
      expect(added.status, added.stdout + added.stderr).toBe(0);
      return (JSON.parse(added.stdout) as { folders: { id: string; path: string }[] }).folders.at(-1)!.id;
    });
    launched = await launchWithExtension({ userDataDir });
    await serviceWorkerTarget(launched.browser);
    return { browser: launched.browser, options: await openExtensionPage(launched.browser, 'options.html#bundles'), home, folderIds };
  }

  it('round-trips a profile into a fresh one through the host: equal stores, a second import adds 0, damaged bundles refused', async () => {
    // Profile A: a History file in a folder the user allowed on the host (the page names it by folder id and name).
    const historyFolder = temp('hf-history-');
    writeChromiumHistory(join(historyFolder, 'History'));
    const a = await profileWithHost([historyFolder]);
    const historyJob = await command<{ jobId: string }>(a.options, 'history.import', { file: { folderId: a.folderIds[0], name: 'History' } });
    expect((await waitJob(a.options, historyJob.jobId)).status).toBe('succeeded');
    const article = await a.browser.newPage();
    await article.goto(`${siteUrl}/article`, { waitUntil: 'load' });
    const tabId = await a.options.evaluate(async (url) => (await chrome.tabs.query({ url }))[0]!.id!, `${siteUrl}/article`);
    const { thread } = await command<{ thread: { id: string } }>(a.options, 'threads.forTab', { tabId, url: `${siteUrl}/article`, title: 'Article', create: true });
    await command(a.options, 'capture.page', { tabId });
    await command(a.options, 'chat.note', { threadId: thread.id, content: 'A note with <b>markup</b> and ünïcödé 🦊' });
    const second = await command<{ thread: { id: string } }>(a.options, 'threads.create', { title: 'Free-standing thread' });
    await command(a.options, 'chat.note', { threadId: second.thread.id, content: 'second thread' });
    const { task } = await command<{ task: { id: string } }>(a.options, 'tasks.create', { threadId: thread.id, title: 'Summarize the article', priority: 'high' });
    await command(a.options, 'tasks.update', { taskId: task.id, status: 'in_progress' });
    await command(a.options, 'tasks.update', { taskId: task.id, status: 'completed' });
    await command(a.options, 'memories.create', { text: 'The user reads about bundles', scope: 'thread', threadId: thread.id });
    await command(a.options, 'memories.create', { text: 'Prefers short answers', scope: 'global' });
    await article.close();
    await new Promise((resolve) => setTimeout(resolve, 500));

    await a.options.reload();
    await a.options.waitForSelector('[data-testid=export-start]');
    await a.options.click('[data-testid=export-start]');
    const done = await a.options.waitForSelector('[data-testid=bundle-job][data-type=bundle_export][data-status=succeeded] [data-testid=export-path-result]', { timeout: 60_000 });
    const bundlePath = (await done!.evaluate((el) => el.textContent))!;
    expect(bundlePath).toMatch(/\/data\/bundles\/hydraflow-all-.*\.hydraflow$/);
    const expected = await stores(a.options);
    expect(expected.visits!.length).toBeGreaterThan(11);
    for (const component of ['threads', 'messages', 'tasks', 'taskEvents', 'memories', 'tabs', 'tabSnapshots', 'pages']) expect(expected[component]!.length, component).toBeGreaterThan(0);
    const inspect = runCli(['bundle', 'inspect', bundlePath]);
    expect(JSON.parse(inspect.stdout)).toMatchObject({ valid: true, counts: { threads: 2, taskEvents: 3, memories: 2 } });
    await launched!.close();
    launched = undefined;

    // Profile B allows A's bundle folder and a folder of damaged bundles on the host, then picks
    // A's bundle from the list: preview, import, compare, import again.
    const folder = temp('hf-damaged-');
    const b = await profileWithHost([join(a.home, 'data', 'bundles'), folder]);
    const [aBundles, damagedFolder] = b.folderIds as [string, string];
    const bundleName = bundlePath.split('/').at(-1)!;
    const listed = await b.options.waitForSelector(`[data-testid=bundle-folder][data-folder-id=${aBundles}] [data-testid=bundle-file][data-name="${bundleName}"] [data-testid=bundle-file-preview]`, { timeout: 30_000 });
    await listed!.click();
    await b.options.waitForSelector('[data-testid=bundle-preview]', { timeout: 60_000 });
    const wouldAdd = await b.options.$$eval('[data-testid=bundle-preview] tr[data-component]', (rows) => Object.fromEntries(rows.map((r) => [r.getAttribute('data-component'), Number(r.querySelector('[data-count=added]')!.textContent)])));
    expect(wouldAdd).toEqual(Object.fromEntries(COMPONENTS.map((c) => [c, expected[c]!.length])));
    await b.options.click('[data-testid=import-start]');
    await b.options.waitForSelector('[data-testid=bundle-job][data-type=bundle_import][data-status=succeeded] [data-testid=bundle-report]', { timeout: 60_000 });
    // Tab rows are this browser's live tabs: B keeps its own and gains A's (tab bindings).
    const sameAsA = async () => {
      const got = await stores(b.options);
      for (const component of COMPONENTS) {
        if (component === 'tabs') expect(got.tabs).toEqual(expect.arrayContaining(expected.tabs!));
        else expect(got[component], component).toEqual(expected[component]);
      }
      return got;
    };
    const afterImport = await sameAsA();

    const again = await command<{ jobId: string }>(b.options, 'bundles.import', { file: { kind: 'host', folderId: aBundles, name: bundleName } });
    const report = (await waitJob(b.options, again.jobId)).result as Record<string, { rows: number; added: number; present: number }>;
    for (const component of COMPONENTS) expect(report[component], component).toEqual({ rows: expected[component]!.length, added: 0, present: expected[component]!.length, invalid: 0 });
    expect(await sameAsA()).toEqual(afterImport);

    const cases = await damagedBundles();
    expect(cases.length).toBeGreaterThanOrEqual(15);
    for (const [i, damaged] of cases.entries()) {
      writeFileSync(join(folder, `${i}.hydraflow`), damaged.bytes);
      const job = await command<{ jobId: string }>(b.options, 'bundles.import', { file: { kind: 'host', folderId: damagedFolder, name: `${i}.hydraflow` } });
      const row = await waitJob(b.options, job.jobId);
      expect([row.status, row.error?.code], damaged.name).toEqual(['failed', damaged.code]);
    }
    expect(await sameAsA()).toEqual(afterImport);

    // Export into a folder allowed on B's host, chosen in the page (never typed as a path).
    await b.options.select('[data-testid=export-folder]', damagedFolder);
    await b.options.click('[data-testid=export-start]');
    const exported = await b.options.waitForSelector('[data-testid=bundle-job][data-type=bundle_export][data-status=succeeded] [data-testid=export-path-result]', { timeout: 60_000 });
    const exportedPath = (await exported!.evaluate((el) => el.textContent))!;
    expect(exportedPath.startsWith(`${realpathSync(folder)}/hydraflow-all-`)).toBe(true);
    expect(runCli(['bundle', 'inspect', exportedPath]).status).toBe(0);
  });

  it('without a host, exports as a download and previews a picked file', async () => {
    launched = await launchWithExtension();
    await serviceWorkerTarget(launched.browser);
    const options = await openExtensionPage(launched.browser, 'options.html#bundles');
    const { thread } = await command<{ thread: { id: string } }>(options, 'threads.create', { title: 'Offline thread' });
    await command(options, 'chat.note', { threadId: thread.id, content: 'kept offline' });
    const job = await command<{ jobId: string }>(options, 'bundles.export', { scope: { kind: 'threads', threadIds: [thread.id] }, destination: { kind: 'download' } });
    const row = await waitJob(options, job.jobId);
    expect([row.status, row.error]).toEqual(['succeeded', null]);
    const result = row.result as { cacheKey: string; bytes: number; rows: Record<string, number> };
    expect(result.rows).toMatchObject({ threads: 1, messages: 1 });
    await options.waitForSelector('[data-testid=export-save]');
    // The saved bytes, read back as the page would save them, then staged like a picked file.
    const preview = await options.evaluate(async (key) => {
      const cache = await caches.open('hydraflow-bundles');
      const blob = await (await cache.match(key))!.blob();
      const id = crypto.randomUUID();
      await cache.put(`https://bundles.hydraflow.invalid/staged/${id}`, new Response(blob));
      return chrome.runtime.sendMessage({ type: 'hydraflow/command', method: 'bundles.preview', params: { file: { kind: 'staged', id, name: 'x.hydraflow' } } });
    }, result.cacheKey);
    expect(preview).toMatchObject({ ok: true, result: { format: 'hydraflow-bundle', components: { threads: { rows: 1, added: 0, present: 1 }, messages: { rows: 1, present: 1 } } } });
    expect(result.bytes).toBeGreaterThan(100);
  });
});
