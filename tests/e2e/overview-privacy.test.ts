/**
 * In real Chromium: the overview page shows the same numbers as direct counts of the stores and
 * follows changes live; deleting a domain from the privacy form removes every copy of it (and
 * nothing of a sibling domain that contains it as a substring), reports per store, and appears in
 * the jobs list; a killed service worker never leaves a job "running".
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import { launchWithExtension, openExtensionPage, serviceWorkerTarget, type LaunchedBrowser } from '../support/chromium';
import { readStore, readVisits, stageText } from '../support/idb';

let launched: LaunchedBrowser | null = null;
afterEach(async () => {
  await launched?.close();
  launched = null;
});

const DAY_US = 86_400_000_000;

/** A Takeout file (imported without any host) with visits to ample.com, news.ample.com, example.com. */
function takeout(nowMs: number): string {
  const hosts = ['ample.com', 'news.ample.com', 'example.com'];
  const entries = hosts.flatMap((host, h) =>
    Array.from({ length: 20 }, (_, i) => ({ url: `https://${host}/page${i}`, title: `Page ${i} of ${host}`, time_usec: nowMs * 1000 - (i % 10) * DAY_US - h * 1000 - i, page_transition: 'LINK' })),
  );
  return JSON.stringify({ 'Browser History': entries });
}

async function command(page: Page, method: string, params: unknown): Promise<{ ok: boolean; result?: unknown; error?: { code: string } }> {
  return page.evaluate((m, p) => chrome.runtime.sendMessage({ type: 'hydraflow/command', method: m, params: p }), method, params as never);
}

async function waitForText(page: Page, selector: string, expected: string): Promise<void> {
  await page.waitForFunction((s, e) => document.querySelector(s)?.textContent?.trim() === e, { timeout: 20_000 }, selector, expected);
}

describe('overview, jobs and privacy in the browser', () => {
  it('shows exact counts, deletes a domain everywhere from the privacy form, and lists the job', async () => {
    launched = await launchWithExtension();
    const browser = launched.browser;
    await serviceWorkerTarget(browser);
    const page = await openExtensionPage(browser, 'options.html');
    await page.waitForSelector('[data-testid=overview]');
    const imported = await command(page, 'history.importTakeout', { fileName: 'BrowserHistory.json', stagedId: await stageText(page, takeout(Date.now())) });
    expect(imported.ok).toBe(true);
    await page.waitForFunction(async () => {
      const reply = await chrome.runtime.sendMessage({ type: 'hydraflow/command', method: 'jobs.list', params: { types: ['history_import'], statuses: ['succeeded'] } });
      return reply.ok && reply.result.matched === 1;
    });

    // The page follows the import live and shows what a direct count of the store says.
    await waitForText(page, '[data-testid=overview-visits]', '60');
    expect((await readVisits(page)).length).toBe(60);
    const chart = await page.$$eval('[data-testid=visit-chart] .bar', (bars) => bars.map((b) => Number(b.getAttribute('data-count'))));
    expect(chart).toHaveLength(90);
    expect(chart.reduce((a, b) => a + b, 0)).toBe(60);

    // Delete ample.com and its subdomains from the privacy form (the Privacy page).
    await page.click('[data-testid=nav-privacy]');
    // An empty form is refused before any dialog, in words and with its code.
    await page.click('[data-testid=delete-history-submit]');
    await page.waitForSelector('[data-testid=delete-error][data-code=FILTER_REQUIRED]');
    expect(await page.$('[data-testid=delete-confirm]')).toBeNull();
    expect(await page.$eval('[data-testid=delete-error]', (e) => e.textContent)).toContain('Fill in a date range, a domain or a URL first');
    await page.type('[data-testid=delete-domain]', 'ample.com');
    await page.click('[data-testid=delete-subdomains]');
    await page.click('[data-testid=delete-history-submit]');
    // The dialog says exactly what goes, counted, before anything is deleted.
    await page.waitForSelector('[data-testid=delete-confirm][open]');
    expect(await page.$eval('[data-testid=delete-confirm-text]', (e) => e.textContent)).toBe('This deletes 40 visits, 0 page snapshots, 0 tab snapshots of ample.com and its subdomains.');
    expect((await readVisits(page)).length).toBe(60);
    await page.click('[data-testid=delete-confirm-yes]');
    await page.waitForSelector('[data-testid=delete-report]');
    expect(await page.$eval('[data-testid=delete-report]', (e) => e.textContent)).toContain('Deleted 40 visits');

    const remaining = await readVisits<{ url: string; hostRev: string }>(page);
    expect(remaining).toHaveLength(20);
    expect(remaining.every((v) => v.hostRev === 'com.example')).toBe(true);
    // The chunks' index rows (visitTerms) still name what stays, and nothing of what went.
    expect(JSON.stringify(await readStore(page, 'visitTerms'))).toContain('"com.example"');
    for (const store of ['visits', 'visitChunks', 'visitTerms', 'pages', 'tabSnapshots', 'tabs', 'threads', 'memories']) {
      const rows = await readStore(page, store);
      expect(rows.filter((row) => /(\/\/|\.)ample\.com|"com\.ample/.test(JSON.stringify(row))), store).toEqual([]);
    }
    // Sync was never set up: it recorded nothing, not even the deleted visits' ids (docs/sync.md, "Sync off records nothing").
    for (const store of ['syncOutbox', 'syncTombstones', 'syncDocs']) expect(await readStore(page, store), store).toEqual([]);
    await page.click('[data-testid=nav-overview]');
    await waitForText(page, '[data-testid=overview-visits]', '20');

    // The delete is a job in the ledger, listed on the jobs page with its result.
    await page.click('[data-testid=nav-jobs]');
    await page.waitForSelector('[data-testid=job][data-type=privacy_delete][data-status=succeeded]');
    // A bad filter gets its code, not a crash.
    expect(await command(page, 'privacy.deleteHistory', {})).toMatchObject({ ok: false, error: { code: 'FILTER_REQUIRED' } });
    expect(await command(page, 'privacy.deleteHistory', { domain: 'exa mple.com' })).toMatchObject({ ok: false, error: { code: 'DOMAIN_INVALID' } });
    expect(await command(page, 'jobs.list', { statuses: ['nope'] })).toMatchObject({ ok: false, error: { code: 'INVALID_COMMAND' } });
  });

  it('a job cut off by a killed service worker is shown interrupted, never running', async () => {
    launched = await launchWithExtension();
    const browser = launched.browser;
    const worker = await serviceWorkerTarget(browser);
    const page = await openExtensionPage(browser, 'options.html');
    await page.waitForSelector('[data-testid=overview]');
    // A job left "running" in the database, as a worker killed mid-work leaves it (written raw,
    // as the dead worker had written it); then the worker is stopped through CDP.
    await page.evaluate(async () => {
      const open = indexedDB.open('hydraflow');
      const db = await new Promise<IDBDatabase>((resolve) => (open.onsuccess = () => resolve(open.result)));
      await new Promise<void>((resolve) => {
        const tx = db.transaction('jobs', 'readwrite');
        tx.objectStore('jobs').add({ id: 'stuck-job', type: 'prune', status: 'running', createdAt: Date.now(), startedAt: Date.now(), finishedAt: null, progress: { done: 1, total: 10, rate: null }, params: {}, result: null, error: null, parentId: null, relatedIds: [], cursor: null, logTail: [], origin: 'extension' });
        tx.oncomplete = () => resolve();
      });
      db.close();
    });
    const session = await page.createCDPSession();
    await session.send('ServiceWorker.enable');
    await session.send('ServiceWorker.stopAllWorkers');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(browser.targets().includes(worker)).toBe(false);
    // Any command wakes a new worker, which recovers the job.
    await page.waitForFunction(
      async () => {
        const reply = await chrome.runtime.sendMessage({ type: 'hydraflow/command', method: 'jobs.get', params: { jobId: 'stuck-job' } }).catch(() => null);
        return reply?.ok && reply.result.job.status === 'failed' && reply.result.job.error.code === 'JOB_INTERRUPTED';
      },
      { timeout: 30_000 },
    );
    // The row was written raw (no Dexie change event reached this page): reload to read it.
    await page.click('[data-testid=nav-jobs]');
    await page.reload();
    await page.waitForSelector('[data-testid=job][data-job-id=stuck-job][data-status=failed]');
    await page.click('[data-testid=nav-overview]');
    await page.waitForFunction(() => /1 interrupted/.test(document.querySelector('[data-testid=overview-health]')?.textContent ?? ''), { timeout: 20_000 });
  });
});
