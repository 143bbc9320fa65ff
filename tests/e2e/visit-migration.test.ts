/**
 * Migration 5 in real Chromium: a profile whose visits are still one row per visit (the layout of
 * versions 1–4) gets them moved into chunks by the `visits_migrate` job and the moved rows freed
 * after it, while the service worker is killed at random points of both; afterwards the visits are
 * exactly the ones before (none lost, none doubled), the legacy store and its position are gone,
 * and the History view and the jobs list say so.
 */
import type { Page } from 'puppeteer-core';
import { afterEach, describe, expect, it } from 'vitest';
import { makeVisit } from '../../shared/history/visit';
import type { Visit } from '../../shared/schemas/entities';
import { launchWithExtension, openExtensionPage, serviceWorkerTarget, type LaunchedBrowser } from '../support/chromium';
import { legacyFreed, readStore, readVisits } from '../support/idb';

const VISITS = Number(process.env.HF_E2E_MIGRATE_VISITS ?? 40_000);
const KILLS = 10;

function legacyRows(): Visit[] {
  const start = Date.UTC(2025, 5, 1);
  return Array.from({ length: VISITS }, (_, i) =>
    makeVisit({ url: `https://site${i % 211}.example/page/${i % 9000}?q=${i % 7}`, title: `Page ${i % 9000}`, visitedAt: start + i * 30_000 + (i % 3), transition: i % 5 ? 'link' : 'typed', source: 'chrome' }),
  );
}

/** Raw adds into the legacy `visits` store, as versions 1–4 stored visits. */
async function seedLegacy(page: Page, rows: Visit[]): Promise<void> {
  for (let first = 0; first < rows.length; first += 20_000)
    await page.evaluate(
      (slice) =>
        new Promise<void>((resolve, reject) => {
          const open = indexedDB.open('hydraflow');
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const tx = open.result.transaction('visits', 'readwrite');
            for (const row of slice) tx.objectStore('visits').add(row);
            tx.oncomplete = () => (open.result.close(), resolve());
            tx.onerror = () => reject(tx.error);
          };
        }),
      rows.slice(first, first + 20_000),
    );
}

async function command<T>(page: Page, method: string, params: unknown): Promise<T> {
  const reply = (await page.evaluate((m, p) => chrome.runtime.sendMessage({ type: 'hydraflow/command', method: m, params: p }), method, params as never)) as { ok: boolean; result: T };
  if (!reply.ok) throw new Error(JSON.stringify(reply));
  return reply.result;
}

async function stopWorker(page: Page): Promise<void> {
  const session = await page.createCDPSession();
  await session.send('ServiceWorker.enable');
  await session.send('ServiceWorker.stopAllWorkers');
  await session.detach();
}

async function wakeWorker(page: Page): Promise<void> {
  await page.waitForFunction(async () => (await chrome.runtime.sendMessage({ type: 'hydraflow/command', method: 'app.info', params: {} }).catch(() => null))?.ok === true, { timeout: 30_000 });
}

type JobRow = { type: string; status: string; progress: { done: number; total: number | null } };
const migrations = async (page: Page) => (await readStore<JobRow>(page, 'jobs')).filter((job) => job.type === 'visits_migrate');
/** Whether the moved legacy rows are freed (the store empty, its position gone); false while the database cannot be opened. */
const legacyGone = (page: Page) => legacyFreed(page).catch(() => false);

describe('visit migration (v5) in real Chromium', () => {
  let launched: LaunchedBrowser | undefined;
  afterEach(async () => {
    await launched?.close();
    launched = undefined;
  });

  it('moves one-row-per-visit history into chunks with the worker killed at random points: the visits after equal the visits before', async () => {
    launched = await launchWithExtension();
    await serviceWorkerTarget(launched.browser);
    const page = await openExtensionPage(launched.browser, 'options.html');
    const rows = legacyRows();
    await seedLegacy(page, rows);
    await command(page, 'overview.recount', {});
    const before = rows.map((row) => row.id).sort();
    // A new worker finds the legacy rows and starts moving them.
    await stopWorker(page);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await wakeWorker(page);
    let seed = 25;
    let killed = 0;
    let progressAtKills: (number | string)[] = [];
    for (let kill = 0; kill < KILLS; kill++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      await new Promise((resolve) => setTimeout(resolve, 50 + (seed % 700)));
      // Kills land in the move and, once its job has ended, in the freeing of the moved rows.
      const jobs = await migrations(page);
      if (jobs.length > 0 && jobs.every((job) => job.status === 'succeeded') && (await legacyGone(page))) break;
      const moved = jobs.length > 0 && jobs.every((job) => job.status === 'succeeded');
      progressAtKills.push(moved ? 'freeing' : Math.max(0, ...jobs.map((job) => job.progress.done)));
      await stopWorker(page);
      killed++;
      await new Promise((resolve) => setTimeout(resolve, 200));
      await wakeWorker(page);
    }
    // Let the last worker finish: every job ends, the legacy store is empty.
    await page.waitForFunction(
      () =>
        new Promise<boolean>((resolve) => {
          const open = indexedDB.open('hydraflow');
          open.onsuccess = () => {
            const tx = open.result.transaction(['visits', 'settings', 'jobs']);
            const legacy = tx.objectStore('visits').count();
            const position = tx.objectStore('settings').get('visits.legacyMovedThrough');
            const jobs = tx.objectStore('jobs').getAll();
            tx.oncomplete = () => {
              open.result.close();
              const active = (jobs.result as { type: string; status: string }[]).some((job) => job.type === 'visits_migrate' && (job.status === 'running' || job.status === 'queued'));
              resolve(legacy.result === 0 && position.result === undefined && !active);
            };
          };
          open.onerror = () => resolve(false);
        }),
      { timeout: 180_000, polling: 500 },
    );
    expect(killed, `kills at progress ${progressAtKills.join(', ')}`).toBeGreaterThan(0);
    const after = (await readVisits<Visit>(page)).map((visit) => visit.id).sort();
    expect(after.length).toBe(before.length);
    expect(after).toEqual(before);
    expect(await legacyGone(page)).toBe(true);
    expect(await readStore(page, 'visits')).toEqual([]);
    const sample = (await readVisits<Visit>(page)).find((visit) => visit.id === rows[1234]!.id);
    expect(sample).toEqual(rows[1234]);
    progressAtKills = [];

    // What a person sees: the History view counts every visit and lists the newest first; the
    // jobs page lists the upgrade as done.
    await page.goto(page.url().replace(/[^/]*$/, 'options.html#history'));
    await page.waitForFunction((n) => document.querySelector('[data-testid=visit-total]')?.textContent?.replace(/\D/g, '') === String(n), { timeout: 30_000 }, VISITS);
    // The total and the list answer separately: wait for the list's first row.
    const newest = await (await page.waitForSelector('[data-testid=history-visit] a', { timeout: 30_000 }))!.evaluate((link) => link.textContent);
    expect(newest).toBe(rows[VISITS - 1]!.title);
    await page.click('[data-testid=nav-jobs]');
    await page.waitForSelector('[data-testid=job][data-type=visits_migrate][data-status=succeeded]', { timeout: 30_000 });
    expect(await page.$eval('[data-testid=job][data-type=visits_migrate][data-status=succeeded]', (job) => job.textContent)).toContain('History storage upgrade');
  }, 300_000);
});
