/**
 * The Dexie database "hydraflow": one typed handle per context. The background service worker is
 * the only writer; UI pages open it to read (liveQuery) and send commands for every change.
 */
import Dexie, { type EntityTable } from 'dexie';
import type { Job, Memory, Message, Page, Setting, Tab, TabSnapshot, Task, TaskEvent, Thread, Visit } from '../../shared/schemas/entities';
import { openAgainAfterFailure } from './connection';
import { countersMiddleware, type Counter } from './counters';
import { registeredMiddlewares } from './middleware';
import { migrations, type Migration } from './migrations';
import type { JournalRow, SegmentRow, VectorRow } from './search-rows';
import type { SyncDocRow, SyncOutboxRow, SyncTombstoneRow } from './sync-rows';
import { DB_NAME } from './name';
import type { VisitChunk } from './visit-chunk';
import type { VisitTermRow } from './visit-terms';

export { DB_NAME };

export type HydraDb = Dexie & {
  threads: EntityTable<Thread, 'id'>;
  messages: EntityTable<Message, 'id'>;
  tabs: EntityTable<Tab, 'tabId'>;
  tabSnapshots: EntityTable<TabSnapshot, 'id'>;
  /** Legacy (v1–v4): one row per visit; emptied by the visits_migrate job (extension/history/migrate.ts). */
  visits: EntityTable<Visit, 'id'>;
  visitChunks: EntityTable<VisitChunk, 'id'>;
  /** The chunks' inverted index (v7): [bucket, start] → the (term, chunk) pairs of that bucket and chunk range. */
  visitTerms: Dexie.Table<VisitTermRow, [string, number]>;
  pages: EntityTable<Page, 'id'>;
  tasks: EntityTable<Task, 'id'>;
  taskEvents: EntityTable<TaskEvent, 'id'>;
  memories: EntityTable<Memory, 'id'>;
  jobs: EntityTable<Job, 'id'>;
  settings: EntityTable<Setting, 'key'>;
  counters: EntityTable<Counter, 'key'>;
  searchSegments: EntityTable<SegmentRow, 'key'>;
  searchJournal: EntityTable<JournalRow, 'seq'>;
  vectors: EntityTable<VectorRow, 'key'>;
  syncOutbox: EntityTable<SyncOutboxRow, 'docId'>;
  syncDocs: EntityTable<SyncDocRow, 'docId'>;
  syncTombstones: EntityTable<SyncTombstoneRow, 'id'>;
};

/**
 * Opens (declares) the database with every migration up to `upToVersion` (default: all). Tests
 * use `upToVersion` to create an old database and then upgrade it.
 */
export function createDatabase(name: string = DB_NAME, upToVersion?: number, options?: ConstructorParameters<typeof Dexie>[1]): HydraDb {
  const db = new Dexie(name, options) as HydraDb;
  const chosen: Migration[] = migrations.filter((m) => upToVersion === undefined || m.version <= upToVersion);
  for (const migration of chosen) {
    const version = db.version(migration.version).stores(migration.stores);
    if (migration.upgrade) version.upgrade(migration.upgrade);
  }
  // Keeps `counters` exact on every write (a no-op for a database declared below version 2).
  db.use(countersMiddleware);
  // The capabilities' own (the search journal records which documents each write touched).
  for (const middleware of registeredMiddlewares()) db.use(middleware);
  // A failed open (a full disk) is tried again at the next call, not kept for good.
  openAgainAfterFailure(db);
  return db;
}

let singleton: HydraDb | undefined;

/** The context's shared handle on "hydraflow". */
export function getDb(): HydraDb {
  // No optimistic query cache: only the worker writes, and it has no live queries to serve.
  singleton ??= createDatabase(DB_NAME, undefined, { cache: 'disabled' });
  return singleton;
}
