import type { Migration } from './types';

/**
 * v5: `visitChunks` — visits grouped in rows of up to 256 that follow each other in time, their
 * facts in compact arrays (docs/adr/0006-visit-chunks.md). Indexed by key (a lower bound of the
 * chunk's times), the distinct URL keys (`*urlKeys`) and reversed hosts (`*hosts`) it holds.
 * No upgrade: the one-row-per-visit `visits` store stays as it is, and the `visits_migrate` job
 * (extension/visits/migrate.ts) moves its rows into chunks in resumable batches with progress,
 * after the database has opened (an upgrade cannot report progress or resume).
 */
export const migration0005: Migration = {
  version: 5,
  description: 'visit chunks',
  stores: { visitChunks: 'id, *urlKeys, *hosts' },
};
