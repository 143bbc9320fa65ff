export { createDatabase, getDb, DB_NAME, type HydraDb } from './db';
export { STORE_NAMES, type StoreName } from './stores';
export { registerDbMiddleware, signalJournal } from './middleware';
export type { VisitChunk } from './visit-chunk';
export type { JournalRow, SegmentRow, VectorRow } from './search-rows';
export type { SyncDocRow, SyncOutboxRow, SyncTombstoneRow } from './sync-rows';
export { LATEST_VERSION, migrations } from './migrations';
export { COUNTED_STORES, addToCounters, recountAll, storeCounterKey, visitDayKey, visitDayOf, type CountedStore, type Counter } from './counters';
export { writeTransaction } from './transaction';
