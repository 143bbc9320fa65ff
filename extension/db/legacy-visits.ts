/**
 * How far the `visits_migrate` job (extension/visits/migrate.ts) has moved the legacy
 * one-row-per-visit `visits` store into chunks. Deleting each moved row cost Chromium's IndexedDB
 * ~0.2 ms of browser time per row (more than moving it), so moved rows stay until the move ends
 * and the store is cleared at once. This setting says which are moved: every legacy row with
 * `visitedAt` ≤ `at` (its copy in chunks is the stored visit; the legacy row is ignored). It is
 * written in the same transaction as each move and deleted with the clear; absent: none moved.
 */
import type { Table } from 'dexie';

export const LEGACY_MOVED_SETTING = 'visits.legacyMovedThrough';

/** The time through which legacy rows are moved (−Infinity when none is). */
export async function legacyMovedThrough(tx: { table(name: string): Table }): Promise<number> {
  const row = (await tx.table('settings').get(LEGACY_MOVED_SETTING)) as { value?: { at?: unknown } } | undefined;
  const at = row?.value?.at;
  return typeof at === 'number' ? at : -Infinity;
}
