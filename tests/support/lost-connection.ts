/**
 * What Chromium does to IndexedDB connections when the backing store meets an IO error (a full
 * disk seen by a LevelDB write or compaction), done to a fake-indexeddb connection: every
 * transaction in flight aborts with an UnknownError, then the connection is closed with the
 * forced flag (it fires `close`, which Dexie answers by dropping its handle). fake-indexeddb has
 * the forced close (`forceCloseDatabase`) but no way to fail a transaction with the browser's own
 * error: its spec-named abort step (`_abort`) is called here, as Chromium's backend calls its own.
 */
import type Dexie from 'dexie';
import { forceCloseDatabase } from 'fake-indexeddb';

interface FakeTransaction {
  _state: string;
  _requests: { request: { readyState: string } }[];
  _abort(errorName: string | null): void;
  _start(): void;
}
interface FakeConnection {
  _rawDatabase: { transactions: FakeTransaction[] };
}

/** Aborts the connection's running transactions with UnknownError and force-closes it now. */
export function closeLikeChromiumAfterIoError(db: Dexie): void {
  const connection = db.backendDB() as unknown as IDBDatabase & FakeConnection;
  for (const transaction of connection._rawDatabase.transactions) {
    if (transaction._state !== 'finished') transaction._abort('UnknownError');
  }
  forceCloseDatabase(connection as never);
}

/**
 * Lets a test arm the loss for a handle's next transaction: when that transaction commits (its
 * LevelDB write fails, as a write under a running job meets the full disk), it aborts with
 * UnknownError and the connection closes; with `deleteDatabase`, the database is deleted then, as
 * Chromium does when its next open reads the record the full disk tore. Call before the handle
 * opens (the hook is a DBCore middleware, which Dexie takes at open). `lost` counts the losses so far.
 */
export function connectionLoss(db: Dexie): { armNext(options?: { deleteDatabase?: boolean }): void; readonly lost: number } {
  let armed = false;
  let deleting = false;
  let lost = 0;
  db.use({
    stack: 'dbcore',
    name: 'test-connection-loss',
    create(down) {
      return {
        ...down,
        transaction(stores, mode, options) {
          const transaction = down.transaction(stores, mode, options) as IDBTransaction & FakeTransaction;
          if (!armed) return transaction;
          armed = false;
          const step = transaction._start.bind(transaction);
          // fake-indexeddb runs one request per step and commits in the step that finds none left.
          transaction._start = () => {
            const committing = transaction._state !== 'finished' && transaction._requests.every(({ request }) => request.readyState === 'done');
            if (!committing) return step();
            lost++;
            closeLikeChromiumAfterIoError(db);
            // Chromium's next open found the log record the full disk tore, took it for corruption
            // and deleted the database: that open creates it again, empty.
            if (deleting) indexedDB.deleteDatabase(db.name);
            return undefined;
          };
          return transaction;
        },
      };
    },
  });
  return {
    armNext: (options = {}) => {
      armed = true;
      deleting = options.deleteDatabase ?? false;
    },
    get lost() {
      return lost;
    },
  };
}

/**
 * An IDBFactory whose `open` fails the way Chromium's does while the disk is full ("Encountered
 * full disk while opening backing store for indexedDB.open.", a QuotaExceededError) as long as
 * `full` is true; otherwise it is fake-indexeddb's. Give it to a handle as Dexie's `indexedDB`.
 */
export function diskFullOpens(): { factory: IDBFactory; full: boolean; failedOpens: number } {
  const state = { full: false, failedOpens: 0, factory: undefined as unknown as IDBFactory };
  state.factory = new Proxy(indexedDB, {
    get(target, property) {
      if (property !== 'open') return Reflect.get(target, property, target) as unknown;
      return (name: string, version?: number) => {
        if (!state.full) return target.open(name, version);
        state.failedOpens++;
        const request = { error: new DOMException('Encountered full disk while opening backing store for indexedDB.open.', 'QuotaExceededError') } as { error: DOMException; onerror?: (event: unknown) => void };
        setTimeout(() => request.onerror?.({ target: request, type: 'error', preventDefault() {}, stopPropagation() {} }));
        return request;
      };
    },
  });
  return state;
}
