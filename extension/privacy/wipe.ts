/** Forget a tab, and wipe everything. Both irreversible; the wipe needs its confirmation word. */
import { WIPE_CONFIRMATION } from '../../shared/commands/privacy';
import { CodedError } from '../../shared/errors';
import { BUNDLE_CACHE } from '../bundles/files';
import { storeCounterKey, type HydraDb } from '../db';
import type { HostConnection } from '../host';

export async function forgetTab(db: HydraDb, tabId: number): Promise<{ tabs: number; tabSnapshots: number }> {
  return db.transaction('rw', db.tabs, db.tabSnapshots, async () => {
    const snapshots = await db.tabSnapshots.where('[tabId+capturedAt]').between([tabId, -Infinity], [tabId, Infinity]).primaryKeys();
    await db.tabSnapshots.bulkDelete(snapshots);
    const existed = (await db.tabs.get(tabId)) !== undefined;
    await db.tabs.delete(tabId);
    return { tabs: existed ? 1 : 0, tabSnapshots: snapshots.length };
  });
}

/**
 * Another capability that keeps something through a wipe (sync: its settings, to send the wipe to
 * the other machines; extension/sync/wipe.ts). Called inside the wipe's transaction before the
 * stores are cleared; what it returns is called after. Registered at import, so this module
 * imports nothing of it.
 */
export type WipeKeeper = (db: HydraDb) => Promise<() => Promise<void>>;
const keepers: WipeKeeper[] = [];
export function keepThroughWipe(keeper: WipeKeeper): void {
  if (!keepers.includes(keeper)) keepers.push(keeper);
}

/** Clears every store (settings too) in one transaction, but what keepers keep; then, if asked, the host's data. */
export async function wipeAll(db: HydraDb, host: HostConnection | null, confirm: string, includeHost: boolean): Promise<{ stores: Record<string, number>; host: { removedBytes: number } | null }> {
  if (confirm !== WIPE_CONFIRMATION) throw new CodedError('CONFIRMATION_REQUIRED', `Type ${WIPE_CONFIRMATION} to delete everything`);
  const stores: Record<string, number> = {};
  await db.transaction('rw', db.tables, async () => {
    // Visits are counted in visits, not in the chunk rows that hold them (extension/visits).
    const visits = (await db.counters.get(storeCounterKey('visits')))?.n ?? 0;
    const restore: (() => Promise<void>)[] = [];
    for (const keeper of keepers) restore.push(await keeper(db));
    for (const table of db.tables) {
      stores[table.name] = await table.count();
      await table.clear();
    }
    for (const put of restore) await put();
    stores.visits = visits;
  });
  delete stores.counters;
  delete stores.visitChunks;
  delete stores.visitTerms;
  // Bundle files staged for import or kept for download live in Cache Storage.
  if (typeof caches !== 'undefined') await caches.delete(BUNDLE_CACHE);
  let hostResult: { removedBytes: number } | null = null;
  if (includeHost && host) {
    const reply = await host.request('storage.wipe', { confirm: 'WIPE' });
    if (!reply.ok) throw new CodedError(reply.error.code, `The browser's data was wiped; the host's was not: ${reply.error.message}`);
    hostResult = reply.result;
  }
  return { stores, host: hostResult };
}
