import type { Transaction } from 'dexie';
import type { Migration } from './types';

/*
 * A released migration is frozen: it imports nothing that can change later (only the Migration
 * type). What it needs of extension/db/counters.ts is copied here as it was at version 2: the
 * counted stores and the key formats of the counter rows.
 */
const COUNTERS_STORE = 'counters';
const COUNTED_STORES = ['threads', 'messages', 'tabs', 'tabSnapshots', 'visits', 'pages', 'tasks', 'taskEvents', 'memories', 'jobs'];
const DAY_MS = 86_400_000;

/** Every counter rebuilt from the rows of the upgrade transaction. */
async function recountAll(tx: Transaction): Promise<void> {
  const rows: { key: string; n: number }[] = [];
  for (const store of COUNTED_STORES) rows.push({ key: `store:${store}`, n: await tx.table(store).count() });
  const perDay = new Map<number, number>();
  await tx
    .table('visits')
    .orderBy('visitedAt')
    .eachKey((visitedAt) => {
      const day = Math.floor((visitedAt as number) / DAY_MS);
      perDay.set(day, (perDay.get(day) ?? 0) + 1);
    });
  for (const [day, n] of perDay) rows.push({ key: `visitsDay:${day}`, n });
  const table = tx.table(COUNTERS_STORE);
  await table.clear();
  await table.bulkPut(rows);
}

/**
 * v2: `counters` — exact row counts per store and visits per UTC day, kept in the same
 * transaction as every write (extension/db/counters.ts), so the overview never walks a store.
 * The upgrade counts what v1 holds.
 */
export const migration0002: Migration = {
  version: 2,
  description: 'row counters per store and visits per day',
  stores: { [COUNTERS_STORE]: 'key' },
  upgrade: (tx) => recountAll(tx),
};
