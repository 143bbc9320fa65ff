/** Every store of the database at the latest version (the migrations declare them). */
export const STORE_NAMES = [
  'threads',
  'messages',
  'tabs',
  'tabSnapshots',
  'visits',
  'pages',
  'tasks',
  'taskEvents',
  'memories',
  'jobs',
  'settings',
  'counters',
  'searchSegments',
  'searchJournal',
  'vectors',
  'visitChunks',
  'syncOutbox',
  'syncDocs',
  'syncTombstones',
  'visitTerms',
] as const;
export type StoreName = (typeof STORE_NAMES)[number];
