/**
 * A read-write transaction that reports why it failed. When IndexedDB aborts a transaction on its
 * own (a full disk or quota: QuotaExceededError), the code still running in it next touches a
 * finished transaction and Dexie rejects with that secondary error ("The transaction has
 * finished"), hiding the cause. This wrapper rethrows the transaction's own error when it has one,
 * so the job reports QUOTA_EXCEEDED instead of INTERNAL_ERROR. A transaction that Chromium aborted
 * because it closed the connection (an IO error of the backing store) runs once more on a new
 * connection (`onLiveConnection`): its body must touch nothing but the database, which holds for
 * every transaction (IndexedDB commits one that waits for anything else).
 */
import type { Table } from 'dexie';
import { onLiveConnection } from './connection';
import type { HydraDb } from './db';

export function writeTransaction<T>(db: HydraDb, tables: Table[], body: () => Promise<T>): Promise<T> {
  return onLiveConnection(db, () => oneWriteTransaction(db, tables, body));
}

async function oneWriteTransaction<T>(db: HydraDb, tables: Table[], body: () => Promise<T>): Promise<T> {
  let native: IDBTransaction | null = null;
  try {
    return await db.transaction('rw', tables, async (tx) => {
      native = tx.idbtrans;
      return body();
    });
  } catch (error) {
    let cause: DOMException | null = null;
    try {
      cause = (native as IDBTransaction | null)?.error ?? null;
    } catch {
      // the transaction is not finished: its error cannot be read, and it is not the cause
    }
    throw cause ?? error;
  }
}
