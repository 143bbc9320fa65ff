/**
 * History import benchmark (run by `npm run bench`, or `npx tsx tests/bench/history-import.bench.ts`
 * after `npx wxt build && node scripts/build-host.mjs`). A generated History with
 * HF_BENCH_VISITS visits over HF_BENCH_URLS URLs (default 500k / 100k) is imported end to end
 * (options page open, real host, real Chromium), against, in the same run:
 *   (a) the host reading the same file alone over stdio, paged exactly as the import pages it;
 *   (b) a raw IndexedDB bulk write of as many rows of the same shape, same batch size, same browser.
 * Prints one JSON line per figure. Goal: e2e ≤ 1.5 × (a + b); service-worker heap < 200 MB.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { FrameDecoder, encodeFrame } from '../../native-host/core/frame-decoder';
import { EXTENSION_ORIGIN } from '../../shared/extension-id';
import { writeLargeChromiumHistory } from '../fixtures/make-history';
import { runCli } from '../support/cli';
import { launchWithExtension, openExtensionPage, serviceWorkerTarget } from '../support/chromium';
import { HOST_BUNDLE } from '../support/host-process';

const VISITS = Number(process.env.HF_BENCH_VISITS ?? 500_000);
const URLS = Number(process.env.HF_BENCH_URLS ?? 100_000);
const PAGE = 20_000; // = IMPORT_PAGE_VISITS
const WRITE_BATCH = 10_000; // = the import's WRITE_BATCH_VISITS: same transactions for (b) as for the import
/** Set to a file path: the service worker's CPU profile during the import is written there (DevTools format). */
const PROFILE = process.env.HF_BENCH_PROFILE;
/** Set to 1 to skip the baselines (a) and (b) while iterating on the import alone. */
const IMPORT_ONLY = process.env.HF_BENCH_IMPORT_ONLY === '1';

function line(figure: string, value: number, baseline: string, baselineValue: number, goal: string): void {
  process.stdout.write(`${JSON.stringify({ bench: 'history-import', figure, value: Math.round(value), baseline, baselineValue: Math.round(baselineValue), ratio: Math.round((value / baselineValue) * 100) / 100, goal, visits: VISITS, urls: URLS })}\n`);
}

/** (a): the built host over stdio, paging with `after` like the import job, discarding rows. */
async function hostReadAlone(historyPath: string, home: string): Promise<{ ms: number; visits: number }> {
  const child = spawn(process.execPath, [HOST_BUNDLE, EXTENSION_ORIGIN], { env: { ...process.env, HYDRAFLOW_HOME: home }, stdio: ['pipe', 'pipe', 'inherit'] });
  const decoder = new FrameDecoder(1_048_576);
  let waiting: ((frame: { id?: unknown; ok?: boolean; event?: string; data?: unknown; result?: unknown }) => void) | null = null;
  let visits = 0;
  child.stdout.on('data', (chunk: Buffer) => {
    for (const frame of decoder.push(chunk)) {
      if (frame.kind !== 'message') throw new Error(frame.message);
      const value = frame.value as { ok?: boolean; event?: string; data?: { visits?: unknown[] } };
      if (value.event === 'items') visits += value.data?.visits?.length ?? 0;
      if ('ok' in value) waiting?.(value);
    }
  });
  const started = performance.now();
  let after: unknown = null;
  for (let i = 0; ; i++) {
    const reply = await new Promise<{ ok?: boolean; result?: unknown }>((resolve) => {
      waiting = resolve;
      child.stdin.write(encodeFrame({ id: `b${i}`, method: 'history.read', params: { path: historyPath, after, limit: PAGE } }));
    });
    if (!reply.ok) throw new Error(JSON.stringify(reply));
    const result = reply.result as { done: boolean; position: unknown; read: number };
    after = result.position;
    if (result.done || result.read === 0) break;
  }
  const ms = performance.now() - started;
  child.stdin.end();
  return { ms, visits };
}

/** (b): rows shaped like stored visits, written with raw IndexedDB, one transaction per batch. */
async function rawIdbWrite(page: Page, count: number, urls: number): Promise<number> {
  // In slices of 50k rows, so no single page.evaluate outlives the CDP protocol timeout.
  const name = `bench-raw-${Date.now()}`;
  let ms = 0;
  for (let first = 0; first < count; first += 50_000) ms += await rawIdbWriteSlice(page, name, first, Math.min(count, first + 50_000), urls);
  await page.evaluate((db) => void indexedDB.deleteDatabase(db), name);
  return ms;
}

async function rawIdbWriteSlice(page: Page, name: string, first: number, last: number, urls: number): Promise<number> {
  return page.evaluate(
    async (name, first, total, urlCount, batchSize) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open(name, 1);
        open.onupgradeneeded = () => {
          const store = open.result.createObjectStore('visits', { keyPath: 'id' });
          for (const index of ['visitedAt', 'urlKey', 'hostRev', 'source']) store.createIndex(index, index);
        };
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      const start = Date.UTC(2023, 0, 1);
      const started = performance.now();
      for (let from = first; from < total; from += batchSize) {
        const rows: Record<string, unknown>[] = [];
        for (let i = from; i < Math.min(total, from + batchSize); i++) {
          const n = (i % urlCount) + 1;
          const url = `https://site${n % 997}.example/page/${n}?ref=${n % 13}`;
          const urlKey = `k${n.toString(36).padStart(12, '0')}`;
          rows.push({ id: `${urlKey}@${start + i * 1000}`, url, urlKey, hostRev: `example.site${n % 997}`, title: `Page ${n} — generated title with some words`, visitedAt: start + i * 1000, transition: 'link', source: 'chromium' });
        }
        await new Promise<void>((resolve, reject) => {
          const tx = db.transaction('visits', 'readwrite');
          const store = tx.objectStore('visits');
          for (const row of rows) store.add(row);
          tx.oncomplete = () => resolve();
          tx.onerror = () => reject(tx.error);
        });
      }
      const ms = performance.now() - started;
      db.close();
      return ms;
    },
    name,
    first,
    last,
    urls,
    WRITE_BATCH,
  );
}

async function jobState(page: Page): Promise<{ status: string; done: number } | null> {
  return page.evaluate(
    () =>
      new Promise<{ status: string; done: number } | null>((resolve, reject) => {
        const open = indexedDB.open('hydraflow');
        open.onsuccess = () => {
          const request = open.result.transaction('jobs').objectStore('jobs').getAll();
          request.onsuccess = () => {
            open.result.close();
            const job = (request.result as { status: string; progress: { done: number } }[])[0];
            resolve(job ? { status: job.status, done: job.progress.done } : null);
          };
          request.onerror = () => reject(request.error);
        };
        open.onerror = () => reject(open.error);
      }),
  );
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hf-bench-'));
  try {
    const config = join(dir, 'config');
    mkdirSync(join(config, 'chromium', 'Bench'), { recursive: true });
    const historyPath = join(config, 'chromium', 'Bench', 'History');
    let t = performance.now();
    writeLargeChromiumHistory(historyPath, { visits: VISITS, urls: URLS });
    process.stderr.write(`generated ${VISITS} visits in ${Math.round(performance.now() - t)} ms\n`);

    const home = join(dir, 'home');
    const hostRead = IMPORT_ONLY ? { ms: NaN, visits: VISITS } : await hostReadAlone(historyPath, join(dir, 'home-a'));
    if (hostRead.visits !== VISITS) throw new Error(`host read ${hostRead.visits} visits, expected ${VISITS}`);

    const userDataDir = join(dir, 'profile');
    const install = runCli(['install', '--user-data-dir', userDataDir], { HYDRAFLOW_HOME: home });
    if (install.status !== 0) throw new Error(install.stderr);
    // (b) runs in a browser of its own: one origin's databases share one LevelDB, so a baseline
    // written (and deleted) in the import's profile would slow the import with its compactions.
    const rawProfile = await launchWithExtension({ userDataDir: join(dir, 'raw-profile') });
    let idbMs = NaN;
    try {
      await serviceWorkerTarget(rawProfile.browser);
      if (!IMPORT_ONLY) idbMs = await rawIdbWrite(await openExtensionPage(rawProfile.browser, 'options.html'), VISITS, URLS);
    } finally {
      await rawProfile.close();
    }
    process.stderr.write(`host read alone ${Math.round(hostRead.ms)} ms; raw IndexedDB write ${Math.round(idbMs)} ms\n`);

    const launched = await launchWithExtension({ userDataDir, env: { XDG_CONFIG_HOME: config } });
    try {
      await serviceWorkerTarget(launched.browser);
      const page = await openExtensionPage(launched.browser, 'options.html');
      const worker = await serviceWorkerTarget(launched.browser);
      const workerSession = await worker.createCDPSession();
      let maxHeap = 0;
      const sampleHeap = async () => {
        const usage = (await workerSession.send('Runtime.getHeapUsage')) as { usedSize: number };
        maxHeap = Math.max(maxHeap, usage.usedSize);
      };
      // The options page's profile too (`<file>.page`): its live queries run while the import writes.
      const pageSession = PROFILE ? await page.createCDPSession() : null;
      for (const session of PROFILE ? [workerSession, pageSession!] : []) {
        await session.send('Profiler.enable');
        await session.send('Profiler.setSamplingInterval', { interval: 1000 });
        await session.send('Profiler.start');
      }
      t = performance.now();
      const reply = (await page.evaluate(() => chrome.runtime.sendMessage({ type: 'hydraflow/command', method: 'history.import', params: { profileId: 'chromium:Bench' } }))) as { ok: boolean };
      if (!reply.ok) throw new Error(JSON.stringify(reply));
      for (;;) {
        await sampleHeap().catch(() => undefined);
        const job = await jobState(page);
        if (job && job.status !== 'running' && job.status !== 'queued') {
          if (job.status !== 'succeeded' || job.done !== VISITS) throw new Error(`import ended ${JSON.stringify(job)}`);
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      const e2eMs = performance.now() - t;
      if (PROFILE) {
        writeFileSync(PROFILE, JSON.stringify(((await workerSession.send('Profiler.stop')) as { profile: unknown }).profile));
        writeFileSync(`${PROFILE}.page`, JSON.stringify(((await pageSession!.send('Profiler.stop')) as { profile: unknown }).profile));
      }
      line('e2e_ms', e2eMs, 'host_read_ms+idb_write_ms', hostRead.ms + idbMs, '<=1.5');
      line('host_read_ms', hostRead.ms, 'e2e_ms', e2eMs, 'informational');
      line('idb_write_ms', idbMs, 'e2e_ms', e2eMs, 'informational');
      line('sw_heap_max_bytes', maxHeap, 'limit_bytes', 200 * 1024 * 1024, '<=1');
    } finally {
      await launched.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
