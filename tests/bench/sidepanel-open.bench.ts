/**
 * Side panel open → the tab's thread shown (title and messages rendered), with HF_BENCH_THREADS
 * threads and HF_BENCH_MESSAGES messages stored (default 10k / 100k), against the same with an
 * empty database, in the same run, real Chromium. Goal: under 200 ms and under 2× empty.
 * Three figures: the first open (the thread found by URL and bound, or shown unsaved), warm reopens, and
 * opens with the service worker stopped first (CDP), as after the browser's 30 s idle timeout —
 * the worker's start-up is then on the way to the thread.
 * Run after `npm run build` (npm run bench does not build).
 *
 * A/B: with HF_BENCH_PREVIOUS_BUILD=<dir> (a saved copy of an earlier `.output/chrome-mv3`), it
 * instead launches one seeded browser per build and opens the panel with the worker stopped in
 * each by turns (HF_BENCH_AB_OPENS pairs, which build goes first alternating), and prints
 * `worker_stopped_open_ms_ab`: this build's median against the previous one's, from the same
 * minutes of the shared machine (HF_BENCH_BUILD=<dir> measures another build as "this" one;
 * HF_BENCH_AB_EMPTY=1: on the empty database, where the tab has no thread; HF_BENCH_AB_WARM=1:
 * warm opens, the worker left running: `open_ms_ab`).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'puppeteer-core';
import { urlKey } from '../../shared/url';
import { THREAD_SHOWN_MARK } from '../../extension/ui/threads/MessageList';
import { extensionUrl, launchWithExtension, openExtensionPage, serviceWorkerTarget } from '../support/chromium';

const THREADS = Number(process.env.HF_BENCH_THREADS ?? 10_000);
const MESSAGES = Number(process.env.HF_BENCH_MESSAGES ?? 100_000);
const ROUNDS = Number(process.env.HF_BENCH_ROUNDS ?? 7);
const COLD_ROUNDS = Number(process.env.HF_BENCH_COLD_ROUNDS ?? 5);
/** A pause between the seed and the first open (e.g. 35000: past the worker's idle timeout, as a slow seed does). */
const PAUSE_MS = Number(process.env.HF_BENCH_PAUSE_MS ?? 0);
const PREVIOUS_BUILD = process.env.HF_BENCH_PREVIOUS_BUILD;
/** The build measured as "this build" in the A/B (default: .output/chrome-mv3). */
const THIS_BUILD = process.env.HF_BENCH_BUILD;
const AB_OPENS = Number(process.env.HF_BENCH_AB_OPENS ?? 20);
/** A/B on the empty database instead (the tab has no thread: the panel shows its unsaved one). */
const AB_EMPTY = Boolean(process.env.HF_BENCH_AB_EMPTY);
/** A/B of warm opens instead (the worker left running). */
const AB_WARM = Boolean(process.env.HF_BENCH_AB_WARM);

const server = createServer((req, res) => res.setHeader('content-type', 'text/html').end(`<title>Bench ${req.url}</title><p>bench page</p>`));
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const site = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

async function tabIdOf(browser: Browser, url: string): Promise<number> {
  const helper = await openExtensionPage(browser, 'options.html');
  const id = await helper.evaluate(async (u) => (await chrome.tabs.query({ url: u }))[0]!.id!, url);
  await helper.close();
  return id;
}

/** Writes threads and messages straight into the extension's database (the schema exists once a page opened it). */
async function seed(page: Page, boundUrlKey: string): Promise<void> {
  await page.evaluate(
    async (threads, messages, key) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open('hydraflow');
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      const perThread = Math.ceil(messages / threads);
      for (let from = 0; from < threads; from += 1000) {
        await new Promise<void>((resolve, reject) => {
          const tx = db.transaction(['threads', 'messages'], 'readwrite');
          for (let t = from; t < Math.min(threads, from + 1000); t++) {
            const id = `thread-${t}`;
            const at = 1_700_000_000_000 + t * 1000;
            tx.objectStore('threads').add({ id, title: `Thread ${t} about something`, titleSource: 'auto', pinned: t % 500 === 0 ? 1 : 0, archived: 0, urlKeys: t === threads - 1 ? [key] : [`k${t}`], url: null, createdAt: at, updatedAt: at });
            for (let m = 0; m < perThread; m++) {
              tx.objectStore('messages').add({ id: `${id}-m${m}`, threadId: id, role: m % 2 ? 'assistant' : 'user', content: `Message ${m} of thread ${t}: ${'words '.repeat(30)}`, status: 'complete', model: null, error: null, createdAt: at + m, updatedAt: at + m });
            }
          }
          tx.oncomplete = () => resolve();
          tx.onerror = () => reject(tx.error);
        });
      }
      db.close();
    },
    THREADS,
    MESSAGES,
    boundUrlKey,
  );
}

/**
 * Opens the panel for the tab and reads, in the page's own clock (ms since its navigation
 * started), when the thread and its messages were first on screen (the panel marks it:
 * THREAD_SHOWN_MARK) — what a user opening the panel waits for, without the driver's latency.
 */
async function openPanel(browser: Browser, tabId: number, stopWorker = false): Promise<number> {
  const page = await browser.newPage();
  if (stopWorker) {
    // From the panel's own blank tab, so no tab event wakes the worker before the navigation does.
    const worker = await serviceWorkerTarget(browser);
    const cdp = await page.createCDPSession();
    await cdp.send('ServiceWorker.enable');
    await cdp.send('ServiceWorker.stopAllWorkers');
    for (let i = 0; i < 200 && browser.targets().includes(worker); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    await cdp.detach();
  }
  await page.goto(extensionUrl(`sidepanel.html?tabId=${tabId}`));
  await page.waitForFunction((mark) => performance.getEntriesByName(mark).length > 0, { timeout: 30_000 }, THREAD_SHOWN_MARK);
  const ms = await page.evaluate((mark) => performance.getEntriesByName(mark)[0]!.startTime, THREAD_SHOWN_MARK);
  if (process.env.HF_BENCH_MARKS) {
    // Where the time went: the early script's start and own read (early.ts), the module script's end (DOMContentLoaded), the thread shown.
    // No named helpers inside: the page has no `__name` (tsx keeps function names).
    const marks = await page.evaluate(() => {
      const navigation = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
      const [early, read, shown] = ['hydraflow:early-script', 'hydraflow:own-read', 'hydraflow:thread-shown'].map((name) => Math.round(performance.getEntriesByName(name)[0]?.startTime ?? -1));
      const probes = performance.getEntriesByType('mark').filter((mark) => mark.name.startsWith('hf:')).map((mark) => `${mark.name.slice(3)} ${Math.round(mark.startTime)}`).join(' ');
      return `response ${Math.round(navigation.responseEnd)} early ${early} own-read ${read} dcl ${Math.round(navigation.domContentLoadedEventStart)} shown ${shown}${probes ? ` (${probes})` : ''}`;
    });
    process.stderr.write(`  ${stopWorker ? 'cold' : 'warm'} ${marks}\n`);
  }
  await page.close();
  return ms;
}

/** A browser with the extension (this build or `extensionDir`), a tab on the bench site, and (loaded) the seeded database. */
async function prepare(loaded: boolean, extensionDir?: string): Promise<{ browser: Browser; tabId: number; workerStarts: () => number; close: () => Promise<void> }> {
  const launched = await launchWithExtension(extensionDir ? { extensionDir } : {});
  try {
    const browser = launched.browser;
    await serviceWorkerTarget(browser);
    // A worker (re)started by the browser, e.g. after its idle timeout during a long seed, makes the first open a cold one.
    let workerStarts = 0;
    browser.on('targetcreated', (target) => {
      if (target.type() === 'service_worker') workerStarts++;
    });
    const url = `${site}/${loaded ? 'loaded' : 'empty'}`;
    const tab = await browser.newPage();
    await tab.goto(url);
    const tabId = await tabIdOf(browser, url);
    if (loaded) {
      const page = await openExtensionPage(browser, 'options.html');
      await page.waitForSelector('[data-testid=app-info]');
      const t = performance.now();
      await seed(page, urlKey(url));
      process.stderr.write(`seeded ${THREADS} threads and ${MESSAGES} messages in ${Math.round(performance.now() - t)} ms\n`);
      await page.close();
    }
    return { browser, tabId, workerStarts: () => workerStarts, close: launched.close };
  } catch (error) {
    await launched.close();
    throw error;
  }
}

async function measure(loaded: boolean): Promise<{ times: number[]; cold: number[] }> {
  const { browser, tabId, workerStarts, close } = await prepare(loaded);
  try {
    // The first open shows an unsaved thread (empty) or binds (loaded) the thread; then warm opens, as a user reopening the panel.
    if (PAUSE_MS > 0) await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
    const startsBefore = workerStarts();
    const times: number[] = [];
    for (let round = 0; round < ROUNDS + 1; round++) times.push(await openPanel(browser, tabId));
    const cold: number[] = [];
    for (let round = 0; round < COLD_ROUNDS; round++) cold.push(await openPanel(browser, tabId, true));
    process.stderr.write(`${loaded ? 'loaded' : 'empty'}: first ${Math.round(times[0]!)} ms (worker restarts before it: ${startsBefore}), warm ${times.slice(1).map(Math.round).join(' ')}, worker stopped ${cold.map(Math.round).join(' ')}\n`);
    return { times, cold };
  } finally {
    await close();
  }
}

/** This build against `previousDir`, worker-stopped opens of a bound tab by turns. */
async function abWorkerStopped(previousDir: string): Promise<void> {
  const current = await prepare(!AB_EMPTY, THIS_BUILD);
  const previous = await prepare(!AB_EMPTY, previousDir);
  try {
    // The first open binds the tab to its thread; after it, every open reads a bound tab.
    await openPanel(current.browser, current.tabId);
    await openPanel(previous.browser, previous.tabId);
    const ours: number[] = [];
    const theirs: number[] = [];
    for (let pair = 0; pair < AB_OPENS; pair++) {
      const order = pair % 2 === 0 ? [current, previous] : [previous, current];
      for (const side of order) (side === current ? ours : theirs).push(await openPanel(side.browser, side.tabId, !AB_WARM));
    }
    process.stderr.write(`A/B ${AB_WARM ? 'warm' : 'worker stopped'}: this build ${ours.map(Math.round).join(' ')}\n             previous build ${theirs.map(Math.round).join(' ')}\n`);
    const pairRatios = ours.map((value, i) => value / theirs[i]!);
    console.log(JSON.stringify({ bench: 'sidepanel-open', figure: AB_WARM ? 'open_ms_ab' : 'worker_stopped_open_ms_ab', value: Math.round(median(ours)), baseline: 'previous_build_ms', baselineValue: Math.round(median(theirs)), ratio: Math.round((median(ours) / median(theirs)) * 100) / 100, pairRatioMedian: Math.round(median(pairRatios) * 100) / 100, previousBuild: previousDir, opens: AB_OPENS, ...(AB_EMPTY ? { database: 'empty' } : { threads: THREADS, messages: MESSAGES }) }));
  } finally {
    await current.close();
    await previous.close();
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
if (PREVIOUS_BUILD) {
  await abWorkerStopped(PREVIOUS_BUILD);
  server.close();
  process.exit(0);
}
const empty = await measure(false);
const loaded = await measure(true);
const line = (figure: string, value: number, baselineValue: number, goal: string) =>
  console.log(JSON.stringify({ bench: 'sidepanel-open', figure, value: Math.round(value), baseline: 'empty_db_ms', baselineValue: Math.round(baselineValue), ratio: Math.round((value / baselineValue) * 100) / 100, goal, threads: THREADS, messages: MESSAGES, rounds: ROUNDS }));
line('first_open_ms', loaded.times[0]!, empty.times[0]!, '<200ms and <=2x');
line('open_ms_median', median(loaded.times.slice(1)), median(empty.times.slice(1)), '<200ms and <=2x');
if (COLD_ROUNDS > 0) line('worker_stopped_open_ms_median', median(loaded.cold), median(empty.cold), '<200ms and <=2x');
server.close();
