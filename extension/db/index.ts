export { createDatabase, getDb, DB_NAME, STORE_NAMES, type HydraDb, type StoreName } from './db';
export { LATEST_VERSION, migrations } from './migrations';
export { COUNTED_STORES, recountAll, storeCounterKey, visitDayKey, visitDayOf, type CountedStore, type Counter } from './counters';
export { writeTransaction } from './transaction';
