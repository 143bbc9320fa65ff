/**
 * The embed job in real Chromium: a fake embeddings server on loopback (node:http), pages and
 * messages seeded straight into the extension's database, the job started by saving the
 * settings, the service worker killed while a request is in flight, and the job finished by the
 * next worker from its cursor. The server counts what it answered: every item exactly once.
 */
import type { Page } from 'puppeteer-core';
import { afterEach, describe, expect, it } from 'vitest';
import { urlKey } from '../../shared/url';
import { startFakeEmbeddings, type FakeEmbeddings } from '../support/fake-embeddings';
import { launchWithExtension, openExtensionPage, serviceWorkerTarget, type LaunchedBrowser } from '../support/chromium';
import { readStore } from '../support/idb';

const PAGES = 300;
const MESSAGES = 200;

interface Reply<T> {
  ok: boolean;
  result: T;
  error?: { code: string; message: string };
}

function command<T>(page: Page, method: string, params: unknown): Promise<Reply<T>> {
  return page.evaluate((m, p) => chrome.runtime.sendMessage({ type: 'hydraflow/command', method: m, params: p }), method, params as never) as Promise<Reply<T>>;
}

/** Writes rows into stores from the extension page (the same origin as the worker's database). */
function putRows(page: Page, rows: Record<string, unknown[]>): Promise<void> {
  return page.evaluate(
    (all) =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('hydraflow');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction(Object.keys(all), 'readwrite');
          for (const [store, items] of Object.entries(all)) for (const item of items) tx.objectStore(store).put(item);
          tx.oncomplete = () => {
            open.result.close();
            resolve();
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
    rows,
  );
}

async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('embeddings in real Chromium', () => {
  let launched: LaunchedBrowser | undefined;
  let server: FakeEmbeddings | undefined;
  afterEach(async () => {
    await launched?.close();
    launched = undefined;
    await server?.close();
    server = undefined;
  });

  it('resumes the embed job after the service worker is killed and embeds every item exactly once', async () => {
    server = await startFakeEmbeddings({ dims: 64, delayMs: 50 });
    launched = await launchWithExtension();
    await serviceWorkerTarget(launched.browser);
    const page = await openExtensionPage(launched.browser, 'options.html#settings');
    await page.waitForSelector('[data-testid=app-info]', { timeout: 30_000 });

    const now = Date.now();
    const pages = Array.from({ length: PAGES }, (_, i) => {
      const url = `https://docs${i % 7}.example/article/${i}`;
      const text = `article ${i} about topic ${i % 13} and subject ${i % 17}`;
      return { id: `p${i}`, url, urlKey: urlKey(url), hostRev: `example.docs${i % 7}`, title: `Article ${i}`, byline: null, text, contentHash: i.toString(16).padStart(64, '0'), version: 1, capturedAt: now - i * 1000 };
    });
    const messages = Array.from({ length: MESSAGES }, (_, i) => ({
      id: `msg-${String(i).padStart(4, '0')}`,
      threadId: `thread-${i % 10}`,
      role: 'user',
      content: `message ${i} on topic ${i % 13}`,
      status: 'complete',
      model: null,
      error: null,
      createdAt: now - i * 1000,
      updatedAt: now - i * 1000,
    }));
    await putRows(page, { pages, messages });

    // The fifth request is held open: the worker dies while it waits for the answer.
    server.plan.set(5, { kind: 'hold' });
    // Configured through the options page's form, as a user does.
    await page.waitForSelector('[data-testid=embedding-settings]');
    await page.select('[data-testid=embedding-kind]', 'openai');
    for (const [field, value] of [['embedding-url', server.url], ['embedding-model', 'e2e-embed']] as const) {
      await page.$eval(`[data-testid=${field}]`, (el) => {
        (el as HTMLInputElement).value = '';
        el.dispatchEvent(new Event('input', { bubbles: true }));
      });
      await page.type(`[data-testid=${field}]`, value);
    }
    await page.click('[data-testid=embedding-save]');
    await page.waitForSelector('[data-testid=embedding-status].ok', { timeout: 10_000 });
    expect((await command<{ settings: unknown }>(page, 'embeddings.getSettings', {})).result.settings).toEqual({ kind: 'openai', baseUrl: server.url, model: 'e2e-embed' });
    const started = await command<{ jobId: string; deduplicated: boolean }>(page, 'embeddings.start', {});
    expect(started.result.deduplicated).toBe(true);
    const jobId = started.result.jobId;
    await server.arrived(5);
    const finishedBeforeKill = server.requests.slice(0, 4).flatMap((request) => request.input);
    expect(finishedBeforeKill.length).toBe(4 * 32);
    // Four batches are committed before the fifth request leaves.
    await waitFor(async () => (await readStore(page, 'vectors')).length === 4 * 32, 10_000);

    const worker = await serviceWorkerTarget(launched.browser);
    const session = await page.createCDPSession();
    await session.send('ServiceWorker.enable');
    await session.send('ServiceWorker.stopAllWorkers');
    await waitFor(() => !launched!.browser.targets().includes(worker), 10_000);
    const [atKill] = await readStore<{ id: string; status: string; cursor: { done: number } | null }>(page, 'jobs');
    expect(atKill).toMatchObject({ id: jobId, status: 'running', cursor: { done: 4 * 32 } });

    // Any event wakes the worker; its start-up resumes the job from the stored cursor.
    await page.evaluate(() => chrome.runtime.sendMessage({ type: 'hydraflow/command', method: 'app.info', params: {} }));
    await waitFor(async () => {
      const reply = await command<{ job: { status: string } }>(page, 'jobs.get', { jobId }).catch(() => null);
      return reply?.ok === true && reply.result.job.status !== 'running' && reply.result.job.status !== 'queued';
    }, 60_000);
    const { job } = (await command<{ job: { status: string; result: unknown; logTail: string[]; error: unknown } }>(page, 'jobs.get', { jobId })).result;
    expect(job.status, JSON.stringify(job.error)).toBe('succeeded');
    expect(job.result).toMatchObject({ walked: PAGES + MESSAGES, embedded: PAGES + MESSAGES });
    expect(job.logTail.join('\n')).toContain('resumed after a service-worker restart');

    // Server side: every item answered exactly once, and nothing finished was asked for again.
    expect(server.answered.size).toBe(PAGES + MESSAGES);
    expect([...server.answered.values()].every((times) => times === 1)).toBe(true);
    const afterKill = server.requests.slice(5).flatMap((request) => request.input);
    expect(afterKill.filter((text) => finishedBeforeKill.includes(text))).toEqual([]);
    const vectors = await readStore<{ key: string; dims: number; q: Int8Array }>(page, 'vectors');
    expect(vectors.length).toBe(PAGES + MESSAGES);
    expect(new Set(vectors.map((row) => row.key)).size).toBe(PAGES + MESSAGES);
    expect(vectors.every((row) => row.dims === 64 && Object.keys(row.q).length === 64)).toBe(true);

    // Search uses them: words and vectors fused, and a page's related list by vector.
    const found = await command<{ hybrid: boolean; hits: { kind: string; key: string; match: string }[] }>(page, 'search.query', { q: 'article 42 topic', limit: 10 });
    expect(found.ok, JSON.stringify(found.error)).toBe(true);
    expect(found.result.hybrid).toBe(true);
    expect(found.result.hits[0]).toMatchObject({ kind: 'page', key: pages[42]!.urlKey, match: 'both' });
    const related = await command<{ by: string; hits: { kind: string; key: string }[] }>(page, 'search.related', { url: pages[42]!.url, limit: 5 });
    expect(related.result.by).toBe('vector');
    expect(related.result.hits.length).toBe(5);
    expect(related.result.hits.some((hit) => hit.key === pages[42]!.urlKey)).toBe(false);
  });
});
