import type { Migration } from './types';

/**
 * v6: sync (docs/sync.md). Like v5 (visit chunks), this one only adds stores.
 * - `syncOutbox`: one row per sync document changed here and not yet sent, `{docId, hlc}`, written
 *   in the same transaction as the change (extension/sync/outbox.ts).
 * - `syncDocs`: per sync document, the server revision this machine last saw and its clock stamp.
 * - `syncTombstones`: ids of visits deleted here, by chunk document, so a later sync never brings
 *   them back.
 * No upgrade: sync starts when the user sets it up, and its first run sends every row.
 */
export const migration0006: Migration = {
  version: 6,
  description: 'sync outbox, known server revisions, visit tombstones',
  stores: { syncOutbox: 'docId', syncDocs: 'docId, serverId', syncTombstones: 'id, chunk' },
};
