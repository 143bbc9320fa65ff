/**
 * Page snapshots and focused refresh in real Chromium, against a loopback site whose pages change
 * between runs: a changed page gets a new version and a diff, an unchanged one does not;
 * robots.txt is honoured; requests to the site keep the interval (measured from the server's own
 * request times); a duplicate request returns the running job; a timeout, a 500 and a non-HTML
 * answer are recorded as failed with their reason and the job still finishes.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchWithExtension, openExtensionPage, serviceWorkerTarget, type LaunchedBrowser } from '../support/chromium';
import { readStore } from '../support/idb';

const HOSTILE = '<img src=x onerror="window.__pwned=1">';
const INTERVAL_MS = 700;

let server: Server;
let origin: string;
let round = 1;
const requests: { path: string; at: number; identity: string | undefined; accept: string | undefined }[] = [];

const article = (title: string, paragraphs: string[]) =>
  `<!doctype html><html><head><title>${title}</title></head><body><article><h1>${title}</h1>${paragraphs.map((p) => `<p>${p}</p>`).join('')}</article></body></html>`;
const filler = (topic: string) => `${topic} is a page with enough words to be readable by Readability. `.repeat(8);

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = req.url ?? '/';
    requests.push({ path, at: Date.now(), identity: req.headers['x-hydraflow'] as string | undefined, accept: req.headers.accept });
    const html = (body: string) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(body);
    if (path === '/robots.txt') res.writeHead(200, { 'content-type': 'text/plain' }).end('User-agent: *\nDisallow: /private\n');
    else if (path === '/a') html(article('Changing page', [filler('Alpha'), round === 1 ? 'The price is 10 euros.' : `The price is 12 euros. ${HOSTILE.replace(/</g, '&lt;')}`, filler('Omega')]));
    else if (path === '/b') html(article('Stable page', [filler('Stable'), 'Nothing changes here. See <a href="/c">the linked page</a> and <a href="https://elsewhere.invalid/x">another site</a>.']));
    else if (path === '/c') html(article('Linked page', [filler('Linked')]));
    else if (path === '/private/p') html(article('Private', [filler('Private')]));
    else if (path === '/error') res.writeHead(500, { 'content-type': 'text/html' }).end('<h1>boom</h1>');
    else if (path === '/binary') res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(Buffer.alloc(64));
    else if (path === '/slow') setTimeout(() => html(article('Slow', [filler('Slow')])), 5_000);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

type Reply<T = unknown> = { ok: boolean; result: T; error?: { code: string; message: string } };

async function command<T = Record<string, unknown>>(page: Page, method: string, params: unknown): Promise<Reply<T>> {
  return page.evaluate((m, p) => chrome.runtime.sendMessage({ type: 'hydraflow/command', method: m, params: p }), method, params as never) as Promise<Reply<T>>;
}

interface JobRow {
  id: string;
  status: string;
  result: { fetched: number; changed: number; added: number; unchanged: number; failed: number; skipped: number; pages: { url: string; outcome: string; pageId: string | null; error: { code: string; message: string } | null }[]; messageId: string | null };
}

async function waitForJob(page: Page, jobId: string): Promise<JobRow> {
  for (let i = 0; i < 120; i++) {
    const reply = await command<{ job: JobRow }>(page, 'jobs.get', { jobId });
    if (reply.ok && !['queued', 'running'].includes(reply.result.job.status)) return reply.result.job;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`job ${jobId} did not finish`);
}

const byPath = (job: JobRow) => Object.fromEntries(job.result.pages.map((p) => [new URL(p.url).pathname, p.error?.code ?? p.outcome]));

describe('page snapshots and focused refresh in real Chromium', () => {
  let launched: LaunchedBrowser;
  afterAll(async () => launched?.close());

  it('refreshes a thread’s pages politely: new versions only for changed pages, reasons for failures, one job for duplicates', async () => {
    launched = await launchWithExtension();
    const browser = launched.browser;
    await serviceWorkerTarget(browser);

    // The user opens /a, its thread, and saves the page (Readability in the tab).
    const tabA = await browser.newPage();
    await tabA.goto(`${origin}/a`, { waitUntil: 'load' });
    const helper = await openExtensionPage(browser, 'options.html');
    const tabIdOf = (url: string) => helper.evaluate(async (u) => (await chrome.tabs.query({ url: u }))[0]?.id ?? -1, url);
    const tabIdA = await tabIdOf(`${origin}/a`);
    const panel = await openExtensionPage(browser, `sidepanel.html?tabId=${tabIdA}`);
    await panel.waitForSelector('[data-testid=thread]', { timeout: 20_000 });
    // "Save page" makes the tab's thread.
    await panel.click('[data-testid=capture-page]');
    await panel.waitForSelector('[data-testid=version][data-version="1"]', { timeout: 15_000 });
    const threadId = await (await panel.waitForSelector('[data-testid=thread]:not([data-unsaved])'))!.evaluate((el) => el.getAttribute('data-thread-id')!);

    // /b is bound to the same thread; reloading it saves it automatically.
    const tabB = await browser.newPage();
    await tabB.goto(`${origin}/b`, { waitUntil: 'load' });
    const tabIdB = await tabIdOf(`${origin}/b`);
    expect((await command(helper, 'threads.bind', { tab: { tabId: tabIdB, url: `${origin}/b`, title: 'Stable page' }, threadId })).ok).toBe(true);
    await tabB.reload({ waitUntil: 'load' });
    await expect.poll(async () => (await readStore<{ url: string }>(helper, 'pages')).filter((p) => p.url === `${origin}/b`).length, { timeout: 15_000 }).toBe(1);

    // Pages that will fail or be skipped, bound to the thread without opening them.
    let fakeTabId = 900_000;
    for (const path of ['/private/p', '/slow', '/error', '/binary']) {
      expect((await command(helper, 'threads.bind', { tab: { tabId: fakeTabId++, url: `${origin}${path}`, title: path }, threadId })).ok).toBe(true);
    }

    // Run 1: nothing changed since the saves. A duplicate request returns the running job.
    requests.length = 0;
    const params = { scope: { kind: 'thread', threadId }, minIntervalMs: INTERVAL_MS, timeoutMs: 1_500 };
    const first = await command<{ jobId: string; deduplicated: boolean }>(helper, 'refresh.start', params);
    expect(first).toMatchObject({ ok: true, result: { deduplicated: false } });
    const duplicate = await command<{ jobId: string; deduplicated: boolean }>(panel, 'refresh.start', { ...params, depth: 1 });
    expect(duplicate.result).toEqual({ jobId: first.result.jobId, deduplicated: true });
    const run1 = await waitForJob(helper, first.result.jobId);
    expect(run1.status).toBe('succeeded');
    expect(byPath(run1)).toEqual({ '/a': 'unchanged', '/b': 'unchanged', '/private/p': 'REFRESH_ROBOTS_DISALLOWED', '/slow': 'REFRESH_TIMEOUT', '/error': 'REFRESH_HTTP_ERROR', '/binary': 'REFRESH_NOT_HTML' });
    expect(run1.result).toMatchObject({ fetched: 5, changed: 0, unchanged: 2, failed: 3, skipped: 1 });
    expect(run1.result.pages.find((p) => p.url.endsWith('/error'))!.error!.message).toMatch(/^HTTP 500/);

    // What the server saw: robots.txt once, never the disallowed page, the interval between requests, who asked.
    const paths = requests.map((r) => r.path);
    expect(paths.filter((p) => p === '/robots.txt')).toHaveLength(1);
    expect(paths).not.toContain('/private/p');
    expect(paths.filter((p) => p !== '/robots.txt').sort()).toEqual(['/a', '/b', '/binary', '/error', '/slow']);
    const gaps = requests.slice(1).map((r, i) => r.at - requests[i]!.at);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(INTERVAL_MS);
    expect(requests.find((r) => r.path === '/a')).toMatchObject({ identity: expect.stringContaining('HydraFlow'), accept: expect.stringContaining('text/html') });

    // Run 2: /a changed on the site.
    round = 2;
    const second = await command<{ jobId: string; deduplicated: boolean }>(helper, 'refresh.start', params);
    expect(second.result.deduplicated).toBe(false);
    const run2 = await waitForJob(helper, second.result.jobId);
    expect(byPath(run2)).toMatchObject({ '/a': 'changed', '/b': 'unchanged' });
    const pages = await readStore<{ id: string; url: string; version: number; text: string }>(helper, 'pages');
    expect(pages.filter((p) => p.url === `${origin}/a`).map((p) => p.version).sort()).toEqual([1, 2]);
    expect(pages.filter((p) => p.url === `${origin}/b`).map((p) => p.version)).toEqual([1]);
    const v2 = pages.find((p) => p.url === `${origin}/a` && p.version === 2)!;
    const diff = await command<{ added: number; removed: number; hunks: { lines: { op: string; text: string }[] }[] }>(helper, 'pages.diff', { pageId: v2.id });
    const changedLines = diff.result.hunks.flatMap((h) => h.lines).filter((l) => l.op !== 'equal').map((l) => `${l.op}:${l.text.trim()}`);
    expect(changedLines).toEqual(['remove:The price is 10 euros.', `add:The price is 12 euros. ${HOSTILE}`]);
    // Re-indexed: search finds the new version's words on that page, and no longer the old ones.
    type Hits = { hits: { kind: string; url: string; pageId: string | null }[] };
    const fresh = await command<Hits>(helper, 'search.query', { q: 'price 12 euros', kinds: ['page'] });
    expect(fresh.result.hits.map((h) => [h.url, h.pageId])).toEqual([[`${origin}/a`, v2.id]]);
    expect((await command<Hits>(helper, 'search.query', { q: 'price 10 euros', kinds: ['page'] })).result.hits).toEqual([]);

    // The thread says what changed; the panel shows the versions and the diff, as text.
    const messages = await readStore<{ id: string; threadId: string; role: string; content: string }>(helper, 'messages');
    const report = messages.find((m) => m.id === run2.result.messageId)!;
    expect(report).toMatchObject({ threadId, role: 'system' });
    expect(report.content).toMatch(/^Page refresh: 1 page changed since earlier today\. 1 unchanged, 3 failed, 1 not fetched/);
    await panel.bringToFront();
    await panel.waitForFunction(() => [...document.querySelectorAll('[data-testid=message-text]')].some((el) => el.textContent?.includes('1 page changed')), { timeout: 10_000 });
    await panel.waitForSelector('[data-testid=version][data-version="2"] [data-testid=version-diff]', { timeout: 10_000 });
    await panel.click('[data-testid=version][data-version="2"] [data-testid=version-diff]');
    await panel.waitForSelector('[data-testid=diff-line][data-op=add]', { timeout: 10_000 });
    const added = await panel.$$eval('[data-testid=diff-line][data-op=add]', (els) => els.map((el) => el.textContent));
    expect(added.join('\n')).toContain(HOSTILE);
    expect(await panel.$$eval('[data-testid=version-diff-view] img', (els) => els.length)).toBe(0);
    expect(await panel.evaluate(() => (window as { __pwned?: unknown }).__pwned)).toBeUndefined();

    // From the panel's form: the site's domain, following same-site links one level.
    requests.length = 0;
    await panel.select('[data-testid=refresh-kind]', 'domains');
    await panel.type('[data-testid=refresh-text]', '127.0.0.1');
    await panel.select('[data-testid=refresh-depth]', '1');
    await panel.click('[data-testid=refresh-start]');
    await panel.waitForSelector('[data-testid=refresh-job][data-status=succeeded]', { timeout: 30_000 });
    expect(await panel.$eval('[data-testid=refresh-counts]', (el) => el.textContent)).toContain('new 1');
    const jobs = await readStore<JobRow & { type: string; createdAt: number }>(helper, 'jobs');
    const fromPanel = jobs.filter((j) => j.type === 'page_refresh').sort((a, b) => b.createdAt - a.createdAt)[0]!;
    expect(byPath(fromPanel)).toEqual({ '/a': 'unchanged', '/b': 'unchanged', '/c': 'added' });
    expect(requests.map((r) => r.path)).not.toContain('/x');

    // Cancel: a slow refresh (5 s between requests) stops and ends cancelled.
    const slow = await command<{ jobId: string }>(helper, 'refresh.start', { scope: { kind: 'query', query: 'page readable' }, minIntervalMs: 5_000 });
    expect(slow.ok).toBe(true);
    await expect.poll(async () => (await command<{ job: JobRow }>(helper, 'jobs.get', { jobId: slow.result.jobId })).result.job.status, { timeout: 10_000 }).toBe('running');
    expect(await command(helper, 'jobs.cancel', { jobId: slow.result.jobId })).toMatchObject({ ok: true, result: { cancelled: true } });
    expect((await waitForJob(helper, slow.result.jobId)).status).toBe('cancelled');
  }, 120_000);
});
