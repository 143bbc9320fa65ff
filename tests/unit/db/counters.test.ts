/**
 * The counters must equal a direct count of every store, whatever sequence of writes Dexie's API
 * can produce: adds refused as duplicates, puts that replace, deletes of missing keys, range
 * deletes, clear, modify, parallel writes in one transaction. A seeded random sequence of all of
 * them is checked against a full recount after every step.
 */
import { afterEach, describe, expect, it } from 'vitest';
import Dexie from 'dexie';
import { COUNTED_STORES, createDatabase, recountAll, storeCounterKey, visitDayKey, visitDayOf, type HydraDb } from '../../../extension/db';
import { addVisits, makeVisit } from '../../../extension/history/visits';
import type { Thread, Visit } from '../../../shared/schemas/entities';
import { decodeChunk } from '../../../extension/visits';

const names: string[] = [];
let n = 0;
function freshDb(): HydraDb {
  const name = `hydraflow-counters-${n++}`;
  names.push(name);
  return createDatabase(name);
}
afterEach(async () => {
  for (const name of names.splice(0)) await Dexie.delete(name);
});

const DAY = 86_400_000;
const BASE = Date.UTC(2026, 10, 1);

function visit(i: number, day: number): Visit {
  return makeVisit({ url: `https://site${i % 7}.example/p${i}`, title: `P${i}`, visitedAt: BASE + day * DAY + i, transition: 'link', source: 'live' });
}
function thread(i: number): Thread {
  return { id: `t${i}`, title: `T${i}`, titleSource: 'auto', pinned: 0, archived: 0, urlKeys: [], url: null, createdAt: i, updatedAt: i };
}

/** What the counters should say, computed by reading every row. */
async function truth(db: HydraDb): Promise<Record<string, number>> {
  const expected: Record<string, number> = {};
  for (const store of COUNTED_STORES) expected[storeCounterKey(store)] = await db.table(store).count();
  // Visits: in chunks (through addVisits) and legacy rows (written here directly, some the same
  // visits as in chunks, which only a migration could leave), each counted where it is stored.
  const visits = [...(await db.visits.toArray()), ...(await db.visitChunks.toArray()).flatMap(decodeChunk)];
  expected[storeCounterKey('visits')] = visits.length;
  for (const v of visits) {
    const key = visitDayKey(visitDayOf(v.visitedAt));
    expected[key] = (expected[key] ?? 0) + 1;
  }
  return expected;
}
async function counters(db: HydraDb): Promise<Record<string, number>> {
  return Object.fromEntries((await db.counters.toArray()).filter((c) => c.n !== 0).map((c) => [c.key, c.n]));
}
const nonZero = (r: Record<string, number>) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== 0));

describe('row counters', () => {
  it('count adds, refused duplicates, replacing puts, deletes, range deletes, modify and clear exactly', async () => {
    const db = freshDb();
    await db.open();
    expect(await addVisits(db, [visit(1, 0), visit(2, 0), visit(3, 1)])).toEqual({ added: 3, duplicates: 0 });
    expect(await addVisits(db, [visit(1, 0), visit(4, 2), visit(4, 2)])).toEqual({ added: 1, duplicates: 2 });
    expect(await counters(db)).toEqual(nonZero(await truth(db)));
    expect((await counters(db))[storeCounterKey('visits')]).toBe(4);

    // A put that replaces a row moves it between days; a put of a new row adds one.
    await db.visits.put({ ...visit(1, 0), visitedAt: BASE + 5 * DAY });
    await db.visits.bulkPut([visit(9, 3), visit(9, 3)]);
    expect(await counters(db)).toEqual(nonZero(await truth(db)));

    await db.visits.bulkDelete([visit(2, 0).id, 'missing', visit(2, 0).id]);
    await db.visits.where('visitedAt').between(BASE + DAY, BASE + 2 * DAY + DAY).delete();
    await db.visits.where('visitedAt').above(BASE + 4 * DAY).modify({ visitedAt: BASE + 6 * DAY });
    expect(await counters(db)).toEqual(nonZero(await truth(db)));

    await db.threads.bulkAdd([thread(1), thread(2), thread(3)]);
    await db.threads.update('t1', { title: 'renamed' });
    await db.threads.clear();
    await db.visits.clear();
    expect(await counters(db)).toEqual(nonZero(await truth(db)));
    expect(await db.threads.count()).toBe(0);
  });

  it('keeps parallel writes in one transaction exact', async () => {
    const db = freshDb();
    await db.open();
    await db.transaction('rw', db.visits, db.threads, async () => {
      await Promise.all([db.visits.add(visit(1, 0)), db.visits.add(visit(2, 0)), db.visits.bulkAdd([visit(3, 0), visit(4, 1)]), db.threads.add(thread(1)), db.threads.put(thread(1))]);
    });
    expect(await counters(db)).toEqual(nonZero(await truth(db)));
    expect((await counters(db))[visitDayKey(visitDayOf(BASE))]).toBe(3);
  });

  it('rolls back with the transaction that failed', async () => {
    const db = freshDb();
    await db.open();
    await db.visits.add(visit(1, 0));
    await expect(
      db.transaction('rw', db.visits, async () => {
        await db.visits.add(visit(2, 0));
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await counters(db)).toEqual(nonZero(await truth(db)));
    expect((await counters(db))[storeCounterKey('visits')]).toBe(1);
  });

  it('stays equal to a recount through a seeded random sequence of writes', async () => {
    const db = freshDb();
    await db.open();
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pick = (k: number) => Math.floor(random() * k);
    for (let step = 0; step < 60; step++) {
      const op = pick(6);
      if (op === 0) await addVisits(db, Array.from({ length: pick(20) }, () => visit(pick(50), pick(4))));
      else if (op === 1) await db.visits.bulkPut(Array.from({ length: pick(10) }, () => visit(pick(50), pick(4))));
      else if (op === 2) await db.visits.bulkDelete(Array.from({ length: pick(5) }, () => visit(pick(50), pick(4)).id));
      else if (op === 3) await db.visits.where('visitedAt').below(BASE + pick(4) * DAY).delete();
      else if (op === 4) await db.threads.bulkPut(Array.from({ length: pick(5) }, () => thread(pick(8))));
      else await db.threads.where('id').anyOf(`t${pick(8)}`, `t${pick(8)}`).delete();
      expect(await counters(db), `after step ${step} (op ${op})`).toEqual(nonZero(await truth(db)));
    }
  });

  it('recountAll rebuilds counters for rows written around Dexie', async () => {
    const db = freshDb();
    await db.open();
    await addVisits(db, [visit(1, 0), visit(2, 1)]);
    // Raw IndexedDB writes bypass the middleware (the bench seeds this way).
    const raw = db.backendDB();
    await new Promise<void>((resolve, reject) => {
      const tx = raw.transaction('visits', 'readwrite');
      tx.objectStore('visits').add(visit(3, 2));
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
    });
    expect(await counters(db)).not.toEqual(nonZero(await truth(db)));
    await db.transaction('rw', db.tables, (tx) => recountAll(tx));
    expect(await counters(db)).toEqual(nonZero(await truth(db)));
  });
});
