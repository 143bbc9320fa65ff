/**
 * A connection Chromium closes under us. When LevelDB under IndexedDB meets an IO error (a full
 * disk, seen again by a compaction after space came back), Chromium closes every connection to the
 * database: the transactions in flight abort with an UnknownError ("Connection is closing because
 * of: IO error … FILE_ERROR_NO_SPACE"), then the connection fires `close`. Dexie reopens on the
 * next call after that event, but the call that was in flight has failed, though nothing of it
 * was committed. `onLiveConnection` runs such a unit of work — one transaction, or one
 * idempotent single-operation write — once more on a freshly opened connection. It never reopens a
 * handle our own code closed (`db.close()`), and a second lost connection in a row is
 * DATABASE_CONNECTION_LOST (or QUOTA_EXCEEDED while the disk is still full).
 *
 * `openAgainAfterFailure` keeps a handle usable once the cause is gone: Dexie reopens a handle the
 * browser closed at its next call, but when that open fails (the disk still full: "Encountered
 * full disk while opening backing store") it keeps the error and rejects every later call with
 * DatabaseClosedError without opening again — only an explicit `open()` recovers. Every write not
 * run through `onLiveConnection` (marking a job failed, progress, every command's read) failed
 * that way long after space came back, and the job stayed "running" (docs/reliability.md).
 */
import Dexie from 'dexie';
import { CodedError, toAppError } from '../../shared/errors';

/** Whether a failure means the connection went away under the work (the work committed nothing). */
export function lostConnection(error: unknown): boolean {
  if (!error || typeof error !== 'object' || !('name' in error)) return false;
  // Dexie rejects a call whose own transaction aborted with AbortError, the cause as `inner`.
  if (error.name === 'AbortError' && 'inner' in error && error.inner) return lostConnection(error.inner);
  const message = String((error as { message?: unknown }).message ?? '');
  switch ((error as { name: unknown }).name) {
    // Chromium's forced close (IO errors of the backing store); Dexie's handle closed under a call.
    case 'UnknownError':
    case 'DatabaseClosedError':
      return true;
    // transaction() on a connection that is closing.
    case 'InvalidStateError':
      return /clos/i.test(message);
    default:
      return false;
  }
}

/**
 * Makes a failed open of the handle (not one our own `close()` cancelled) forgotten, so the next
 * call opens again instead of failing with the old error for good. Called once per handle, by
 * createDatabase.
 */
export function openAgainAfterFailure(db: Dexie): void {
  const open = db.open.bind(db);
  // Dexie's automatic open at a call calls `this.open()`: this instance's override.
  db.open = () =>
    open().catch((error: unknown) => {
      // hasBeenClosed: our own close() cancelled it (it stays closed); isOpen: another open won.
      if (!db.hasBeenClosed() && !db.isOpen()) db.close({ disableAutoOpen: false });
      throw error;
    }) as ReturnType<Dexie['open']>;
}

const reopening = new WeakMap<Dexie, Promise<void>>();

/** Drops the handle's connection and opens a new one; calls that meet the same loss share one reopen. */
function reopen(db: Dexie): Promise<void> {
  let pending = reopening.get(db);
  if (!pending) {
    pending = (async () => {
      // Not disableAutoOpen: calls made meanwhile wait for the new connection instead of failing.
      if (db.isOpen()) db.close({ disableAutoOpen: false });
      await db.open();
    })().finally(() => reopening.delete(db));
    reopening.set(db, pending);
  }
  return pending;
}

/**
 * Runs `work`; if the connection was lost under it, reopens the database and runs it once more.
 * `work` must be safe to run twice when its first run failed: a whole transaction (an aborted one
 * committed nothing) or a single idempotent write. Inside an outer transaction it only runs once:
 * the outer one is the unit that can be run again.
 */
export async function onLiveConnection<T>(db: Dexie, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!lostConnection(error) || Dexie.currentTransaction || db.hasBeenClosed()) throw error;
    console.warn('[hydraflow] the database connection was lost; reopening it and running the work once more', error);
    // A database that cannot be opened again (the disk still full) fails with the first error.
    await reopen(db).catch(() => {
      throw error;
    });
    try {
      return await work();
    } catch (again) {
      if (!lostConnection(again) || toAppError(again).code === 'QUOTA_EXCEEDED') throw again;
      throw new CodedError('DATABASE_CONNECTION_LOST', `The database connection was lost twice in a row: ${String((again as Error).message)}`);
    }
  }
}
