/**
 * A transaction Chromium aborts because it closes the connection (an IO error of the backing
 * store, as after a full disk) runs once more on a new connection; a second loss in a row is a
 * stable code; a handle our own code closed stays closed; a reopen the full disk refused is tried
 * again at the next call once space is back. The loss and the refused opens are done to
 * fake-indexeddb the way Chromium does them (tests/support/lost-connection.ts).
 */
import Dexie from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { createDatabase, onLiveConnection, writeTransaction, type HydraDb } from '../../../extension/db';
import { toAppError } from '../../../shared/errors';
import { closeLikeChromiumAfterIoError, connectionLoss, diskFullOpens } from '../../support/lost-connection';

const names: string[] = [];
let n = 0;
async function freshDb(): Promise<HydraDb & { loss: ReturnType<typeof connectionLoss> }> {
  const name = `hydraflow-connection-${n++}`;
  names.push(name);
  const db = createDatabase(name);
  const loss = connectionLoss(db);
  await db.open();
  return Object.assign(db, { loss });
}
afterEach(async () => {
  for (const name of names.splice(0)) await Dexie.delete(name);
});

const setting = (key: string, value: number) => ({ key, value, updatedAt: 1 });

describe('a connection the browser closes under a transaction', () => {
  it('a write transaction cut off by the close runs once more on a new connection, and its rows are stored once', async () => {
    const db = await freshDb();
    let runs = 0;
    const result = await writeTransaction(db, [db.settings], async () => {
      runs++;
      await db.settings.put(setting('a', runs));
      if (runs === 1) closeLikeChromiumAfterIoError(db);
      await db.settings.put(setting('b', runs));
      return runs;
    });
    expect(result).toBe(2);
    expect(runs).toBe(2);
    expect(await db.settings.toArray()).toEqual([setting('a', 2), setting('b', 2)]);
    db.close();
  });

  it('a second loss in a row fails with DATABASE_CONNECTION_LOST, and nothing of either run is stored', async () => {
    const db = await freshDb();
    let runs = 0;
    const failure = await writeTransaction(db, [db.settings], async () => {
      runs++;
      await db.settings.put(setting('a', runs));
      closeLikeChromiumAfterIoError(db);
      await db.settings.put(setting('b', runs));
    }).catch((error: unknown) => error);
    expect(runs).toBe(2);
    expect(toAppError(failure).code).toBe('DATABASE_CONNECTION_LOST');
    // The handle works again for the next caller.
    expect(await db.settings.count()).toBe(0);
    db.close();
  });

  it('a single write met by the loss (a job row) is written once on the new connection', async () => {
    const db = await freshDb();
    db.loss.armNext();
    await onLiveConnection(db, () => db.settings.bulkPut(Array.from({ length: 2_000 }, (_, i) => setting(`k${i}`, i))));
    expect(db.loss.lost).toBe(1);
    expect(await db.settings.count()).toBe(2_000);
    db.close();
  });

  it('does not reopen a handle our own code closed', async () => {
    const db = await freshDb();
    db.close();
    const failure = await onLiveConnection(db, () => db.settings.count()).catch((error: unknown) => error);
    expect((failure as Error).name).toBe('DatabaseClosedError');
    expect(db.isOpen()).toBe(false);
  });
});

describe('a reopen the full disk refused', () => {
  it('the next call after space came back opens the database again instead of failing for good', async () => {
    const disk = diskFullOpens();
    const name = `hydraflow-connection-${n++}`;
    names.push(name);
    const db = createDatabase(name, undefined, { indexedDB: disk.factory, IDBKeyRange });
    await db.settings.put(setting('kept', 1));
    // The disk fills: Chromium closes the connection, and Dexie's automatic reopen at the next call fails.
    disk.full = true;
    closeLikeChromiumAfterIoError(db);
    for (let call = 0; call < 2; call++) expect(toAppError(await db.settings.count().catch((error: unknown) => error)).code).toBe('QUOTA_EXCEEDED');
    expect(disk.failedOpens).toBeGreaterThanOrEqual(2);
    // Space is back: a plain call (no onLiveConnection, no explicit open) works again.
    disk.full = false;
    expect(await db.settings.get('kept')).toEqual(setting('kept', 1));
    await db.settings.put(setting('after', 2));
    expect(await db.settings.count()).toBe(2);
    db.close();
  });

  it('a handle our own code closed still stays closed', async () => {
    const disk = diskFullOpens();
    const name = `hydraflow-connection-${n++}`;
    names.push(name);
    const db = createDatabase(name, undefined, { indexedDB: disk.factory, IDBKeyRange });
    await db.open();
    db.close();
    expect((await db.settings.count().catch((error: unknown) => error) as Error).name).toBe('DatabaseClosedError');
    expect(db.isOpen()).toBe(false);
  });
});
