/**
 * History import end to end: the real host installed into the test profile, a fixture browser
 * profile on disk (found through XDG_CONFIG_HOME), the Import section of the options page, a
 * Firefox places.sqlite picked in the page (handed to the host as bytes), and a service worker
 * killed in the middle of a large import.
 */
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { afterEach, describe, expect, it } from 'vitest';
import { changeChromiumHistory, FIREFOX_VISITS, writeChromiumHistory, writeFirefoxPlaces, writeLargeChromiumHistory, writeTakeoutJson } from '../fixtures/make-history';
import { runCli } from '../support/cli';
import { readVisits } from '../support/idb';
import { sampleHeap } from '../support/trust';
import { WORKER_HEAP_CEILING_MB } from '../fixtures/hostile-bundles';
import { launchWithExtension, openExtensionPage, serviceWorkerTarget, type LaunchedBrowser } from '../support/chromium';

const LARGE_VISITS = Number(process.env.HF_E2E_LARGE_VISITS ?? 60_000);

describe('history import in real Chromium', () => {
  let launched: LaunchedBrowser | undefined;
  const cleanup: string[] = [];
  afterEach(async () => {
    await launched?.close();
    launched = undefined;
    for (const dir of cleanup.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  function tempDir(prefix: string): string {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    cleanup.push(dir);
    return dir;
  }

  /** A browser with the host installed and a fake "chromium" user-data dir holding `profiles`. */
  async function setUp(profiles: Record<string, (historyPath: string) => void>): Promise<Page> {
    const home = tempDir('hf-home-');
    const userDataDir = tempDir('hf-profile-');
    const config = tempDir('hf-config-');
    for (const [dir, write] of Object.entries(profiles)) {
      mkdirSync(join(config, 'chromium', dir), { recursive: true });
      write(join(config, 'chromium', dir, 'History'));
    }
    const install = runCli(['install', '--user-data-dir', userDataDir], { HYDRAFLOW_HOME: home });
    expect(install.status, install.stderr).toBe(0);
    launched = await launchWithExtension({ userDataDir, env: { XDG_CONFIG_HOME: config } });
    await serviceWorkerTarget(launched.browser);
    return openExtensionPage(launched.browser, 'options.html#history');
  }

  async function importProfile(page: Page, profileId: string): Promise<Record<string, number>> {
    const before = (await page.$$('[data-testid=import-job]')).length;
    await page.click(`[data-testid=history-profile][data-profile-id="${profileId}"] [data-testid=import-profile]`);
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid=import-job]').length > n, { timeout: 30_000 }, before);
    // Newest job first.
    const newest = '[data-testid=import-jobs] > [data-testid=import-job]:first-child';
    await page.waitForSelector(`${newest}[data-status=succeeded] [data-testid=import-counts]`, { timeout: 60_000 });
    return page.$eval(newest, (job) => {
      const read = (name: string) => Number(job.querySelector(`[data-testid=count-${name}]`)!.textContent);
      const counts: Record<string, number> = { read: read('read'), added: read('added'), duplicates: read('duplicates'), invalid: read('invalid') };
      // Shown only when an import left out visits deleted here before.
      if (job.querySelector('[data-testid=count-deleted]')) counts.deleted = read('deleted');
      return counts;
    });
  }

  it('imports a profile found by the host, shows honest counts, a second import adds 0, and one after browsing reads only the days that changed', async () => {
    let historyPath = '';
    const page = await setUp({ Default: (path) => writeChromiumHistory((historyPath = path)) });
    const profile = await page.waitForSelector('[data-testid=history-profile][data-profile-id="chromium:Default"]', { timeout: 30_000 });
    expect(await profile!.evaluate((row) => row.textContent)).toMatch(/chromium.*Default.*KiB/);
    expect(await importProfile(page, 'chromium:Default')).toEqual({ read: 11, added: 11, duplicates: 0, invalid: 0 });
    await page.waitForFunction(() => document.querySelector('[data-testid=visit-total]')?.textContent?.startsWith('11 '), { timeout: 10_000 });
    const titles = await page.$$eval('[data-testid=history-visit] a', (links) => links.map((a) => a.textContent));
    expect(titles).toContain('<b>Guide</b> & <script>alert("x")</script>');
    expect(await importProfile(page, 'chromium:Default')).toEqual({ read: 0, added: 0, duplicates: 0, invalid: 0 });
    // Deleting one visit from the list: it leaves the list and the count at once (its chunk is
    // rewritten; the open page hears of it); the next, incremental, import reads nothing new.
    const shown = await page.$$eval('[data-testid=history-visit]', (rows) => rows.length);
    const first = await page.$eval('[data-testid=history-visit] [data-testid=delete-visit]', (button) => button.getAttribute('aria-label'));
    await page.click('[data-testid=history-visit] [data-testid=delete-visit]');
    await page.waitForFunction(() => document.querySelector('[data-testid=visit-total]')?.textContent?.startsWith('10 '), { timeout: 10_000 });
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid=history-visit]').length === n - 1, { timeout: 10_000 }, shown);
    expect(await page.$$eval('[data-testid=history-visit] [data-testid=delete-visit]', (buttons) => buttons.map((b) => b.getAttribute('aria-label')))).not.toContain(first);
    expect(await readVisits(page)).toHaveLength(10);
    expect(await importProfile(page, 'chromium:Default')).toEqual({ read: 0, added: 0, duplicates: 0, invalid: 0 });
    // The user browses on (a new day), the browser syncs visits into two old days and expires one:
    // Import reads those three days only (2024-03-10: ten visits now; 2024-03-11: two, one of
    // them the visit deleted above — the newest — which stays out; 2024-03-12: one).
    changeChromiumHistory(historyPath, {
      add: [
        { url: 'https://late.example/synced', title: 'Synced later', at: '2024-03-10T20:00:00.000Z', core: 'link' },
        { url: 'https://late.example/synced-too', title: 'Synced later too', at: '2024-03-11T20:00:00.000Z', core: 'link' },
        { url: 'https://new.example/', title: 'A new day', at: '2024-03-12T09:00:00.000Z', core: 'typed' },
      ],
      removeAt: ['2024-03-10T12:06:00.000Z'],
    });
    expect(await importProfile(page, 'chromium:Default')).toEqual({ read: 13, added: 3, duplicates: 9, invalid: 0, deleted: 1 });
    await page.waitForFunction(() => document.querySelector('[data-testid=visit-total]')?.textContent?.startsWith('13 '), { timeout: 10_000 });
    const stored = await readVisits<{ url: string; visitedAt: number }>(page);
    expect(stored).toHaveLength(13);
    expect(stored.map((visit) => `${visit.url}@${visit.visitedAt}`)).not.toContain(`https://search.example/results?q=typed@${Date.parse('2024-03-11T08:00:00.000Z')}`);
  });

  it('imports a dropped Takeout file without any native host', async () => {
    const dir = tempDir('hf-takeout-');
    writeTakeoutJson(join(dir, 'BrowserHistory.json'));
    launched = await launchWithExtension();
    const page = await openExtensionPage(launched.browser, 'options.html#history');
    await page.waitForSelector('[data-testid=profiles-error]', { timeout: 30_000 });
    const input = await page.waitForSelector('[data-testid=takeout-file]');
    await (input as unknown as { uploadFile(path: string): Promise<void> }).uploadFile(join(dir, 'BrowserHistory.json'));
    const job = await page.waitForSelector('[data-testid=import-jobs] > [data-testid=import-job][data-status=succeeded] [data-testid=import-counts]', { timeout: 30_000 });
    expect(await job!.evaluate((el) => el.textContent)).toBe('read 5 · added 4 · duplicates 0 · invalid 1');
  });

  it('streams a 100 MB Takeout file picked in the page through the worker under the heap ceiling', async () => {
    const dir = tempDir('hf-takeout-big-');
    const path = join(dir, 'BrowserHistory.json');
    // ~100 MB: entries a Takeout export really holds besides pages (javascript: bookmarklets, counted
    // invalid, nothing written) and, every 100,000th, a page that is imported.
    const filler = JSON.stringify({ page_transition: 'LINK', title: 'A bookmarklet run from the toolbar, as Takeout lists them', url: 'javascript:void(document.title)', time_usec: 1_700_000_000_000_000, client_id: 'x' });
    const entries = Math.ceil((100 * 1024 * 1024) / (filler.length + 1));
    const pages = Math.floor(entries / 100_000);
    const out = createWriteStream(path);
    out.write('{"Browser History": [\n');
    for (let i = 0; i < entries; i++) {
      const entry = i % 100_000 === 99_999 ? JSON.stringify({ url: `https://big.example/${i}`, title: `Page ${i}`, time_usec: 1_700_000_000_000_000 + i, page_transition: 'TYPED' }) : filler;
      if (!out.write(`${entry}${i === entries - 1 ? '' : ','}\n`)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    }
    out.end(']}');
    await new Promise<void>((resolve) => out.once('finish', () => resolve()));
    expect(statSync(path).size).toBeGreaterThan(100 * 1024 * 1024);

    launched = await launchWithExtension();
    const worker = await serviceWorkerTarget(launched.browser);
    const page = await openExtensionPage(launched.browser, 'options.html#history');
    await page.waitForSelector('[data-testid=profiles-error]', { timeout: 30_000 });
    const heap = sampleHeap(await worker.createCDPSession());
    const input = await page.waitForSelector('[data-testid=takeout-file]');
    await (input as unknown as { uploadFile(path: string): Promise<void> }).uploadFile(path);
    const job = await page.waitForSelector('[data-testid=import-jobs] > [data-testid=import-job][data-status=succeeded] [data-testid=import-counts]', { timeout: 110_000 });
    const peakMb = await heap.stop();
    expect(await job!.evaluate((el) => el.textContent)).toBe(`read ${entries} · added ${pages} · duplicates 0 · invalid ${entries - pages}`);
    expect(peakMb, `worker heap peak ${peakMb.toFixed(0)} MB`).toBeLessThan(WORKER_HEAP_CEILING_MB);
    expect(await readVisits(page)).toHaveLength(pages);
    console.log(`100 MB Takeout (${entries} entries): worker heap peak ${peakMb.toFixed(1)} MB`);
  }, 240_000);

  it('imports a Firefox places.sqlite picked in the page: the browser hands its bytes to the host, never a path', async () => {
    const dir = tempDir('hf-places-');
    writeFirefoxPlaces(join(dir, 'places.sqlite'));
    const page = await setUp({});
    await page.waitForSelector('[data-testid=history-import] p', { timeout: 30_000 });
    const input = await page.waitForSelector('[data-testid=history-file]');
    await (input as unknown as { uploadFile(path: string): Promise<void> }).uploadFile(join(dir, 'places.sqlite'));
    const job = await page.waitForSelector('[data-testid=import-jobs] > [data-testid=import-job][data-status=succeeded] [data-testid=import-counts]', { timeout: 60_000 });
    expect(await job!.evaluate((el) => el.textContent)).toBe(`read ${FIREFOX_VISITS.length} · added ${FIREFOX_VISITS.length} · duplicates 0 · invalid 0`);
    const visits = await readVisits<{ source: string }>(page);
    expect(visits.filter((visit) => visit.source === 'firefox')).toHaveLength(FIREFOX_VISITS.length);
  });

  it('an import that wakes a stopped worker is not taken for one the previous worker left behind', async () => {
    const visits = 20_000;
    const page = await setUp({ Mid: (path) => writeLargeChromiumHistory(path, { visits, urls: visits / 5 }) });
    await page.waitForSelector('[data-testid=history-profile][data-profile-id="chromium:Mid"]', { timeout: 30_000 });
    const worker = await serviceWorkerTarget(launched!.browser);
    const session = await page.createCDPSession();
    await session.send('ServiceWorker.enable');
    await session.send('ServiceWorker.stopAllWorkers');
    await waitFor(async () => !launched!.browser.targets().includes(worker), 10_000);
    // The import is the command that starts the worker again: its start-up recovery runs once the
    // command has answered, while the import it started is running.
    const reply = (await page.evaluate(() => chrome.runtime.sendMessage({ type: 'hydraflow/command', method: 'history.import', params: { profileId: 'chromium:Mid' } }))) as { ok: boolean; result: { jobId: string } };
    expect(reply.ok).toBe(true);
    await page.waitForSelector('[data-testid=import-job][data-status=succeeded]', { timeout: 120_000 });
    const job = await page.evaluate(
      (id) =>
        new Promise<{ status: string; error: unknown; logTail: string[] }>((resolve, reject) => {
          const open = indexedDB.open('hydraflow');
          open.onsuccess = () => {
            const request = open.result.transaction('jobs').objectStore('jobs').get(id);
            request.onsuccess = () => {
              open.result.close();
              resolve(request.result as { status: string; error: unknown; logTail: string[] });
            };
            request.onerror = () => reject(request.error);
          };
          open.onerror = () => reject(open.error);
        }),
      reply.result.jobId,
    );
    // Neither marked interrupted nor resumed by a second runner.
    expect(job).toMatchObject({ status: 'succeeded', error: null });
    expect(job.logTail.join('\n')).not.toContain('resumed after a service-worker restart');
    expect(await countVisits(page)).toBe(visits);
  });

  it('resumes after the service worker is killed mid-import and stores exactly the file’s visits', async () => {
    const page = await setUp({ Big: (path) => writeLargeChromiumHistory(path, { visits: LARGE_VISITS, urls: Math.ceil(LARGE_VISITS / 5) }) });
    await page.waitForSelector('[data-testid=history-profile][data-profile-id="chromium:Big"]', { timeout: 30_000 });
    await page.click('[data-testid=history-profile][data-profile-id="chromium:Big"] [data-testid=import-profile]');
    // Wait until part of the file is stored, then kill the worker. Any point before the end will
    // do (the count at the kill is checked below): with reading ahead of writing, the batches go
    // by fast, and a window of only the first half was missed under load.
    await page.waitForFunction(
      (total) => {
        const job = document.querySelector('[data-testid=import-job][data-status=running]');
        const done = Number(job?.querySelector('[data-testid=count-read]')?.textContent ?? 0);
        return done > 0 && done < total;
      },
      { timeout: 60_000, polling: 50 },
      LARGE_VISITS,
    );
    const worker = await serviceWorkerTarget(launched!.browser);
    const session = await page.createCDPSession();
    await session.send('ServiceWorker.enable');
    await session.send('ServiceWorker.stopAllWorkers');
    await waitFor(async () => !launched!.browser.targets().includes(worker), 10_000);
    const atKill = await countVisits(page);
    expect(atKill).toBeLessThan(LARGE_VISITS);
    // Any event wakes the worker; its start-up resumes the job from the stored cursor.
    await page.evaluate(() => chrome.runtime.sendMessage({ type: 'hydraflow/command', method: 'app.info', params: {} }));
    const job = await page.waitForSelector('[data-testid=import-job][data-status=succeeded]', { timeout: 120_000 });
    const counts = await job!.evaluate((el) => ['read', 'added', 'duplicates', 'invalid'].map((n) => Number(el.querySelector(`[data-testid=count-${n}]`)!.textContent)));
    expect(counts).toEqual([LARGE_VISITS, LARGE_VISITS, 0, 0]);
    expect(await countVisits(page)).toBe(LARGE_VISITS);
    const log = await page.evaluate(
      () =>
        new Promise<string[]>((resolve, reject) => {
          const open = indexedDB.open('hydraflow');
          open.onsuccess = () => {
            const request = open.result.transaction('jobs').objectStore('jobs').getAll();
            request.onsuccess = () => {
              open.result.close();
              resolve((request.result as { logTail: string[] }[]).flatMap((job) => job.logTail));
            };
            request.onerror = () => reject(request.error);
          };
          open.onerror = () => reject(open.error);
        }),
    );
    expect(log.join('\n')).toContain('resumed after a service-worker restart');
  });
});

async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Counts stored visits straight from IndexedDB (the page shares the extension's origin). */
async function countVisits(page: Page): Promise<number> {
  return (await readVisits(page)).length;
}
