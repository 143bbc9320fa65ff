/** Reads the extension's database from one of its pages, as raw rows (no Dexie, no commands). */
import type { Page } from 'puppeteer-core';
import { BUNDLE_CACHE, STAGED_AT_HEADER, stagedKey } from '../../extension/bundles/files';

/**
 * One request on `store` (every row, or their count). It never creates the database (an open that
 * would is aborted: a database the browser deleted must not come back empty at version 1, where
 * the worker's upgrade would wait behind this page's connection) and closes its connection
 * whatever happens.
 */
function storeRequest(page: Page, store: string, request: 'getAll' | 'count'): Promise<unknown> {
  return page.evaluate(
    (name, op) =>
      new Promise<unknown>((resolve, reject) => {
        const open = indexedDB.open('hydraflow');
        open.onupgradeneeded = () => open.transaction?.abort();
        open.onerror = () => reject(open.error ?? new Error('no database "hydraflow"'));
        open.onsuccess = () => {
          const db = open.result;
          try {
            const asked = db.transaction(name).objectStore(name)[op]();
            asked.onsuccess = () => {
              db.close();
              resolve(asked.result);
            };
            asked.onerror = () => {
              db.close();
              reject(asked.error);
            };
          } catch (error) {
            db.close();
            reject(error as Error);
          }
        };
      }),
    store,
    request,
  );
}

/** Every row of `store` (storeRequest: never creates the database). */
export function readStore<T = Record<string, unknown>>(page: Page, store: string): Promise<T[]> {
  return storeRequest(page, store, 'getAll') as Promise<T[]>;
}

/** How many rows `store` holds, without sending them over CDP (storeRequest: never creates the database). */
export function countRows(page: Page, store: string): Promise<number> {
  return storeRequest(page, store, 'count') as Promise<number>;
}

/** Whether the moved legacy visits are freed: the legacy `visits` store empty and its position setting gone (extension/visits/migrate.ts). */
export function legacyFreed(page: Page): Promise<boolean> {
  return page.evaluate(
    () =>
      new Promise<boolean>((resolve, reject) => {
        const open = indexedDB.open('hydraflow');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction(['visits', 'settings']);
          const count = tx.objectStore('visits').count();
          const position = tx.objectStore('settings').get('visits.legacyMovedThrough');
          tx.oncomplete = () => {
            open.result.close();
            resolve(count.result === 0 && position.result === undefined);
          };
        };
      }),
  );
}

/**
 * Stages text as a picked file, the way a UI page does before `history.importTakeout` or
 * `bundles.preview` of a picked file: into the extension's Cache Storage, under a new id.
 */
export async function stageText(page: Page, text: string): Promise<string> {
  const id = crypto.randomUUID();
  await page.evaluate(
    async (cacheName, key, body, header) => {
      await (await caches.open(cacheName)).put(key, new Response(body, { headers: { [header]: String(Date.now()) } }));
    },
    BUNDLE_CACHE,
    stagedKey(id),
    text,
    STAGED_AT_HEADER,
  );
  return id;
}

/**
 * Every stored visit as a row, read raw from one of the extension's pages: the chunks of
 * `visitChunks` decoded (docs/storage.md) plus any legacy `visits` rows a migration has not moved yet
 * (moved rows stay in the legacy store until the move ends: those at or before the
 * `visits.legacyMovedThrough` setting are copies of chunk visits, extension/db/legacy-visits.ts).
 */
export function readVisits<T = Record<string, unknown>>(page: Page): Promise<T[]> {
  return page.evaluate(
    () =>
      new Promise<unknown[]>((resolve, reject) => {
        const open = indexedDB.open('hydraflow');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction(['visitChunks', 'visits', 'settings']);
          const chunks = tx.objectStore('visitChunks').getAll();
          const legacy = tx.objectStore('visits').getAll();
          const moved = tx.objectStore('settings').get('visits.legacyMovedThrough');
          tx.oncomplete = () => {
            open.result.close();
            const through = (moved.result as { value?: { at?: number } } | undefined)?.value?.at ?? -Infinity;
            const out: unknown[] = (legacy.result as { visitedAt: number }[]).filter((row) => row.visitedAt > through);
            type Chunk = { n: number; urls: string[]; urlKeys: string[]; urlHost: number[]; hosts: string[]; titles: string[]; transitions: string[]; sources: string[]; at: number[]; url: number[]; title: number[]; transition: number[]; source: number[] };
            for (const c of chunks.result as Chunk[])
              for (let i = 0; i < c.n; i++) {
                const u = c.url[i]!;
                out.push({ id: `${c.urlKeys[u]}@${c.at[i]}`, url: c.urls[u], urlKey: c.urlKeys[u], hostRev: c.hosts[c.urlHost[u]!], title: c.titles[c.title[i]!], visitedAt: c.at[i], transition: c.transitions[c.transition[i]!], source: c.sources[c.source[i]!] });
              }
            resolve(out);
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
  ) as Promise<T[]>;
}
