import { afterEach, describe, expect, it } from 'vitest';
import Dexie from 'dexie';
import { createDatabase, type HydraDb } from '../../../extension/db';
import { createJob } from '../../../extension/jobs';
import { diffVersions, storePageVersion } from '../../../extension/pages/versions';
import { runRefresh, type RefreshDeps, type RefreshJobParams, type RefreshResult } from '../../../extension/refresh/runner';
import { cancelRefresh, startRefresh } from '../../../extension/refresh/start';
import { setBlocklist } from '../../../extension/capture/blocklist';
import { createThread } from '../../../extension/threads/store';
import { refreshParams } from '../../../shared/commands/refresh';
import { normalizeScope, type RefreshScope } from '../../../shared/refresh/scope';
import { urlKey } from '../../../shared/url';
import type { ExtractedPage } from '../../../extension/capture/readable';

let db: HydraDb;
let n = 0;
async function fresh(): Promise<HydraDb> {
  db = createDatabase(`hydraflow-refresh-test-${n++}`);
  await db.open();
  return db;
}
afterEach(async () => {
  await setBlocklist(db, []);
  db.close();
  await Dexie.delete(db.name);
});

const DAY = 86_400_000;
const ORIGIN = 'https://site.example';

type Route = { status?: number; type?: string; body?: string; hang?: boolean };

/** A fake site on a virtual clock: every request is logged with the clock's time. */
function fakeSite(routes: Record<string, Route>, start = 100 * DAY) {
  let time = start;
  const requests: { path: string; at: number; headers: Record<string, string> }[] = [];
  const deps: RefreshDeps = {
    clock: {
      now: () => time,
      sleep: async (ms) => void (time += ms),
    },
    fetch: async (url, init) => {
      const path = new URL(url).pathname;
      requests.push({ path, at: time, headers: init.headers as Record<string, string> });
      time += 5; // each answer takes 5 ms
      const route = routes[path] ?? { status: 404, body: 'no' };
      if (route.hang)
        return new Promise((_resolve, reject) => init.signal!.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))));
      return new Response(route.body ?? '', { status: route.status ?? 200, headers: { 'content-type': route.type ?? 'text/html; charset=utf-8' } });
    },
    extract: async (html): Promise<ExtractedPage> => ({
      title: /<title>(.*?)<\/title>/.exec(html)?.[1] ?? '',
      byline: null,
      text: html.replace(/<title>.*?<\/title>/, '').replace(/<[^>]+>/g, ' ').replace(/[ \t]+/g, ' ').trim(),
      links: [...html.matchAll(/href="([^"]+)"/g)].map((m) => ({ href: m[1]!, rel: '' })),
      metaRobots: null,
    }),
    reindex: async (ids) => void reindexed.push(...ids),
  };
  const reindexed: string[] = [];
  return { deps, requests, reindexed, advance: (ms: number) => (time += ms), now: () => time };
}

const byPathOf = (result: RefreshResult) => Object.fromEntries(result.pages.map((p) => [new URL(p.url).pathname, p.error?.code ?? p.outcome]));

const html = (title: string, body: string, links: string[] = []) => `<title>${title}</title><p>${body}</p>${links.map((l) => `<a href="${l}">x</a>`).join('')}`;

async function params(scope: RefreshScope, extra: Partial<RefreshJobParams> = {}): Promise<RefreshJobParams> {
  const parsed = refreshParams.parse({ scope, minIntervalMs: 1000, timeoutMs: 500, ...extra });
  return { ...parsed, ...normalizeScope(parsed.scope) };
}

async function run(deps: RefreshDeps, p: RefreshJobParams): Promise<{ jobId: string; result: RefreshResult }> {
  const job = await createJob(db, { type: 'page_refresh', params: p });
  const result = await runRefresh(db, job.id, p, deps, new AbortController().signal);
  return { jobId: job.id, result };
}

describe('page versions', () => {
  it('stores a new version only when the text differs from the latest, numbering from the highest kept', async () => {
    await fresh();
    const url = `${ORIGIN}/a`;
    const v1 = await storePageVersion(db, { url, title: 'A', byline: null, text: 'one\ntwo' }, 1);
    expect(v1).toMatchObject({ stored: true, previous: null, page: { version: 1 } });
    expect((await storePageVersion(db, { url, title: 'A', byline: null, text: 'one\ntwo' }, 2)).stored).toBe(false);
    const v2 = await storePageVersion(db, { url, title: 'A', byline: null, text: 'one\nTWO' }, 3);
    expect(v2).toMatchObject({ stored: true, page: { version: 2 }, previous: { id: v1.page.id } });
    // Back to the first text: still a change against the latest, so a third version.
    expect((await storePageVersion(db, { url, title: 'A', byline: null, text: 'one\ntwo' }, 4)).page.version).toBe(3);
    await db.pages.delete(v1.page.id); // a retention prune of the oldest
    expect((await storePageVersion(db, { url, title: 'A', byline: null, text: 'four' }, 5)).page.version).toBe(4);
    const diff = await diffVersions(db, v2.page.id);
    // The version before v2 was pruned: v2 diffs against nothing.
    expect(diff).toMatchObject({ added: 2, removed: 0, from: null });
  });

  it('diffs a version against the one before it, without page text in the metadata', async () => {
    await fresh();
    const url = `${ORIGIN}/a`;
    await storePageVersion(db, { url, title: 'A', byline: null, text: 'keep\nold line\nkeep too' }, 1);
    const v2 = await storePageVersion(db, { url, title: 'A', byline: null, text: 'keep\nnew line\nkeep too' }, 2);
    const diff = await diffVersions(db, v2.page.id);
    expect(diff.from).toMatchObject({ version: 1 });
    expect(diff.from).not.toHaveProperty('text');
    expect(diff.hunks[0]!.lines.map((l) => `${l.op}:${l.text}`)).toEqual(['equal:keep', 'remove:old line', 'add:new line', 'equal:keep too']);
    await expect(diffVersions(db, 'nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('refresh runner', () => {
  async function savedThread(site: ReturnType<typeof fakeSite>, paths: string[]) {
    const thread = await createThread(db, 'Research', undefined);
    await db.threads.update(thread.id, { urlKeys: paths.map((p) => urlKey(`${ORIGIN}${p}`)) });
    for (const path of paths) await storePageVersion(db, { url: `${ORIGIN}${path}`, title: path, byline: null, text: `${path} first text` }, site.now() - 8 * DAY);
    return thread;
  }

  it('records changed, unchanged, failed and robots-skipped pages; the job finishes and the thread hears about it', async () => {
    await fresh();
    const site = fakeSite({
      '/robots.txt': { type: 'text/plain', body: 'User-agent: *\nDisallow: /private\n' },
      '/changed': { body: html('Changed', '/changed second text') },
      '/same': { body: html('Same', '/same first text') },
      '/private': { body: html('Private', 'secret') },
      '/broken': { status: 500, body: 'oops' },
      '/file': { type: 'application/pdf', body: '%PDF' },
      '/slow': { hang: true },
    });
    const thread = await savedThread(site, ['/changed', '/same', '/private', '/broken', '/file', '/slow']);
    const { jobId, result } = await run(site.deps, await params({ kind: 'thread', threadId: thread.id }));

    const outcomes = Object.fromEntries(result.pages.map((p) => [new URL(p.url).pathname, p.error?.code ?? p.outcome]));
    expect(outcomes).toEqual({ '/changed': 'changed', '/same': 'unchanged', '/private': 'REFRESH_ROBOTS_DISALLOWED', '/broken': 'REFRESH_HTTP_ERROR', '/file': 'REFRESH_NOT_HTML', '/slow': 'REFRESH_TIMEOUT' });
    expect(result).toMatchObject({ fetched: 5, changed: 1, unchanged: 1, failed: 3, skipped: 1, added: 0 });
    expect(result.pages.find((p) => p.url.endsWith('/broken'))!.error!.message).toBe('HTTP 500');

    const job = await db.jobs.get(jobId);
    expect(job).toMatchObject({ status: 'succeeded', progress: { done: 6, total: 6 }, result: { changed: 1, failed: 3 } });
    // robots.txt is fetched once; the disallowed page never.
    expect(site.requests.map((r) => r.path).filter((p) => p === '/robots.txt')).toHaveLength(1);
    expect(site.requests.some((r) => r.path === '/private')).toBe(false);
    expect(site.requests[1]!.headers).toMatchObject({ Accept: expect.stringContaining('text/html'), 'X-HydraFlow': expect.stringContaining('HydraFlow') });

    // Changed: a second version with a diff; unchanged: still one version.
    const changed = await db.pages.where('urlKey').equals(urlKey(`${ORIGIN}/changed`)).sortBy('version');
    expect(changed.map((p) => p.version)).toEqual([1, 2]);
    expect((await diffVersions(db, changed[1]!.id)).hunks[0]!.lines.map((l) => `${l.op}:${l.text}`)).toEqual(['remove:/changed first text', 'add:/changed second text']);
    expect(await db.pages.where('urlKey').equals(urlKey(`${ORIGIN}/same`)).count()).toBe(1);
    expect(site.reindexed).toEqual([changed[1]!.id]);

    const message = await db.messages.get(result.messageId!);
    expect(message).toMatchObject({ threadId: thread.id, role: 'system' });
    expect(message!.content.split('\n')[0]).toBe('Page refresh: 1 page changed since last week. 1 unchanged, 3 failed, 1 not fetched (robots.txt or blocklist).');
  });

  it('keeps the per-host interval from the end of one request to the next, and a longer Crawl-delay wins', async () => {
    await fresh();
    const site = fakeSite({ '/robots.txt': { type: 'text/plain', body: 'User-agent: HydraFlow\nCrawl-delay: 3\n' }, '/a': { body: html('A', 'a') }, '/b': { body: html('B', 'b') }, '/c': { body: html('C', 'c') } });
    const thread = await savedThread(site, ['/a', '/b', '/c']);
    await run(site.deps, await params({ kind: 'thread', threadId: thread.id }, { minIntervalMs: 1000 }));
    const times = site.requests.map((r) => r.at);
    expect(site.requests.map((r) => r.path)).toEqual(['/robots.txt', '/a', '/b', '/c']);
    // Each answer takes 5 ms; the interval runs from the end of one request to the start of the
    // next. robots.txt → first page: at least 3 s (the Crawl-delay is known once robots.txt is read).
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBe(3005);
    const plain = fakeSite({ '/robots.txt': { status: 404 }, '/a': { body: html('A', 'a') }, '/b': { body: html('B', 'b') } });
    const other = await savedThread(plain, ['/a', '/b']);
    await run(plain.deps, await params({ kind: 'thread', threadId: other.id }, { minIntervalMs: 1000 }));
    const plainTimes = plain.requests.map((r) => r.at);
    for (let i = 1; i < plainTimes.length; i++) expect(plainTimes[i]! - plainTimes[i - 1]!).toBe(1005);
  });

  it('follows same-site links to the asked depth within the page cap, saving new pages as added', async () => {
    await fresh();
    const site = fakeSite({
      '/robots.txt': { status: 404 },
      '/hub': { body: html('Hub', '/hub first text', ['/one', '/two', 'https://elsewhere.example/x', '/doc.pdf']) },
      '/one': { body: html('One', 'one', ['/deep']) },
      '/two': { body: html('Two', 'two') },
      '/deep': { body: html('Deep', 'deep', ['/deeper']) },
      '/deeper': { body: html('Deeper', 'deeper') },
    });
    const thread = await savedThread(site, ['/hub']);
    const depth1 = await run(site.deps, await params({ kind: 'thread', threadId: thread.id }, { depth: 1 }));
    expect(depth1.result.pages.map((p) => [new URL(p.url).pathname, p.depth, p.outcome])).toEqual([
      ['/hub', 0, 'changed'],
      ['/one', 1, 'added'],
      ['/two', 1, 'added'],
    ]);
    const depth2 = await run(site.deps, await params({ kind: 'thread', threadId: thread.id }, { depth: 2, pageCap: 4 }));
    expect(depth2.result.pages.map((p) => new URL(p.url).pathname)).toEqual(['/hub', '/one', '/two', '/deep']);
    expect(site.requests.some((r) => r.path === '/deeper' || r.path === '/doc.pdf')).toBe(false);
  });

  it('selects pages by query words and by domain (subdomains by whole labels); nothing to refresh fails clearly', async () => {
    await fresh();
    const site = fakeSite({ '/robots.txt': { status: 404 }, '/rust': { body: html('Rust', 'async rust') }, '/go': { body: html('Go', 'go') } });
    await storePageVersion(db, { url: `${ORIGIN}/rust`, title: 'Async Rust', byline: null, text: 'futures' }, 1);
    await storePageVersion(db, { url: `${ORIGIN}/go`, title: 'Go', byline: null, text: 'goroutines' }, 1);
    await storePageVersion(db, { url: 'https://notsite.example/rust', title: 'Rust elsewhere', byline: null, text: 'async' }, 1);
    const byQuery = await run(site.deps, await params({ kind: 'query', query: 'RUST async' }));
    expect(byQuery.result.pages.map((p) => p.url).sort()).toEqual(['https://notsite.example/rust', `${ORIGIN}/rust`]);
    const byDomain = await run(site.deps, await params({ kind: 'domains', domains: ['site.example'] }));
    expect(byDomain.result.pages.map((p) => new URL(p.url).pathname).sort()).toEqual(['/go', '/rust']);
    const job = await createJob(db, { type: 'page_refresh' });
    await expect(runRefresh(db, job.id, await params({ kind: 'domains', domains: ['nothing.example'] }), site.deps, new AbortController().signal)).rejects.toMatchObject({ code: 'REFRESH_NOTHING_TO_REFRESH' });
    expect(await db.jobs.get(job.id)).toMatchObject({ status: 'failed', error: { code: 'REFRESH_NOTHING_TO_REFRESH' } });
  });

  it('records a page whose extraction fails, and a page with no readable text, as failed; the run goes on', async () => {
    await fresh();
    const site = fakeSite({ '/robots.txt': { status: 404 }, '/a': { body: html('A', 'a') }, '/b': { body: html('B', 'b') }, '/empty': { body: '<title>Empty</title>' } });
    const thread = await savedThread(site, ['/a', '/b', '/empty']);
    const deps: RefreshDeps = { ...site.deps, extract: async (text, url) => (url.endsWith('/a') ? Promise.reject(new Error('offscreen document gone')) : site.deps.extract(text, url)) };
    const { jobId, result } = await run(deps, await params({ kind: 'thread', threadId: thread.id }));
    expect(byPathOf(result)).toEqual({ '/a': 'INTERNAL_ERROR', '/b': 'changed', '/empty': 'PAGE_NOT_READABLE' });
    expect((await db.jobs.get(jobId))!.status).toBe('succeeded');
  });

  it('never fetches a page on a blocked domain', async () => {
    await fresh();
    const site = fakeSite({ '/robots.txt': { status: 404 }, '/a': { body: html('A', 'a') } });
    const thread = await savedThread(site, ['/a']);
    await setBlocklist(db, [{ domain: 'site.example', subdomains: false }]);
    const { result } = await run(site.deps, await params({ kind: 'thread', threadId: thread.id }));
    expect(result.pages[0]).toMatchObject({ outcome: 'skipped', error: { code: 'CAPTURE_REFUSED' } });
    expect(site.requests).toEqual([]);
  });
});

describe('refresh jobs', () => {
  it('returns the queued/running job for the same normalized scope, a new one after it ends; cancel stops it', async () => {
    await fresh();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const site = fakeSite({ '/robots.txt': { status: 404 }, '/rust': { body: html('Rust', 'rust async') } });
    const slowDeps: RefreshDeps = { ...site.deps, fetch: async (url, init) => (await gate, site.deps.fetch(url, init)) };
    await storePageVersion(db, { url: `${ORIGIN}/rust`, title: 'Rust', byline: null, text: 'async rust' }, 1);
    const first = await startRefresh(db, refreshParams.parse({ scope: { kind: 'query', query: 'rust async' } }), () => slowDeps);
    const again = await startRefresh(db, refreshParams.parse({ scope: { kind: 'query', query: 'Async, RUST' }, depth: 2 }), () => slowDeps);
    expect(again).toEqual({ jobId: first.jobId, deduplicated: true });
    const other = await startRefresh(db, refreshParams.parse({ scope: { kind: 'query', query: 'rust' } }), () => slowDeps);
    expect(other.deduplicated).toBe(false);
    expect(cancelRefresh(other.jobId)).toBe(true);
    release();
    await expect.poll(async () => (await db.jobs.get(first.jobId))?.status).toBe('succeeded');
    await expect.poll(async () => (await db.jobs.get(other.jobId))?.status).toBe('cancelled');
    const later = await startRefresh(db, refreshParams.parse({ scope: { kind: 'query', query: 'rust async' } }), () => site.deps);
    expect(later.deduplicated).toBe(false);
    expect(later.jobId).not.toBe(first.jobId);
    await expect.poll(async () => (await db.jobs.get(later.jobId))?.status).toBe('succeeded');
  });

  it('a refresh left running by a dead worker is not the one a new request joins', async () => {
    await fresh();
    const site = fakeSite({ '/robots.txt': { status: 404 }, '/rust': { body: html('Rust', 'rust async') } });
    await storePageVersion(db, { url: `${ORIGIN}/rust`, title: 'Rust', byline: null, text: 'async rust' }, 1);
    // The first request makes the row a dead worker would have left (same scope, still "running").
    const first = await startRefresh(db, refreshParams.parse({ scope: { kind: 'query', query: 'rust async' } }), () => site.deps);
    await expect.poll(async () => (await db.jobs.get(first.jobId))?.status).toBe('succeeded');
    const row = (await db.jobs.get(first.jobId))!;
    await db.jobs.add({ ...row, id: 'refresh-of-a-dead-worker', status: 'running', finishedAt: null, result: null });
    const next = await startRefresh(db, refreshParams.parse({ scope: { kind: 'query', query: 'rust async' } }), () => site.deps);
    expect(next.deduplicated).toBe(false);
    expect(next.jobId).not.toBe('refresh-of-a-dead-worker');
    await expect.poll(async () => (await db.jobs.get(next.jobId))?.status).toBe('succeeded');
  });

  it('a cancel during the pause between two requests ends the job cancelled, with what was done kept', async () => {
    await fresh();
    const site = fakeSite({ '/robots.txt': { status: 404 }, '/a': { body: html('A', 'a') }, '/b': { body: html('B', 'b') } });
    const controller = new AbortController();
    const deps: RefreshDeps = {
      ...site.deps,
      clock: { now: site.now, sleep: (_ms, signal) => new Promise((_resolve, reject) => (controller.abort(), reject(signal.reason))) },
    };
    const thread = await createThread(db, 'T', undefined);
    await db.threads.update(thread.id, { urlKeys: [urlKey(`${ORIGIN}/a`), urlKey(`${ORIGIN}/b`)] });
    for (const path of ['/a', '/b']) await storePageVersion(db, { url: `${ORIGIN}${path}`, title: path, byline: null, text: 'old' }, 1);
    const job = await createJob(db, { type: 'page_refresh' });
    await expect(runRefresh(db, job.id, await params({ kind: 'thread', threadId: thread.id }), deps, controller.signal)).rejects.toBeDefined();
    expect(await db.jobs.get(job.id)).toMatchObject({ status: 'cancelled', error: { code: 'CANCELLED' } });
  });

  it('refuses a thread scope for a missing thread', async () => {
    await fresh();
    const site = fakeSite({});
    await expect(startRefresh(db, refreshParams.parse({ scope: { kind: 'thread', threadId: 'missing' } }), () => site.deps)).rejects.toMatchObject({ code: 'THREAD_NOT_FOUND' });
  });
});
