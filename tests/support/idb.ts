/** Reads the extension's database from one of its pages, as raw rows (no Dexie, no commands). */
import type { Page } from 'puppeteer-core';
import { BUNDLE_CACHE, stagedKey } from '../../extension/bundles/files';

export function readStore<T = Record<string, unknown>>(page: Page, store: string): Promise<T[]> {
  return page.evaluate(
    (name) =>
      new Promise<unknown[]>((resolve, reject) => {
        const open = indexedDB.open('hydraflow');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const all = open.result.transaction(name).objectStore(name).getAll();
          all.onsuccess = () => {
            open.result.close();
            resolve(all.result as unknown[]);
          };
          all.onerror = () => reject(all.error);
        };
      }),
    store,
  ) as Promise<T[]>;
}

/**
 * Stages text as a picked file, the way a UI page does before `history.importTakeout` or
 * `bundles.preview` of a picked file: into the extension's Cache Storage, under a new id.
 */
export async function stageText(page: Page, text: string): Promise<string> {
  const id = crypto.randomUUID();
  await page.evaluate(
    async (cacheName, key, body) => {
      await (await caches.open(cacheName)).put(key, new Response(body));
    },
    BUNDLE_CACHE,
    stagedKey(id),
    text,
  );
  return id;
}
