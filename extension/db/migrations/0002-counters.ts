import { COUNTERS_STORE, recountAll } from '../counters';
import type { Migration } from './types';

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
