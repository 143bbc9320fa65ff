/**
 * The sync outbox: every local write to a synced store records, in the same transaction, which
 * sync documents it changed (`syncOutbox`, one row per document, stamped by the clock), and a
 * visit delete also records the visit's tombstone (`syncTombstones`). So a crash can never leave a
 * change that sync does not know about. A message's document is its thread's of the week it was
 * created in (`messages:<week>:<thread id>`, messages.ts), and a message delete also records the
 * message's tombstone (read before the delete). For rows this is a Dexie DBCore middleware, like the
 * search journal: it sees every write, bulk ones included, and leaves schema upgrades alone.
 * Visits are written as chunk rows by extension/visits alone, which tells its observers which
 * visits each transaction added, retitled or removed; the outbox is one of them. (Moving legacy
 * rows into chunks, the visits_migrate job, changes no visit and records nothing.)
 *
 * Writes that sync itself applies from the server are marked (`markIncoming`) and not recorded:
 * they came from the server and must not be sent back. A whole store cleared (the wipe) is not
 * recorded either: the wipe travels as one reset document (wipe.ts, reset.ts; docs/sync.md).
 *
 * Nothing is recorded while sync is off (no database set up): outbox rows and visit tombstones
 * name rows and visits (a visit's id holds its URL), so a privacy delete would leave its URLs here
 * for as long as sync stays off. The first sync with a database sends every row by scanning
 * (engine.ts `startOver`), so nothing recorded meanwhile is needed. The middleware must decide
 * synchronously, so the switch is a flag per database, set at worker start from the saved settings
 * and by Settings → Sync (switch.ts `settleSyncBookkeeping`, service.ts `saveConfig`). Until it is set the
 * outbox records (the safe side: a write made before it is known that sync is on is never lost to
 * sync), and the start-up finding sync off clears what was recorded meanwhile.
 */
import type { DBCore, DBCoreMutateRequest, DBCoreTable, DBCoreTransaction, Middleware } from 'dexie';
import { visitId } from '../../shared/history/visit';
import { chunkIdOf, hlcWall, messagesDocId, RESET_HISTORY, rowDocId, type RowKind } from '../../shared/sync/format';
import type { Message } from '../../shared/schemas/entities';
import Dexie from 'dexie';
import { registerDbMiddleware, type HydraDb, type SyncOutboxRow, type SyncTombstoneRow } from '../db';
import { observeVisits } from '../visits';
import { isUpgrade, widenWrites } from '../db/middleware';
import { tick } from './clock';
import { isMessageTombstone, messageTombstoneId } from './messages';

export const OUTBOX_STORE = 'syncOutbox';
export const TOMBSTONE_STORE = 'syncTombstones';
export const BLOCKLIST_SETTING = 'capture.blocklist';

/** Synced stores and the kind of document a row of each is (messages: their thread's of a week). */
const KIND_OF_STORE: Record<string, RowKind | 'messages'> = {
  threads: 'thread',
  messages: 'messages',
  tasks: 'task',
  taskEvents: 'taskEvent',
  memories: 'memory',
  pages: 'page',
  settings: 'blocklist',
};

const incoming = new WeakSet<object>();

/** Databases (by name) whose sync is known to be off; unknown records (see the header). */
const syncOff = new Set<string>();

/** Sets whether the outbox of database `name` records (sync configured) or not (sync off). */
export function setOutboxRecording(name: string, on: boolean): void {
  if (on) syncOff.delete(name);
  else syncOff.add(name);
}

/** Marks a transaction as applying what the server sent (its writes are not recorded). */
export function markIncoming(idbtrans: IDBTransaction): void {
  incoming.add(idbtrans);
}

/** Who hears that the outbox grew (the worker schedules a sync shortly after local writes). */
let listener: (() => void) | null = null;
export function setOutboxListener(next: (() => void) | null): void {
  listener = next;
}
/** Tells the listener, after the current task, that the outbox grew. */
export function outboxGrew(): void {
  if (listener) setTimeout(() => listener?.(), 0);
}

async function keysOf(table: DBCoreTable, req: DBCoreMutateRequest): Promise<unknown[]> {
  switch (req.type) {
    case 'add':
    case 'put':
      return req.keys ?? req.values.map((value) => table.schema.primaryKey.extractKey!(value));
    case 'delete':
      return req.keys;
    case 'deleteRange': {
      if (req.range.type === 3) return [];
      const found = await table.query({ trans: req.trans, query: { index: table.schema.primaryKey, range: req.range }, values: false });
      return found.result;
    }
  }
}

function docIdsOf(kind: RowKind, keys: unknown[]): string[] {
  const ids = new Set<string>();
  for (const key of keys) {
    if (kind === 'blocklist') {
      if (key === BLOCKLIST_SETTING) ids.add('blocklist');
    } else ids.add(rowDocId(kind, String(key)));
  }
  return [...ids];
}

/**
 * The messages a write changes: the values written, or (a delete) the rows read before the
 * delete. Their documents are their threads' of their weeks.
 */
async function messagesOf(table: DBCoreTable, req: DBCoreMutateRequest, keys: unknown[]): Promise<Message[]> {
  if (req.type === 'add' || req.type === 'put') return req.values as Message[];
  const rows = (await table.getMany({ trans: req.trans, keys })) as (Message | undefined)[];
  return rows.filter((row) => row !== undefined);
}

async function put(table: DBCoreTable, trans: DBCoreTransaction, values: unknown[]): Promise<void> {
  if (values.length === 0) return;
  const result = await table.mutate({ type: 'put', trans, values });
  if (result.numFailures > 0) throw Object.values(result.failures)[0];
}

export const outboxMiddleware: Middleware<DBCore> = {
  stack: 'dbcore',
  name: 'hydraflow-sync-outbox',
  level: -2,
  create(down) {
    if (!down.schema.tables.some((table) => table.name === OUTBOX_STORE)) return down;
    const outbox = down.table(OUTBOX_STORE);
    const tombstones = down.table(TOMBSTONE_STORE);
    const dbName = down.schema.name;
    return {
      ...down,
      transaction(stores, mode, options) {
        const widened = widenWrites(stores, mode, (store) => store in KIND_OF_STORE, OUTBOX_STORE);
        return down.transaction(widenWrites(widened, mode, (store) => store === 'messages', TOMBSTONE_STORE), mode, options);
      },
      table(name) {
        const table = down.table(name);
        const kind = KIND_OF_STORE[name];
        if (!kind) return table;
        return {
          ...table,
          mutate: async (req) => {
            if (isUpgrade(req.trans) || incoming.has(req.trans) || syncOff.has(dbName)) return table.mutate(req);
            const keys = await keysOf(table, req);
            const messages = kind === 'messages' ? await messagesOf(table, req, keys) : [];
            const res = await table.mutate(req);
            const docIds = kind === 'messages' ? [...new Set(messages.map((row) => messagesDocId(row.threadId, row.createdAt)))] : docIdsOf(kind, keys);
            if (kind === 'messages' && req.type !== 'add' && req.type !== 'put') {
              await put(tombstones, req.trans, messages.map((row): SyncTombstoneRow => ({ id: messageTombstoneId(row.id), chunk: messagesDocId(row.threadId, row.createdAt) })));
            }
            if (docIds.length === 0) return res;
            const hlc = tick();
            await put(outbox, req.trans, docIds.map((docId): SyncOutboxRow => ({ docId, hlc })));
            outboxGrew();
            return res;
          },
        };
      },
    };
  },
};

/** Whether the current transaction is a local one that records into the outbox (of a database with sync not off). */
function recording(db: HydraDb): boolean {
  const trans = Dexie.currentTransaction?.idbtrans;
  return Boolean(trans && !syncOff.has(db.name) && !incoming.has(trans) && trans.objectStoreNames.contains(OUTBOX_STORE));
}

/**
 * Visits added, retitled or removed here: their chunk documents go to the outbox, a removed
 * visit's id to the tombstones, in the visit write's own transaction (visitTables includes ours).
 * All history cleared (Privacy → everything): a `reset:history` document stamped now goes to the
 * outbox, so every machine deletes its visits up to now and refuses them from then on; the
 * tombstones it covers go, and every chunk document the server holds is sent again (emptied, a
 * deletion), so the server keeps none of the cleared visits either.
 */
observeVisits({
  // A database older than v6 (a test's) has no sync stores.
  tables: (db: HydraDb) => (db.tables.some((table) => table.name === OUTBOX_STORE) ? [db.syncOutbox, db.syncTombstones, db.syncDocs] : []),
  async changed(db: HydraDb, visits, change) {
    if (!recording(db)) return;
    const hlc = tick();
    await db.syncOutbox.bulkPut([...new Set(visits.map((visit) => chunkIdOf(visit.urlKey, visit.visitedAt)))].map((docId): SyncOutboxRow => ({ docId, hlc })));
    if (change === 'removed') await db.syncTombstones.bulkPut(visits.map((visit): SyncTombstoneRow => ({ id: visitId(visit.urlKey, visit.visitedAt), chunk: chunkIdOf(visit.urlKey, visit.visitedAt) })));
    outboxGrew();
  },
  async cleared(db: HydraDb) {
    if (!recording(db)) return;
    const hlc = tick();
    await dropTombstonesThrough(db, hlcWall(hlc));
    const chunks = (await db.syncDocs.where('docId').startsWith('visits:').filter((row) => !row.deleted).primaryKeys()) as string[];
    await db.syncOutbox.bulkPut([...chunks, RESET_HISTORY].map((docId): SyncOutboxRow => ({ docId, hlc })));
    outboxGrew();
  },
});

/** Visit tombstones a history reset covers (visits at or before `through`): the reset says it for them. */
export async function dropTombstonesThrough(db: HydraDb, through: number): Promise<void> {
  const ids = (await db.syncTombstones.toCollection().primaryKeys()) as string[];
  await db.syncTombstones.bulkDelete(ids.filter((id) => !isMessageTombstone(id) && Number(id.slice(id.lastIndexOf('@') + 1)) <= through));
}

// Every database this context creates from now on keeps the outbox.
registerDbMiddleware(outboxMiddleware);
