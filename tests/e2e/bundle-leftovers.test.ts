/**
 * What bundle imports leave in Cache Storage and the database when their worker dies (issue: the
 * user's bundle stayed as copies). A dead worker's import is failed at the next start by the
 * recovery (here JOB_POISONED: its worker died twice at one cursor), and a cancelled one never ran
 * to its end: neither discarded its host file's copy (`import-copies/<jobId>/`), its staged picked
 * file or its validation checkpoint. After a real worker restart the start-up sweep has deleted
 * them all, and kept what is not leftover: a file a page staged a moment ago for a preview, and an
 * export kept for download. Read from an extension page, as raw Cache Storage keys and settings rows.
 */
import type { Page } from 'puppeteer-core';
import { afterAll, describe, expect, it } from 'vitest';
import { BUNDLE_CACHE, STAGED_AT_HEADER, exportKey, stagedKey } from '../../extension/bundles/files';
import { launchWithExtension, openExtensionPage, type LaunchedBrowser } from '../support/chromium';
import { readStore } from '../support/idb';
import { restartWorker } from '../support/trust';

const ORIGIN = 'https://bundles.hydraflow.invalid';
const copyKey = (jobId: string, block: number) => `${ORIGIN}/import-copies/${jobId}/4096/${block}`;

interface Planted {
  jobs: Record<string, unknown>[];
  settings: { key: string; value: unknown; updatedAt: number }[];
  cache: { key: string; body: string; stagedAt: number | null }[];
}

/** Writes rows and Cache Storage entries raw, as a worker that died mid-import left them. */
async function plant(page: Page, planted: Planted): Promise<void> {
  await page.evaluate(
    async (rows: Planted, cacheName: string, header: string) => {
      const open = indexedDB.open('hydraflow');
      const db = await new Promise<IDBDatabase>((resolve) => (open.onsuccess = () => resolve(open.result)));
      await new Promise<void>((resolve, reject) => {
        const tx = db.transaction(['jobs', 'settings'], 'readwrite');
        for (const job of rows.jobs) tx.objectStore('jobs').add(job);
        for (const setting of rows.settings) tx.objectStore('settings').add(setting);
        tx.oncomplete = () => resolve();
        tx.onerror = () => reject(tx.error);
      });
      db.close();
      const cache = await caches.open(cacheName);
      for (const entry of rows.cache) await cache.put(entry.key, new Response(entry.body, { headers: entry.stagedAt === null ? {} : { [header]: String(entry.stagedAt) } }));
    },
    planted as unknown as never,
    BUNDLE_CACHE,
    STAGED_AT_HEADER,
  );
}

function cacheKeys(page: Page): Promise<string[]> {
  return page.evaluate(async (cacheName) => (await (await caches.open(cacheName)).keys()).map((request) => request.url).sort(), BUNDLE_CACHE);
}

describe('the start-up sweep of bundle import leftovers', () => {
  let launched: LaunchedBrowser | undefined;
  afterAll(async () => {
    await launched?.close();
  });

  it('deletes the copies, staged files and checkpoints of imports a dead worker left, and keeps a fresh staged file and an export', async () => {
    launched = await launchWithExtension();
    const options = await openExtensionPage(launched.browser, 'options.html');
    const now = Date.now();
    const cursor = { component: 0, row: 0, report: null };
    const job = (id: string, status: string, file: unknown, extra: Record<string, unknown> = {}) => ({
      id, type: 'bundle_import', status, createdAt: now, startedAt: now, finishedAt: status === 'running' ? null : now, progress: { done: 0, total: null, rate: null },
      params: { file }, result: null, error: null, parentId: null, relatedIds: [], cursor, logTail: [], origin: 'extension', ...extra,
    });
    const checkpoint = (jobId: string) => ({ key: `bundles.validation:${jobId}`, value: { component: 0, count: 10 }, updatedAt: now });
    await plant(options, {
      jobs: [
        // Its worker died twice at this cursor: the recovery fails it with JOB_POISONED.
        job('poisoned-import', 'running', { kind: 'staged', id: 'picked-by-poisoned', name: 'mine.hydraflow' }, { deaths: { count: 1, at: JSON.stringify(cursor) } }),
        // Cancelled while no worker ran it.
        job('cancelled-import', 'cancelled', { kind: 'host', folderId: 'bundles', name: 'mine.hydraflow' }),
      ],
      settings: [checkpoint('poisoned-import'), checkpoint('cancelled-import')],
      cache: [
        { key: copyKey('poisoned-import', 0), body: 'block 0 of my bundle', stagedAt: null },
        { key: copyKey('cancelled-import', 0), body: 'block 0 of my bundle', stagedAt: null },
        { key: copyKey('cancelled-import', 1), body: 'block 1 of my bundle', stagedAt: null },
        // Staged a moment ago by the poisoned job's page: its job is over, so it goes despite being fresh.
        { key: stagedKey('picked-by-poisoned'), body: 'my bundle', stagedAt: now },
        // Staged by a page for a preview and named by no job: fresh stays, two hours old or unstamped goes.
        { key: stagedKey('fresh-preview'), body: 'a preview', stagedAt: now },
        { key: stagedKey('old-preview'), body: 'an old preview', stagedAt: now - 2 * 3600_000 },
        { key: stagedKey('unstamped'), body: 'staged by an older version', stagedAt: null },
        { key: exportKey('export-job', 'threads.hydraflow'), body: 'an export to save', stagedAt: null },
      ],
    });
    // The launch's own worker may run its start-up sweep after this plant (its recovery waits for
    // the worker's chores), and CI once saw it do so: the planted keys are not counted here.
    // Whichever start-up sweeps them, the restarted worker's included, exactly the two keepers stay.
    await restartWorker(options);
    const started = Date.now();
    let keys = await cacheKeys(options);
    while (keys.length > 2 && Date.now() - started < 30_000) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      keys = await cacheKeys(options);
    }
    expect(keys).toEqual([exportKey('export-job', 'threads.hydraflow'), stagedKey('fresh-preview')].sort());
    const jobs = await readStore<{ id: string; status: string; error: { code: string } | null }>(options, 'jobs');
    expect(jobs.find((row) => row.id === 'poisoned-import')).toMatchObject({ status: 'failed', error: { code: 'JOB_POISONED' } });
    const settings = await readStore<{ key: string }>(options, 'settings');
    expect(settings.filter((row) => row.key.startsWith('bundles.validation:'))).toEqual([]);
  });
});
