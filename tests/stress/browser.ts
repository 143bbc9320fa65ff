/** What the browser stress scenarios share: commands from an extension page, waiting, worker kills. */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CDPSession, Page } from 'puppeteer-core';
import { writeLargeChromiumHistory } from '../fixtures/make-history';
import { runCli } from '../support/cli';
import { countRows, readStore, readVisits } from '../support/idb';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface CommandReply {
  ok: boolean;
  result?: unknown;
  error?: { code: string; message: string };
}

export async function command(page: Page, method: string, params: unknown): Promise<CommandReply> {
  return page.evaluate((m, p) => chrome.runtime.sendMessage({ type: 'hydraflow/command', method: m, params: p }), method, params as never);
}

/** A CDP session able to stop the extension's service worker, as the browser does when idle or under memory pressure. */
export async function workerKiller(page: Page): Promise<{ kill(): Promise<void>; session: CDPSession }> {
  const session = await page.createCDPSession();
  await session.send('ServiceWorker.enable');
  return {
    session,
    kill: async () => {
      await session.send('ServiceWorker.stopAllWorkers');
      await sleep(100);
      // Any message wakes a new worker; its start-up recovers what the old one left.
      await command(page, 'app.info', {}).catch(() => undefined);
    },
  };
}

/** Polls `check` until it returns a value that is not undefined, or throws after `timeoutMs`. */
export async function waitUntil<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000, everyMs = 100): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Writes rows straight into a store from an extension page (a seed; bypasses the counters, so recount after). */
export async function seedRaw(page: Page, store: string, count: number, row: (i: number) => unknown): Promise<void> {
  for (let first = 0; first < count; first += 10_000) {
    const rows = Array.from({ length: Math.min(count, first + 10_000) - first }, (_, k) => row(first + k));
    await page.evaluate(
      async (name: string, batch: unknown[]) => {
        const db = await new Promise<IDBDatabase>((resolve, reject) => {
          const open = indexedDB.open('hydraflow');
          open.onsuccess = () => resolve(open.result);
          open.onerror = () => reject(open.error);
        });
        await new Promise<void>((resolve, reject) => {
          const tx = db.transaction(name, 'readwrite');
          for (const value of batch) tx.objectStore(name).put(value);
          tx.oncomplete = () => resolve();
          tx.onerror = () => reject(tx.error);
        });
        db.close();
      },
      store,
      rows,
    );
  }
}

export interface VisitSeed {
  count: number;
  /** Row i belongs to hosts[i % hosts.length]. */
  hosts: string[];
  /** urlKey = `${keyPrefix}${i}`, id = `${urlKey}@${visitedAt}`. */
  keyPrefix: string;
  /** Row i is visited at `now - i * 1000`. */
  now: number;
  /** Characters of padding added to each URL's query and title, for realistically sized rows. */
  pad?: number;
}

/**
 * Writes visits straight into the store, building them inside the page in transactions of 10,000
 * (like seedRaw, it bypasses the counters: recount after). Sending rows over CDP instead cost
 * seconds per 10,000 on the shared machine.
 */
export async function seedVisits(page: Page, seed: VisitSeed): Promise<void> {
  await page.evaluate(async ({ count, hosts, keyPrefix, now, pad = 0 }: VisitSeed) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open('hydraflow');
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const query = pad ? `?${'q'.repeat(pad)}` : '';
    const titlePad = pad ? ` ${'t'.repeat(pad)}` : '';
    for (let first = 0; first < count; first += 10_000) {
      await new Promise<void>((resolve, reject) => {
        const tx = db.transaction('visits', 'readwrite');
        for (let i = first; i < Math.min(count, first + 10_000); i++) {
          const host = hosts[i % hosts.length]!;
          const visitedAt = now - i * 1000;
          tx.objectStore('visits').put({ id: `${keyPrefix}${i}@${visitedAt}`, url: `https://${host}/p${i}${query}`, urlKey: `${keyPrefix}${i}`, hostRev: host.split('.').reverse().join('.'), title: `Page ${i}${titlePad}`, visitedAt, transition: 'link', source: 'chrome' });
        }
        tx.oncomplete = () => resolve();
        tx.onerror = () => reject(tx.error);
      });
    }
    db.close();
  }, seed);
}

/**
 * Counts the rows of `store` whose primary key starts with `prefix`, from an extension page: a key
 * range count, so a scenario can check a slice of a big store without reading every row over CDP.
 */
export function countPrefix(page: Page, store: string, prefix: string): Promise<number> {
  return page.evaluate(
    (name: string, start: string) =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open('hydraflow');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const count = open.result.transaction(name).objectStore(name).count(IDBKeyRange.bound(start, `${start}\uffff`));
          count.onsuccess = () => {
            open.result.close();
            resolve(count.result);
          };
          count.onerror = () => reject(count.error);
        };
      }),
    store,
    prefix,
  );
}

/**
 * How many rows `store` holds: the same number as reading every row, without sending them over
 * CDP (100,000 visits cost seconds that way, 500,000 far more).
 */
export function countStore(page: Page, store: string): Promise<number> {
  if (store === 'visits') return countVisits(page);
  return countRows(page, store);
}

/**
 * Stored visits: the `n` of every visit chunk plus the legacy rows not migrated yet (docs/storage.md;
 * legacy rows at or before the `visits.legacyMovedThrough` setting are moved copies, not counted).
 */
export function countVisits(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open('hydraflow');
        open.onupgradeneeded = () => open.transaction?.abort();
        open.onerror = () => reject(open.error ?? new Error('no database "hydraflow"'));
        open.onsuccess = () => {
          let tx: IDBTransaction;
          try {
            tx = open.result.transaction(['visits', 'visitChunks', 'settings']);
          } catch (error) {
            open.result.close();
            reject(error as Error);
            return;
          }
          let legacy = 0;
          const moved = tx.objectStore('settings').get('visits.legacyMovedThrough');
          moved.onsuccess = () => {
            const through = (moved.result as { value?: { at?: number } } | undefined)?.value?.at;
            const unmoved = tx.objectStore('visits').index('visitedAt').count(through === undefined ? undefined : IDBKeyRange.lowerBound(through, true));
            unmoved.onsuccess = () => (legacy = unmoved.result);
          };
          let chunked = 0;
          const cursor = tx.objectStore('visitChunks').openCursor();
          cursor.onsuccess = () => {
            if (!cursor.result) return;
            chunked += (cursor.result.value as { n: number }).n;
            cursor.result.continue();
          };
          tx.oncomplete = () => {
            open.result.close();
            resolve(legacy + chunked);
          };
          tx.onerror = () => {
            open.result.close();
            reject(tx.error);
          };
        };
      }),
  );
}

/**
 * The rows of `store` whose `url` starts with `prefix`, filtered inside the page (read in slices of
 * 20,000) so only the matches cross CDP.
 */
export async function readWithUrlPrefix<T extends { url: string }>(page: Page, store: string, prefix: string): Promise<T[]> {
  if (store === 'visits') return (await readVisits<T>(page)).filter((visit) => visit.url.startsWith(prefix));
  // No named functions inside: tsx wraps them in a `__name` helper that does not exist in the page.
  return page.evaluate(
    async (name: string, start: string) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open('hydraflow');
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      const found: unknown[] = [];
      let after: IDBValidKey | null = null;
      for (;;) {
        const range: IDBKeyRange | null = after === null ? null : IDBKeyRange.lowerBound(after, true);
        const [keys, values] = await new Promise<[IDBValidKey[], { url?: unknown }[]]>((resolve, reject) => {
          const objects = db.transaction(name).objectStore(name);
          const keyRequest = objects.getAllKeys(range, 20_000);
          const rowRequest = objects.getAll(range, 20_000);
          rowRequest.onsuccess = () => resolve([keyRequest.result, rowRequest.result as { url?: unknown }[]]);
          rowRequest.onerror = () => reject(rowRequest.error);
        });
        for (const row of values) if (typeof row.url === 'string' && row.url.startsWith(start)) found.push(row);
        if (values.length < 20_000) break;
        after = keys[keys.length - 1]!;
      }
      db.close();
      return found;
    },
    store,
    prefix,
  ) as Promise<T[]>;
}

export interface HistoryProfile {
  /** Temp folder holding everything below; remove it when done. */
  base: string;
  /** XDG_CONFIG_HOME where the Chromium profile "chromium:Big" with its History file lives. */
  config: string;
  userDataDir: string;
  /** HYDRAFLOW_HOME of the host installed into userDataDir. */
  home: string;
}

/**
 * A browser profile to import from (a generated Chromium History of `visits` visits, profile id
 * `chromium:Big`) and a user-data-dir with the real host installed. Launch with
 * `launchWithExtension({ userDataDir, env: { XDG_CONFIG_HOME: config } })`.
 */
export function historyProfile(prefix: string, visits: number, options: { urlsPerVisit?: number; userDataDir?: (base: string) => string } = {}): HistoryProfile {
  const base = mkdtempSync(join(tmpdir(), prefix));
  const config = join(base, 'config');
  mkdirSync(join(config, 'chromium', 'Big'), { recursive: true });
  writeLargeChromiumHistory(join(config, 'chromium', 'Big', 'History'), { visits, urls: Math.ceil(visits * (options.urlsPerVisit ?? 0.2)) });
  const userDataDir = options.userDataDir?.(base) ?? join(base, 'profile');
  const home = join(base, 'home');
  const install = runCli(['install', '--user-data-dir', userDataDir], { HYDRAFLOW_HOME: home });
  if (install.status !== 0) throw new Error(install.stderr);
  return { base, config, userDataDir, home };
}

export interface FinishedJob {
  id: string;
  type: string;
  status: string;
  error: { code: string; message: string } | null;
  cursor: unknown;
  relatedIds: string[];
}

/** Waits until job `id` is no longer queued or running, waking the worker on every poll (a dead one resumes or fails it). */
export function finishedJob<T extends FinishedJob = FinishedJob>(page: Page, id: string, timeoutMs = 300_000, everyMs = 250): Promise<T> {
  return waitUntil<T>(`job ${id} to finish`, async () => {
    await command(page, 'app.info', {}).catch(() => undefined);
    const job = (await readStore<T>(page, 'jobs')).find((j) => j.id === id);
    return job && job.status !== 'running' && job.status !== 'queued' ? job : undefined;
  }, timeoutMs, everyMs);
}
