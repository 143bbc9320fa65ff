/**
 * Send → the model request leaving the worker, with HF_BENCH_VISITS visits (default 500k) and
 * HF_BENCH_PAGES saved pages (default 10k) stored, real Chromium, a loopback OpenAI-compatible
 * server timing each request's arrival. Time is taken from just before `chat.send` is sent (in the
 * page) to the request's arrival (Date.now on both sides, one machine). Figures, one JSON line each:
 *  - send_to_request_history_ms p50/p95: "From my history" on — the question run through the search
 *    index, the best passages read and cut, memories, conversation and prompt assembled (goal p95 < 150 ms);
 *  - send_to_request_page_ms p50/p95: the page chip on, history off — Readability run in a long
 *    article's tab (extraction, reported apart);
 * baseline: the same send with no context (no chips, no history) on the same database, same run.
 * Rows are written raw (as the overview bench does), then the index is rebuilt by its job before
 * timing. Run after `npm run build`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import type { Page } from 'puppeteer-core';
import { launchWithExtension, openExtensionPage, serviceWorkerTarget } from '../support/chromium';

const VISITS = Number(process.env.HF_BENCH_VISITS ?? 500_000);
const PAGES = Number(process.env.HF_BENCH_PAGES ?? 10_000);
const ROUNDS = Number(process.env.HF_BENCH_ROUNDS ?? 25);

const arrivals: number[] = [];
const model = createServer((req, res) => {
  let body = '';
  req.on('data', (chunk: Buffer) => (body += chunk.toString()));
  req.on('end', () => {
    if (req.url === '/v1/chat/completions') arrivals.push(Date.now());
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.end(`data: ${JSON.stringify({ choices: [{ delta: { content: 'ok' } }] })}\n\ndata: [DONE]\n\n`);
  });
});
await new Promise<void>((resolve) => model.listen(0, '127.0.0.1', resolve));
const modelUrl = `http://127.0.0.1:${(model.address() as AddressInfo).port}`;
const WORDS = 'river stone garden lantern copper meadow harbor violet canyon ember maple orbit quartz saddle tundra willow'.split(' ');
const article = `<!doctype html><title>Long article</title><article><h1>Long article</h1>${Array.from({ length: 400 }, (_, i) => `<p>Paragraph ${i}: ${Array.from({ length: 60 }, (_, w) => WORDS[(i * 7 + w) % WORDS.length]).join(' ')}.</p>`).join('')}</article>`;
const site = createServer((_req, res) => res.setHeader('content-type', 'text/html').end(article));
await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
const siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/article`;

async function command<T>(page: Page, method: string, params: unknown): Promise<T> {
  const reply = (await page.evaluate((m, p) => chrome.runtime.sendMessage({ type: 'hydraflow/command', method: m, params: p }), method, params as never)) as { ok: boolean; result: T; error?: unknown };
  if (!reply.ok) throw new Error(`${method}: ${JSON.stringify(reply.error)}`);
  return reply.result;
}

/** Raw rows, in slices (one call for everything would outlive the driver's timeout). */
async function seed(page: Page): Promise<void> {
  for (let slice = 0; slice < VISITS; slice += 50_000) {
    await page.evaluate(
      async (first, total, words) => {
        const db = await new Promise<IDBDatabase>((resolve, reject) => {
          const open = indexedDB.open('hydraflow');
          open.onsuccess = () => resolve(open.result);
          open.onerror = () => reject(open.error);
        });
        const now = 1_790_000_000_000;
        for (let from = first; from < total; from += 20_000) {
          await new Promise<void>((resolve, reject) => {
            const tx = db.transaction('visits', 'readwrite');
            const store = tx.objectStore('visits');
            for (let i = from; i < Math.min(total, from + 20_000); i++) {
              const visitedAt = now - i * 15_000;
              const url = `https://site${i % 997}.example/p${i % 100_000}`;
              store.add({ id: `${url}@${visitedAt}`, url, urlKey: url, hostRev: `example.site${i % 997}`, title: `${words[i % words.length]} ${words[(i * 3) % words.length]} page ${i % 100_000}`, visitedAt, transition: 'link', source: 'chrome' });
            }
            tx.oncomplete = () => resolve();
            tx.onerror = () => reject(tx.error);
          });
        }
        db.close();
      },
      slice,
      Math.min(VISITS, slice + 50_000),
      WORDS,
    );
  }
  await page.evaluate(
    async (total, words) => {
      const db = await new Promise<IDBDatabase>((resolve) => {
        const open = indexedDB.open('hydraflow');
        open.onsuccess = () => resolve(open.result);
      });
      const now = 1_790_000_000_000;
      for (let from = 0; from < total; from += 1_000) {
        await new Promise<void>((resolve, reject) => {
          const tx = db.transaction('pages', 'readwrite');
          const store = tx.objectStore('pages');
          for (let i = from; i < Math.min(total, from + 1_000); i++) {
            const url = `https://docs${i % 200}.example/article/${i}`;
            // About 3 kB of text per page, with a rare word per page (the question finds page 4242's).
            const text = Array.from({ length: 40 }, (_, p) => `${Array.from({ length: 12 }, (_, w) => words[(i + p * 5 + w) % words.length]).join(' ')} rare${i}word.`).join('\n');
            store.add({ id: `page${i}`, url, urlKey: url, hostRev: `example.docs${i % 200}`, title: `Article ${i}`, byline: null, text, contentHash: (i.toString(16).padStart(8, "0")).repeat(8), version: 1, capturedAt: now - i * 60_000 });
          }
          tx.oncomplete = () => resolve();
          tx.onerror = () => reject(tx.error);
        });
      }
      db.close();
    },
    PAGES,
    WORDS,
  );
}

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.ceil(values.length * p) - 1)]!;

const launched = await launchWithExtension();
try {
  const browser = launched.browser;
  await serviceWorkerTarget(browser);
  const tab = await browser.newPage();
  await tab.goto(siteUrl, { waitUntil: 'load' });
  const page = await openExtensionPage(browser, 'options.html');
  await page.waitForSelector('[data-testid=app-info]');
  const tabId = await page.evaluate(async (url) => (await chrome.tabs.query({ url }))[0]!.id!, siteUrl);
  let started = performance.now();
  await seed(page);
  process.stderr.write(`seeded ${VISITS} visits and ${PAGES} pages raw in ${Math.round(performance.now() - started)} ms\n`);
  // Raw rows bypass the counters and the index journal: rebuild both.
  await command(page, 'overview.recount', {});
  started = performance.now();
  const { jobId } = await command<{ jobId: string }>(page, 'search.rebuild', {});
  for (;;) {
    const { job } = await command<{ job: { status: string } }>(page, 'jobs.get', { jobId });
    if (job.status === 'succeeded') break;
    if (job.status !== 'running' && job.status !== 'pending') throw new Error(`index rebuild ${job.status}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  process.stderr.write(`index rebuilt in ${Math.round(performance.now() - started)} ms\n`);
  await command(page, 'chat.setSettings', { settings: { kind: 'openai', baseUrl: modelUrl, model: 'bench' } });
  const { thread } = await command<{ thread: { id: string } }>(page, 'threads.create', { title: 'Bench' });

  const timeSends = async (context: { pageTabId: number | null; tabIds: number[]; history: boolean }, label: string): Promise<number[]> => {
    const times: number[] = [];
    for (let round = 0; round < ROUNDS + 2; round++) {
      const before = arrivals.length;
      const sentAt = await page.evaluate(
        (threadId, ctx, n) => {
          const at = Date.now();
          void chrome.runtime.sendMessage({ type: 'hydraflow/command', method: 'chat.send', params: { threadId, content: `What did the article with rare${4242 + n}word say about copper harbor?`, context: ctx } });
          return at;
        },
        thread.id,
        context,
        round,
      );
      while (arrivals.length === before) await new Promise((resolve) => setTimeout(resolve, 2));
      // The first two rounds warm the worker's caches (index segments, window); not counted.
      if (round >= 2) times.push(arrivals[before]! - sentAt);
      // Wait for the reply to finish before the next question (one reply streams at a time).
      for (let i = 0; i < 500; i++) {
        const inflight = await page.evaluate(
          () =>
            new Promise<number>((resolve) => {
              const open = indexedDB.open('hydraflow');
              open.onsuccess = () => {
                const request = open.result.transaction('settings').objectStore('settings').count(IDBKeyRange.bound('chat.inflight:', 'chat.inflight:\uffff'));
                request.onsuccess = () => {
                  open.result.close();
                  resolve(request.result);
                };
              };
            }),
        );
        if (inflight === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
    process.stderr.write(`${label}: ${times.join(' ')}\n`);
    return times;
  };

  const baseline = await timeSends({ pageTabId: null, tabIds: [], history: false }, 'no context');
  const history = await timeSends({ pageTabId: null, tabIds: [], history: true }, 'history');
  const extraction = await timeSends({ pageTabId: tabId, tabIds: [], history: false }, 'page chip');
  const base = percentile(baseline, 0.5);
  const line = (figure: string, value: number, goal?: string) =>
    console.log(JSON.stringify({ bench: 'chat-context', figure, value, baseline: 'send_to_request_no_context_ms_p50', baselineValue: base, ratio: Math.round((value / Math.max(1, base)) * 100) / 100, ...(goal ? { goal } : {}), visits: VISITS, pages: PAGES, rounds: ROUNDS, load: loadavg()[0]!.toFixed(1) }));
  line('send_to_request_history_ms_p50', percentile(history, 0.5));
  line('send_to_request_history_ms_p95', percentile(history, 0.95), '<150ms');
  line('send_to_request_page_extraction_ms_p50', percentile(extraction, 0.5));
  line('send_to_request_page_extraction_ms_p95', percentile(extraction, 0.95));
  line('send_to_request_no_context_ms_p95', percentile(baseline, 0.95));
} finally {
  await launched.close();
  model.close();
  site.close();
}
