import type { Migration } from './types';

/**
 * v3: the search index and embeddings.
 * - `searchSegments`: the persisted full-text index, one row per segment (`<kind>/<n>`).
 * - `searchJournal`: the document keys every write to an indexed store touched, written in the
 *   same transaction as the write (extension/search/journal.ts); the indexer applies and deletes
 *   them. A crash between a write and its indexing leaves the journal row, never a stale index.
 * - `vectors`: one embedding per page or message (`<kind>:<key>`), int8-quantized.
 * The index starts empty: the first search (or `search.rebuild`) builds it from the stores.
 */
export const migration0003: Migration = {
  version: 3,
  description: 'search index segments, index journal, embedding vectors',
  stores: { searchSegments: 'key', searchJournal: '++seq', vectors: 'key, kind, model' },
};
