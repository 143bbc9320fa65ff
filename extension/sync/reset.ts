/**
 * Wipes and "delete all history" across machines (docs/sync.md, "Wipe and delete all history").
 * Deleting everything cannot travel as one tombstone per row: the wiping machine does not know the
 * rows another machine made meanwhile. So it travels as a line in time, a reset document:
 *
 * - `reset:history` (Privacy → Delete all history): every visit made at or before the stamp's wall
 *   time is deleted, on every machine, and refused when it arrives later (visits never change
 *   after their time, so their time says whether the clear covered them).
 * - `reset:all` (Wipe everything): the same for visits, and every synced row whose last change
 *   (its stamp: of the change waiting here to be sent, or of the version last sent or received) is
 *   at or before the stamp is deleted and refused; the blocklist is emptied unless changed since.
 *   A thread's messages are one document (messages.ts): they go together, by its stamp.
 *
 * A machine holds the latest stamp of each kind it wrote or received (its `syncOutbox` or
 * `syncDocs` row: `resetMarks`); the later of two stamps wins. What is made after the line, on any
 * machine, syncs as usual. The machine applying a reset also sends a deletion for each document it
 * removed rows of, so the server keeps none of them.
 */
import { hlcWall, RESET_ALL, RESET_HISTORY, CHUNK_WEEK_MS, parseChunkId, rowDocId } from '../../shared/sync/format';
import type { HydraDb, SyncDocRow, SyncOutboxRow } from '../db';
import { clearVisits, deleteVisitsWhere, newestVisitAt } from '../visits';
import { forgetImportedSources } from '../history';
import { setBlocklist } from '../capture/blocklist';
import { tick } from './clock';
import { BLOCKLIST_SETTING, dropTombstonesThrough } from './outbox';
import { ROW_KINDS, TABLE_OF_KIND } from './rows';
import { allMessagesDocIds, removeMessages } from './messages';

/** The latest reset stamps this machine knows (null: none). */
export interface ResetMarks {
  all: string | null;
  history: string | null;
}

export function laterHlc(a: string | null | undefined, b: string | null | undefined): string | null {
  if (!a) return b ?? null;
  if (!b) return a;
  return a > b ? a : b;
}

export async function resetMarks(db: HydraDb): Promise<ResetMarks> {
  const ids = [RESET_ALL, RESET_HISTORY];
  const [docs, pending] = await Promise.all([db.syncDocs.bulkGet(ids), db.syncOutbox.bulkGet(ids)]);
  return { all: laterHlc(docs[0]?.hlc, pending[0]?.hlc), history: laterHlc(docs[1]?.hlc, pending[1]?.hlc) };
}

/** Visits made at or before this time are deleted and refused (-Infinity: none). */
export function visitsThrough(marks: ResetMarks): number {
  const mark = laterHlc(marks.all, marks.history);
  return mark === null ? -Infinity : hlcWall(mark);
}

/** Whether a row document stamped `hlc` is covered by a wipe (deleted and refused). */
export function rowCovered(marks: ResetMarks, hlc: string): boolean {
  return marks.all !== null && hlc <= marks.all;
}

/** Applies a reset from the server here (inside an incoming transaction); returns the visits and rows it removed. */
export async function applyReset(db: HydraDb, id: typeof RESET_ALL | typeof RESET_HISTORY, hlc: string): Promise<{ visits: number; rows: number }> {
  const visits = await removeVisitsThrough(db, hlcWall(hlc));
  const rows = id === RESET_ALL ? await removeRowsThrough(db, hlc) : 0;
  return { visits, rows };
}

async function removeVisitsThrough(db: HydraDb, through: number): Promise<number> {
  const newest = await newestVisitAt(db);
  let removed = 0;
  if (newest !== null) {
    removed = newest <= through
      ? await clearVisits(db)
      : (await deleteVisitsWhere(db, { everything: false, urlKey: null, hostRev: null, includeSubdomains: false, from: -Infinity, to: through + 1 }, (visit) => visit.visitedAt <= through)).deleted;
  }
  await dropTombstonesThrough(db, through);
  // As a "Delete all history" made here: nothing counts as imported any more, so the next import
  // of a source reads it whole again (docs/history.md, "Re-import").
  await forgetImportedSources(db);
  // Chunk documents of the weeks the reset reaches are sent again: what is left of them, or their deletion.
  const chunks = await db.syncDocs.where('docId').startsWith('visits:').filter((row) => !row.deleted && (parseChunkId(row.docId)?.week ?? Infinity) * CHUNK_WEEK_MS <= through).primaryKeys();
  await sendAgain(db, chunks as string[]);
  return removed;
}

async function removeRowsThrough(db: HydraDb, mark: string): Promise<number> {
  let removed = 0;
  for (const kind of ROW_KINDS) {
    const table = db.table<unknown, string>(TABLE_OF_KIND[kind]);
    const keys = (await table.toCollection().primaryKeys()) as string[];
    const docIds = keys.map((key) => rowDocId(kind, key));
    const [docs, pending] = await Promise.all([db.syncDocs.bulkGet(docIds), db.syncOutbox.bulkGet(docIds)]);
    const gone = keys.filter((_, i) => !isLater(docs[i], pending[i], mark));
    if (gone.length === 0) continue;
    await table.bulkDelete(gone);
    removed += gone.length;
    const goneDocs = gone.map((key) => rowDocId(kind, key));
    // A change waiting here from before the line goes with its row; the server's copy is deleted.
    await db.syncOutbox.bulkDelete(goneDocs);
    const known = new Set(keys.flatMap((key, i) => (docs[i] && !docs[i].deleted ? [rowDocId(kind, key)] : [])));
    await sendAgain(db, goneDocs.filter((docId) => known.has(docId)));
  }
  // A thread's messages go together when their document's last change is at or before the line.
  const threads = await allMessagesDocIds(db);
  const [threadDocs, threadPending] = await Promise.all([db.syncDocs.bulkGet(threads), db.syncOutbox.bulkGet(threads)]);
  const goneThreads = threads.filter((_, i) => !isLater(threadDocs[i], threadPending[i], mark));
  for (const docId of goneThreads) removed += await removeMessages(db, docId);
  await db.syncOutbox.bulkDelete(goneThreads);
  await sendAgain(db, threads.filter((_, i) => !isLater(threadDocs[i], threadPending[i], mark) && threadDocs[i] && !threadDocs[i].deleted));
  const [doc, pending, blocklist] = await Promise.all([db.syncDocs.get('blocklist'), db.syncOutbox.get('blocklist'), db.settings.get(BLOCKLIST_SETTING)]);
  if (blocklist && !isLater(doc, pending, mark)) {
    await setBlocklist(db, []);
    await db.syncOutbox.delete('blocklist');
  }
  return removed;
}

function isLater(doc: SyncDocRow | undefined, pending: SyncOutboxRow | undefined, mark: string): boolean {
  const last = laterHlc(doc?.hlc, pending?.hlc);
  return last !== null && last > mark;
}

/** Queues documents to be sent again as they are here now (a deletion when nothing is left). */
async function sendAgain(db: HydraDb, docIds: string[]): Promise<void> {
  if (docIds.length === 0) return;
  const hlc = tick();
  await db.syncOutbox.bulkPut(docIds.map((docId) => ({ docId, hlc })));
}
