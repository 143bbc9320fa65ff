import type { Transaction } from 'dexie';

/**
 * One numbered schema version. `stores` lists only the tables this version adds or changes
 * (Dexie carries the rest forward); `upgrade` rewrites existing rows when needed. Every migration
 * has a test in tests/unit/db that opens a database at the previous version, fills it, upgrades
 * and checks the rows.
 */
export interface Migration {
  version: number;
  description: string;
  stores: Record<string, string | null>;
  upgrade?: (tx: Transaction) => Promise<void> | void;
}
