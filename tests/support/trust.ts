/**
 * What the trust-boundary tests (e2e and `npm run stress`) share: sending every command from a
 * content-script world in a web page and from an extension page, sampling the service worker's
 * JS heap through CDP, and restarting the worker.
 */
import type { CDPSession, Page } from 'puppeteer-core';
import { serviceWorkerTarget, type LaunchedBrowser } from './chromium';

export type CommandReply = { ok: boolean; result?: unknown; error?: { code: string; message?: string } } | null;

/**
 * Sends every named command (params `{}`) from the extension's isolated world in the web page at
 * `pageUrl` (where the injected Readability runs: a content-script sender). Replies by name.
 */
export async function probeFromContentScript(launched: LaunchedBrowser, pageUrl: string, names: string[]): Promise<Record<string, CommandReply>> {
  const page = await launched.browser.newPage();
  await page.goto(pageUrl, { waitUntil: 'domcontentloaded' });
  const worker = await (await serviceWorkerTarget(launched.browser)).worker();
  const replies = await worker!.evaluate(
    async (url, list) => {
      const [tab] = await chrome.tabs.query({ url });
      // Not written as `func: async () => …`: tsx (npm run stress) would wrap a named function in a
      // `__name` helper that exists neither in the worker nor in the page.
      const injected = [
        async (methods: string[]) => {
          const out: Record<string, unknown> = {};
          for (const method of methods) out[method] = await chrome.runtime.sendMessage({ type: 'hydraflow/command', method, params: {} }).catch((error: Error) => ({ ok: false, error: { code: `THROWN ${error.message}` } }));
          return out;
        },
      ][0]!;
      const [injection] = await chrome.scripting.executeScript({ target: { tabId: tab!.id! }, func: injected, args: [list] });
      return injection?.result as Record<string, unknown>;
    },
    pageUrl,
    names,
  );
  await page.close();
  return replies as Record<string, CommandReply>;
}

/** Sends every named command (params `{}`) from an extension page. Replies by name. */
export async function probeFromExtensionPage(page: Page, names: string[]): Promise<Record<string, CommandReply>> {
  return (await page.evaluate(async (list) => {
    const out: Record<string, unknown> = {};
    for (const method of list) out[method] = await chrome.runtime.sendMessage({ type: 'hydraflow/command', method, params: {} });
    return out;
  }, names)) as Record<string, CommandReply>;
}

/** Samples the worker's used JS heap every 50 ms; `stop` returns the peak in MB. */
export function sampleHeap(session: CDPSession): { stop(): Promise<number> } {
  let peak = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const usage = await session.send('Runtime.getHeapUsage').catch(() => null);
      if (usage) peak = Math.max(peak, usage.usedSize);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return peak / 1024 / 1024;
    },
  };
}

/** Stops the service worker, then wakes a new one with a command (its start-up recovers jobs). */
export async function restartWorker(page: Page): Promise<void> {
  const session = await page.createCDPSession();
  await session.send('ServiceWorker.enable');
  await session.send('ServiceWorker.stopAllWorkers');
  await session.detach();
  await new Promise((resolve) => setTimeout(resolve, 300));
  await page.waitForFunction(async () => (await chrome.runtime.sendMessage({ type: 'hydraflow/command', method: 'app.info', params: {} }).catch(() => null))?.ok === true, { timeout: 30_000 });
}

/** Writes a bundle import job row raw, as a worker that died mid-import left it. */
/** Plants a bundle import job that a dead worker left running, on a file named by its host folder id and name. */
export async function leaveRunningImport(page: Page, id: string, file: { folderId: string; name: string }, cursor: unknown, deaths?: unknown): Promise<void> {
  await page.evaluate(
    async (jobId, hostFile, jobCursor, jobDeaths) => {
      const open = indexedDB.open('hydraflow');
      const db = await new Promise<IDBDatabase>((resolve) => (open.onsuccess = () => resolve(open.result)));
      await new Promise<void>((resolve) => {
        const tx = db.transaction('jobs', 'readwrite');
        const now = Date.now();
        tx.objectStore('jobs').add({ id: jobId, type: 'bundle_import', status: 'running', createdAt: now, startedAt: now, finishedAt: null, progress: { done: 0, total: null, rate: null }, params: { file: { kind: 'host', ...hostFile } }, result: null, error: null, parentId: null, relatedIds: [], cursor: jobCursor, ...(jobDeaths ? { deaths: jobDeaths } : {}), logTail: [], origin: 'extension' });
        tx.oncomplete = () => resolve();
      });
      db.close();
    },
    id,
    file,
    cursor as never,
    (deaths ?? null) as never,
  );
}
