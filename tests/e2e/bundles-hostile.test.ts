/**
 * Hostile bundles against the real service worker (issue #21): zip bombs of 300 MiB and 1.4 GiB,
 * a bomb whose header lies, a 70 M-character line, a million tiny rows, a 200,000-deep value.
 * Each preview and each import is refused with its stable code, 0 rows are written, and the
 * worker's JS heap (sampled through CDP all along) stays under WORKER_HEAP_CEILING_MB. Then a file
 * swapped under an interrupted import is refused on resume (BUNDLE_FILE_CHANGED), a job that
 * killed two workers at one cursor is failed (JOB_POISONED), and after two more worker restarts
 * the worker answers and every one of those jobs is still failed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { afterAll, describe, expect, it } from 'vitest';
import { COMPONENTS } from '../../shared/bundle/format';
import { openBundle } from '../../shared/bundle/read';
import { bytesSource } from '../../shared/bundle/zip-read';
import { buildBundle, fixtureBundle, fixtureLines } from '../fixtures/bundles';
import { hostileBundles, WORKER_HEAP_CEILING_MB } from '../fixtures/hostile-bundles';
import { launchWithExtension, openExtensionPage, serviceWorkerTarget, type LaunchedBrowser } from '../support/chromium';
import { runCli } from '../support/cli';
import { readStore } from '../support/idb';
import { leaveRunningImport, restartWorker, sampleHeap } from '../support/trust';


type Reply<T> = { ok: true; result: T } | { ok: false; error: { code: string; message: string } };

function send<T>(page: Page, method: string, params: unknown): Promise<Reply<T>> {
  return page.evaluate((m, p) => chrome.runtime.sendMessage({ type: 'hydraflow/command', method: m, params: p }), method, params as never) as Promise<Reply<T>>;
}

interface JobRow {
  id: string;
  status: string;
  error: { code: string } | null;
}

async function jobById(page: Page, jobId: string): Promise<JobRow | undefined> {
  return (await readStore<JobRow>(page, 'jobs')).find((j) => j.id === jobId);
}

async function settled(page: Page, jobId: string, timeoutMs = 60_000): Promise<JobRow> {
  const started = Date.now();
  for (;;) {
    const job = await jobById(page, jobId);
    if (job && job.status !== 'running' && job.status !== 'queued') return job;
    if (Date.now() - started > timeoutMs) throw new Error(`job ${jobId} still ${job?.status}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function rowCounts(page: Page): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const component of COMPONENTS) if (component !== 'tabs') out[component] = (await readStore(page, component)).length;
  return out;
}

describe('hostile bundles in real Chromium', () => {
  let launched: LaunchedBrowser | undefined;
  const dirs: string[] = [];
  afterAll(async () => {
    await launched?.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  const temp = (prefix: string) => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };

  it('refuses each with its code, writes nothing, keeps the heap bounded, and never resumes a poisoned or swapped import', async () => {
    const userDataDir = temp('hf-profile-');
    const home = temp('hf-home-');
    const install = runCli(['install', '--user-data-dir', userDataDir], { HYDRAFLOW_HOME: home });
    expect(install.status, install.stderr).toBe(0);
    // The hostile files sit in a folder the user allowed on the host (the extension names files by folder id and name).
    const folder = temp('hf-hostile-');
    const added = runCli(['folders', 'add', folder], { HYDRAFLOW_HOME: home });
    expect(added.status, added.stdout + added.stderr).toBe(0);
    const folderId = (JSON.parse(added.stdout) as { folders: { id: string }[] }).folders.at(-1)!.id;
    launched = await launchWithExtension({ userDataDir });
    const worker = await serviceWorkerTarget(launched.browser);
    const options = await openExtensionPage(launched.browser, 'options.html#history');
    const heap = await worker.createCDPSession();
    const before = await rowCounts(options);
    const failedJobs: string[] = [];

    for (const [i, hostile] of hostileBundles().entries()) {
      const name = `${i}.hydraflow`;
      const path = join(folder, name);
      writeFileSync(path, hostile.bytes);
      const sampler = sampleHeap(heap);
      const preview = await send(options, 'bundles.preview', { file: { kind: 'host', folderId, name } });
      expect(preview, `${hostile.name}: preview`).toMatchObject({ ok: false, error: { code: hostile.code } });
      const started = await send<{ jobId: string }>(options, 'bundles.import', { file: { kind: 'host', folderId, name } });
      expect(started.ok, hostile.name).toBe(true);
      const jobId = (started as { result: { jobId: string } }).result.jobId;
      const job = await settled(options, jobId);
      const peakMb = await sampler.stop();
      expect([job.status, job.error?.code], hostile.name).toEqual(['failed', hostile.code]);
      expect(peakMb, `${hostile.name}: worker heap peak ${peakMb.toFixed(0)} MB`).toBeLessThan(WORKER_HEAP_CEILING_MB);
      console.log(`${hostile.name}: ${hostile.code}, worker heap peak ${peakMb.toFixed(1)} MB`);
      expect(await rowCounts(options), hostile.name).toEqual(before);
      failedJobs.push(jobId);
      rmSync(path);
    }
    await heap.detach().catch(() => undefined);

    // A file swapped under an import its worker died in: the resume refuses it.
    const swapped = join(folder, 'swapped.hydraflow');
    const original = await fixtureBundle();
    writeFileSync(swapped, original);
    const fingerprint = { size: original.length, sha256: (await openBundle(bytesSource(original))).manifestSha256 };
    await leaveRunningImport(options, 'swapped-import', { folderId, name: 'swapped.hydraflow' }, { component: 3, row: 0, report: null, file: fingerprint });
    // Another valid bundle now sits at the path (its first component empty: the cursor's rows are not its rows).
    writeFileSync(swapped, buildBundle({ ...fixtureLines(), threads: [], messages: [] }));
    // A job that already killed one worker at this cursor and is found cut off again.
    const cursor = { component: 0, row: 0, report: null };
    await leaveRunningImport(options, 'poison-import', { folderId, name: 'swapped.hydraflow' }, cursor, { count: 1, at: JSON.stringify(cursor) });
    await restartWorker(options);
    expect(await settled(options, 'swapped-import')).toMatchObject({ status: 'failed', error: { code: 'BUNDLE_FILE_CHANGED' } });
    expect(await settled(options, 'poison-import')).toMatchObject({ status: 'failed', error: { code: 'JOB_POISONED' } });
    failedJobs.push('swapped-import', 'poison-import');

    // Two more restarts: the worker comes up each time and nothing is resumed.
    await restartWorker(options);
    await restartWorker(options);
    for (const jobId of failedJobs) expect((await jobById(options, jobId))?.status, jobId).toBe('failed');
    expect(await rowCounts(options)).toEqual(before);

    // A javascript: visit stored by an older version (written raw) is shown as text, never a link.
    await options.evaluate(async () => {
      const open = indexedDB.open('hydraflow');
      const db = await new Promise<IDBDatabase>((resolve) => (open.onsuccess = () => resolve(open.result)));
      await new Promise<void>((resolve) => {
        const tx = db.transaction('visits', 'readwrite');
        const at = Date.now();
        const base = { hostRev: '', transition: 'link', source: 'takeout' };
        tx.objectStore('visits').add({ ...base, id: `js@${at}`, url: 'javascript:alert(document.cookie)', urlKey: 'js', title: 'Click me', visitedAt: at });
        tx.objectStore('visits').add({ ...base, id: `web@${at}`, url: 'https://example.com/', urlKey: 'web', hostRev: 'com.example', title: 'Example', visitedAt: at - 1 });
        tx.oncomplete = () => resolve();
      });
      db.close();
    });
    await options.reload();
    await options.waitForSelector('[data-testid=history-visit] [data-testid=visit-text]', { timeout: 20_000 });
    expect(await options.$$eval('[data-testid=history-visit] [data-testid=visit-text]', (els) => els.map((el) => el.textContent))).toEqual(['Click me']);
    expect(await options.$$eval('[data-testid=history-visit] a', (links) => links.map((a) => a.getAttribute('href')))).toEqual(['https://example.com/']);
  }, 240_000);
});
