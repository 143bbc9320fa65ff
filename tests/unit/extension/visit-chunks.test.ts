/**
 * The visit chunk layout (extension/visits): chunks cut at CHUNK_VISITS in time order, exact dedupe
 * on (URL key, visitedAt) whatever the order visits arrive in, counters and search journal moved in
 * the same transaction, deletes by id / URL / domain / range complete, and the `visits_migrate`
 * job moving legacy rows into chunks without losing or doubling a visit when it is cut off.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import Dexie from 'dexie';
import { DISK_HEADROOM_BYTES, LEGACY_MOVED_SETTING, createDatabase, recountAll, storeCounterKey, visitDayKey, visitDayOf, type HydraDb } from '../../../extension/db';
import { makeVisit } from '../../../extension/history';
import { createJob, finishJob, startJob } from '../../../extension/jobs';
import { CHUNK_VISITS, addVisits, clearVisits, countVisitsWhere, decodeChunk, deleteVisitsById, deleteVisitsWhere, freeMovedLegacy, legacyWork, migrateBatch, newestVisits, setVisitTitle, startVisitMigration, visitAt, visitsInRange, visitsOfUrls, type VisitDeleteCursor } from '../../../extension/visits';
import type { Visit } from '../../../shared/schemas/entities';
import { indexProblems, storedVisits } from '../../support/visits';
import { ROW_PAIRS, applyTermChanges, urlBucket } from '../../../extension/visits/terms';
import { urlKey } from '../../../shared/url';

let db: HydraDb;
let n = 0;
async function fresh(): Promise<HydraDb> {
  db = createDatabase(`hydraflow-chunks-test-${n++}`);
  await db.open();
  return db;
}
afterEach(async () => {
  db.close();
  await Dexie.delete(db.name);
});

const T0 = Date.UTC(2026, 0, 1);
const HOSTS = ['example.com', 'news.example.com', 'sample.org', 'ample.com'];
function visit(i: number, at = T0 + i * 1000): Visit {
  return makeVisit({ url: `https://${HOSTS[i % HOSTS.length]}/p/${i % 97}`, title: `Page ${i % 97}`, visitedAt: at, transition: i % 3 ? 'link' : 'typed', source: 'chrome' });
}
/** A seeded shuffle, so a failure replays. */
function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
const ids = (visits: Visit[]) => visits.map((v) => v.id).sort();

/** Counters as a recount from the rows says they should be. */
async function countersMatchRows(): Promise<void> {
  const stored = Object.fromEntries((await db.counters.toArray()).filter((c) => c.n !== 0 && (c.key === storeCounterKey('visits') || c.key.startsWith('visitsDay:'))).map((c) => [c.key, c.n]));
  const visits = await storedVisits(db);
  const expected: Record<string, number> = visits.length ? { [storeCounterKey('visits')]: visits.length } : {};
  for (const v of visits) expected[visitDayKey(visitDayOf(v.visitedAt))] = (expected[visitDayKey(visitDayOf(v.visitedAt))] ?? 0) + 1;
  expect(stored).toEqual(expected);
}

describe('visit chunks', () => {
  it('a visit repeated inside one batch is stored once, as it first came, whatever order the batch is in', async () => {
    await fresh();
    const first = makeVisit({ url: 'https://repeat.example/a', title: 'First', visitedAt: T0 + 5000, transition: 'typed', source: 'chrome' });
    const again = { ...first, title: 'Again', transition: 'link' as const };
    const batch = [visit(9), again, visit(1), first, visit(5), { ...first, title: 'Third' }].reverse();
    expect(await addVisits(db, batch)).toEqual({ added: 4, duplicates: 2 });
    const stored = (await storedVisits(db)).filter((row) => row.url === first.url);
    // Reversed, `first`'s copy titled "Third" came first.
    expect(stored.map((row) => row.title)).toEqual(['Third']);
    expect(await addVisits(db, [again])).toEqual({ added: 0, duplicates: 1 });
  });

  it('stores visits in time-ordered chunks of at most CHUNK_VISITS, each visit once, whatever order they arrive in', async () => {
    await fresh();
    const all = Array.from({ length: 3 * CHUNK_VISITS + 17 }, (_, i) => visit(i));
    // Newest half first, then the rest shuffled in small batches, then everything again.
    expect(await addVisits(db, all.slice(400))).toEqual({ added: all.length - 400, duplicates: 0 });
    const rest = shuffled(all.slice(0, 400), 7);
    for (let i = 0; i < rest.length; i += 33) await addVisits(db, rest.slice(i, i + 33));
    expect(await addVisits(db, all)).toEqual({ added: 0, duplicates: all.length });
    expect(ids(await storedVisits(db))).toEqual(ids(all));
    const chunks = await db.visitChunks.orderBy(':id').toArray();
    let previousEnd = -Infinity;
    for (const chunk of chunks) {
      expect(chunk.n).toBeLessThanOrEqual(CHUNK_VISITS);
      expect(chunk.n).toBe(chunk.at.length);
      // Key = lower bound of its times; chunks never overlap.
      expect(chunk.id).toBeLessThanOrEqual(chunk.at[0]!);
      expect(chunk.at[0]!).toBeGreaterThan(previousEnd);
      previousEnd = chunk.at[chunk.n - 1]!;
      expect([...chunk.at]).toEqual([...chunk.at].sort((a, b) => a - b));
      expect(new Set(chunk.urlKeys).size).toBe(chunk.urlKeys.length);
    }
    // The round trip keeps every field.
    const byId = new Map(all.map((v) => [v.id, v]));
    for (const stored of await storedVisits(db)) expect(stored).toEqual(byId.get(stored.id));
    await countersMatchRows();
  });

  it('keeps visits of one millisecond in one chunk, and dedupes the same URL and time from another source', async () => {
    await fresh();
    const same = Array.from({ length: CHUNK_VISITS + 10 }, (_, i) => makeVisit({ url: `https://burst.example/${i}`, title: '', visitedAt: T0, transition: 'link', source: 'live' }));
    await addVisits(db, [visit(1, T0 - 5), ...same, visit(2, T0 + 5)]);
    const holding = (await db.visitChunks.toArray()).filter((chunk) => chunk.at.includes(T0));
    expect(holding).toHaveLength(1);
    const again = makeVisit({ url: 'HTTPS://BURST.EXAMPLE/3#frag', title: 'other', visitedAt: T0, transition: 'typed', source: 'chrome' });
    expect(await addVisits(db, [again])).toEqual({ added: 0, duplicates: 1 });
    expect((await visitAt(db, same[3]!.urlKey, T0))!.source).toBe('live');
  });

  it('keeps every visit when exactly a chunk of older visits joins the first chunk (its old key then starts the second piece)', async () => {
    await fresh();
    const newer = Array.from({ length: 10 }, (_, i) => visit(i, T0 + (i + 1) * 1000));
    await addVisits(db, newer);
    const older = Array.from({ length: CHUNK_VISITS }, (_, i) => visit(i + 10, T0 - (CHUNK_VISITS - i) * 1000));
    expect(await addVisits(db, older)).toEqual({ added: CHUNK_VISITS, duplicates: 0 });
    expect(ids(await storedVisits(db))).toEqual(ids([...newer, ...older]));
    expect(await db.visitChunks.toCollection().primaryKeys()).toEqual([T0 - CHUNK_VISITS * 1000, T0 + 1000]);
    expect(await indexProblems(db)).toEqual([]);
    await countersMatchRows();
  });

  it('journals the URL keys a write touched, in the same transaction', async () => {
    await fresh();
    await addVisits(db, [visit(1), visit(2), visit(1)]);
    const rows = await db.searchJournal.toArray();
    expect(rows).toEqual([{ seq: rows[0]!.seq, kind: 'visit', keys: [...new Set([visit(1).urlKey, visit(2).urlKey])] }]);
    await addVisits(db, [visit(1)]);
    expect(await db.searchJournal.count()).toBe(1);
    await deleteVisitsById(db, [visit(2).id]);
    expect((await db.searchJournal.toArray())[1]).toMatchObject({ kind: 'visit', keys: [visit(2).urlKey] });
  });

  it('deletes by id, URL, exact domain, domain with subdomains and time range, completely and with exact counters', async () => {
    await fresh();
    const all = Array.from({ length: 2000 }, (_, i) => visit(i));
    await addVisits(db, all);
    const selection = { everything: false, urlKey: null, hostRev: null, includeSubdomains: false, from: -Infinity, to: Infinity };
    // all[5] is on news.example.com, all[6] on sample.org.
    expect(await deleteVisitsById(db, [all[5]!.id, all[6]!.id, 'missing@1'])).toBe(2);
    expect(await indexProblems(db)).toEqual([]);
    const exact = await deleteVisitsWhere(db, { ...selection, hostRev: 'com.example' }, (v) => v.hostRev === 'com.example');
    expect(exact.deleted).toBe(all.filter((v) => v.hostRev === 'com.example').length);
    let left = await storedVisits(db);
    expect(left.filter((v) => v.hostRev === 'com.example')).toEqual([]);
    expect(left.filter((v) => v.hostRev === 'com.example.news').length).toBe(499);
    // "ample.com" never selects "example.com"'s subdomains by substring.
    await deleteVisitsWhere(db, { ...selection, hostRev: 'com.ample', includeSubdomains: true }, (v) => v.hostRev === 'com.ample' || v.hostRev.startsWith('com.ample.'));
    left = await storedVisits(db);
    expect(left.filter((v) => v.hostRev.startsWith('com.ample'))).toEqual([]);
    expect(left.filter((v) => v.hostRev === 'com.example.news').length).toBe(499);
    const url = all[2]!;
    await deleteVisitsWhere(db, { ...selection, urlKey: url.urlKey }, (v) => v.urlKey === url.urlKey);
    expect((await visitsOfUrls(db, [url.urlKey])).get(url.urlKey)).toBeUndefined();
    const from = T0 + 300_000;
    const to = T0 + 900_000;
    await deleteVisitsWhere(db, { ...selection, from, to }, (v) => v.visitedAt >= from && v.visitedAt < to);
    left = await storedVisits(db);
    expect(left.filter((v) => v.visitedAt >= from && v.visitedAt < to)).toEqual([]);
    expect(left.some((v) => v.visitedAt === to + 1000)).toBe(true);
    expect(await indexProblems(db)).toEqual([]);
    // What stays is intact (a chunk cut down keeps every field of its other visits).
    const byId = new Map(all.map((v) => [v.id, v]));
    for (const v of left) expect(v).toEqual(byId.get(v.id));
    for (const chunk of await db.visitChunks.toArray()) {
      expect(chunk.urls).toHaveLength(new Set(chunk.url).size);
      expect(chunk.titles).toHaveLength(new Set(chunk.title).size);
    }
    await countersMatchRows();
  });

  it('a delete cut off at any batch resumes from the cursor it committed, each batch moving it on, while the migration runs', async () => {
    await fresh();
    const all = Array.from({ length: 8000 }, (_, i) => visit(i));
    // Half in chunks, half legacy rows the migration moves while the delete is cut off and resumed.
    await addVisits(db, all.filter((_, i) => i % 2 === 0));
    await db.visits.bulkAdd(all.filter((_, i) => i % 2 === 1));
    await db.transaction('rw', db.tables, (tx) => recountAll(tx));
    const selection = { everything: false, urlKey: null, hostRev: 'com.example', includeSubdomains: true, from: -Infinity, to: Infinity };
    const doomed = (v: { hostRev: string }) => v.hostRev === 'com.example' || v.hostRev.startsWith('com.example.');
    const committed = async () => (await db.settings.get('delete-cursor'))?.value as VisitDeleteCursor | undefined;
    const positions: string[] = [];
    let seed = 3;
    for (let run = 0; ; run++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      let saves = 0;
      // The worker dies inside a batch's transaction, after `dieAt` committed batches: that batch and its cursor roll back.
      const dieAt = run < 12 ? 1 + (seed % 2) : Infinity;
      const from = await committed();
      const outcome = await deleteVisitsWhere(db, selection, doomed, {
        ...(from ? { from } : {}),
        progress: {
          tables: [db.settings],
          save: async (cursor) => {
            if (++saves > dieAt) throw new Error('worker died');
            await db.settings.put({ key: 'delete-cursor', value: cursor, updatedAt: Date.now() });
          },
        },
      }).catch(() => null);
      const now = await committed();
      if (now) positions.push(JSON.stringify(now));
      if (outcome) {
        expect(outcome.deleted).toBe(all.filter(doomed).length);
        break;
      }
      // Every run that was cut off committed a batch first: its cursor moved.
      expect(new Set(positions).size, `run ${run}`).toBe(positions.length);
      if (run % 3 === 1) await migrateBatch(db, 300);
      await countersMatchRows();
    }
    const left = await storedVisits(db);
    expect(left.filter(doomed)).toEqual([]);
    expect(ids(left)).toEqual(ids(all.filter((v) => !doomed(v))));
    await countersMatchRows();
  });

  it('a delete whose legacy rows were all moved already moves its cursor with every step (the poison rule sees progress)', async () => {
    await fresh();
    const all = Array.from({ length: 1200 }, (_, i) => visit(i));
    await seedLegacy(all);
    await db.transaction('rw', db.tables, (tx) => recountAll(tx));
    // The migration moved every row; the legacy copies wait for the freeing.
    while ((await migrateBatch(db, 500)).moved > 0);
    const selection = { everything: false, urlKey: null, hostRev: 'com.example', includeSubdomains: true, from: -Infinity, to: Infinity };
    const doomed = (v: { hostRev: string }) => v.hostRev === 'com.example' || v.hostRev.startsWith('com.example.');
    const saved: VisitDeleteCursor[] = [];
    const outcome = await deleteVisitsWhere(db, selection, doomed, { progress: { tables: [], save: async (cursor) => void saved.push(structuredClone(cursor)) } });
    expect(outcome.deleted).toBe(all.filter(doomed).length);
    const legacySteps = saved.filter((cursor) => cursor.phase === 'legacy');
    expect(legacySteps.length).toBeGreaterThan(1);
    // No visit counted in the legacy phase (all moved), yet every committed cursor differs.
    expect(legacySteps.every((cursor) => cursor.deleted === 0)).toBe(true);
    expect(new Set(saved.map((cursor) => JSON.stringify(cursor))).size).toBe(saved.length);
    await countersMatchRows();
  });

  it('lists the newest visits first, filtered, across chunks', async () => {
    await fresh();
    const all = Array.from({ length: 1000 }, (_, i) => visit(i));
    await addVisits(db, shuffled(all, 3));
    const newest = await newestVisits(db, 200);
    expect(newest.map((v) => v.visitedAt)).toEqual(all.slice(800).map((v) => v.visitedAt).reverse());
    const sample = await newestVisits(db, 10, (v) => v.hostRev === 'org.sample');
    expect(sample.every((v) => v.hostRev === 'org.sample')).toBe(true);
    expect(sample).toHaveLength(10);
  });
});

/** Writes one-row-per-visit rows the way versions 1–4 stored them (the v5 `visits` store is that store). */
async function seedLegacy(visits: Visit[]): Promise<void> {
  await db.visits.bulkAdd(visits);
}

describe('visits_migrate', () => {
  it('moves every legacy row into chunks, with counters exact, and readers see both meanwhile', async () => {
    await fresh();
    const all = Array.from({ length: 2500 }, (_, i) => visit(i));
    await seedLegacy(all.slice(0, 2000));
    // A live visit stored in chunks before the move, and one already in both layouts.
    await addVisits(db, [all[2100]!]);
    expect(await addVisits(db, [all[10]!])).toEqual({ added: 0, duplicates: 1 });
    expect(ids(await storedVisits(db))).toEqual(ids([...all.slice(0, 2000), all[2100]!]));
    await migrateBatch(db, 700);
    // Half-way: every reader sees the union.
    expect(ids(await storedVisits(db))).toEqual(ids([...all.slice(0, 2000), all[2100]!]));
    expect((await newestVisits(db, 5)).map((v) => v.id)).toEqual([all[2100]!, ...all.slice(1996, 2000).reverse()].map((v) => v.id));
    await countersMatchRows();
    const jobId = await startVisitMigration(db);
    expect(jobId).not.toBeNull();
    expect(await db.visits.count()).toBe(0);
    expect(ids(await storedVisits(db))).toEqual(ids([...all.slice(0, 2000), all[2100]!]));
    const job = await db.jobs.get(jobId!);
    expect(job).toMatchObject({ type: 'visits_migrate', status: 'succeeded', progress: { done: 1300, total: 1300 } });
    await countersMatchRows();
    // Nothing left: no new job.
    expect(await startVisitMigration(db)).toBeNull();
  });

  it('half-way, moved rows wait in legacy for the end: readers see each visit once, as its chunk copy; deletes remove both copies and count one', async () => {
    await fresh();
    const all = Array.from({ length: 1200 }, (_, i) => visit(i));
    await seedLegacy(all);
    await db.transaction('rw', db.tables, (tx) => recountAll(tx));
    expect(await migrateBatch(db, 500)).toEqual({ moved: 500, dropped: 0 });
    // No row was deleted one by one: the moved ones stay until the move ends.
    expect(await db.visits.count()).toBe(1200);
    expect(ids(await storedVisits(db))).toEqual(ids(all));
    await db.transaction('rw', db.tables, (tx) => recountAll(tx));
    await countersMatchRows();
    // A moved visit retitled: every reader shows its chunk copy.
    await setVisitTitle(db, all[10]!.id, 'Retitled');
    expect((await visitsOfUrls(db, [all[10]!.urlKey])).get(all[10]!.urlKey)!.find((v) => v.id === all[10]!.id)!.title).toBe('Retitled');
    expect((await visitsInRange(db, all[10]!.visitedAt, all[10]!.visitedAt + 1)).map((v) => v.title)).toEqual(['Retitled']);
    expect((await storedVisits(db)).find((v) => v.id === all[10]!.id)!.title).toBe('Retitled');
    expect((await visitsOfUrls(db, [all[10]!.urlKey])).get(all[10]!.urlKey)!.length).toBe(all.filter((v) => v.urlKey === all[10]!.urlKey).length);
    const selection = { everything: false, urlKey: null, hostRev: 'com.example', includeSubdomains: false, from: -Infinity, to: Infinity };
    const onDomain = all.filter((v) => v.hostRev === 'com.example');
    expect(await countVisitsWhere(db, selection, (v) => v.hostRev === 'com.example')).toBe(onDomain.length);
    // A moved visit and a visit not moved yet, by id; then a domain across both.
    expect(await deleteVisitsById(db, [all[1]!.id, all[1101]!.id])).toBe(2);
    const deleted = await deleteVisitsWhere(db, selection, (v) => v.hostRev === 'com.example');
    expect(deleted.deleted).toBe(onDomain.length);
    const gone = new Set([all[1]!.id, all[1101]!.id, ...onDomain.map((v) => v.id)]);
    expect(ids(await storedVisits(db))).toEqual(ids(all.filter((v) => !gone.has(v.id))));
    // No copy of a deleted visit is left behind, moved or not.
    expect((await db.visits.toArray()).filter((v) => gone.has(v.id))).toEqual([]);
    await countersMatchRows();
    await startVisitMigration(db);
    expect(await db.visits.count()).toBe(0);
    expect(ids(await storedVisits(db))).toEqual(ids(all.filter((v) => !gone.has(v.id))));
    await countersMatchRows();
  });

  it('on a nearly full disk the move stops with QUOTA_EXCEEDED between steps, losing and doubling nothing; the next start moves the rest', async () => {
    await fresh();
    const all = Array.from({ length: 3000 }, (_, i) => visit(i));
    await seedLegacy(all);
    // What Chromium's StorageManager says with unlimitedStorage: quota − usage is the disk's free space.
    let estimates = 0;
    vi.stubGlobal('navigator', { storage: { estimate: () => Promise.resolve({ usage: 1e6, quota: 1e6 + (++estimates <= 2 ? 1e9 : DISK_HEADROOM_BYTES - 1) }) } });
    let jobId: string | null;
    try {
      jobId = await startVisitMigration(db);
    } finally {
      vi.unstubAllGlobals();
    }
    const job = await db.jobs.get(jobId!);
    expect(job).toMatchObject({ type: 'visits_migrate', status: 'failed', error: { code: 'QUOTA_EXCEEDED' } });
    expect(estimates).toBe(3);
    // Two steps moved, the rest waits in the old store: readers see every visit once.
    expect(await db.visits.count()).toBe(3000);
    expect(ids(await storedVisits(db))).toEqual(ids(all));
    await countersMatchRows();
    const again = await startVisitMigration(db);
    expect(await db.jobs.get(again!)).toMatchObject({ status: 'succeeded' });
    expect(await db.visits.count()).toBe(0);
    expect(ids(await storedVisits(db))).toEqual(ids(all));
    await countersMatchRows();
  });

  it('a move cut off at random points loses and doubles nothing', async () => {
    await fresh();
    const all = Array.from({ length: 3000 }, (_, i) => visit(i, T0 + Math.floor(i / 3) * 1000));
    await seedLegacy(shuffled(all, 11));
    await db.transaction('rw', db.tables, (tx) => recountAll(tx));
    const before = ids(all);
    let seed = 5;
    for (let round = 0; round < 10; round++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      // The worker dies while a batch runs: its transaction never commits.
      const dying = migrateBatch(db, 250 + (seed % 400));
      await new Promise((resolve) => setTimeout(resolve, seed % 7));
      db.close();
      await dying.catch(() => undefined);
      db = createDatabase(db.name);
      await db.open();
      expect(ids(await storedVisits(db)), `after cut ${round}`).toEqual(before);
    }
    await startVisitMigration(db);
    expect(await db.visits.count()).toBe(0);
    expect(ids(await storedVisits(db))).toEqual(before);
    for (const chunk of await db.visitChunks.toArray()) expect(decodeChunk(chunk)).toHaveLength(chunk.n);
    await countersMatchRows();
  });
});

describe('freeing the moved legacy rows', () => {
  it('the job ends once every visit is in chunks; the moved rows are freed after it in steps that a kill cuts anywhere, readers and counters unchanged', async () => {
    await fresh();
    const all = Array.from({ length: 3000 }, (_, i) => visit(i, T0 + Math.floor(i / 3) * 1000));
    await seedLegacy(shuffled(all, 13));
    await db.transaction('rw', db.tables, (tx) => recountAll(tx));
    // The move as the job runs it: every visit in chunks, the moved rows all still there.
    while ((await migrateBatch(db, 700)).moved > 0);
    expect(await legacyWork(db)).toBe('free');
    expect(await db.visits.count()).toBe(3000);
    expect(ids(await storedVisits(db))).toEqual(ids(all));
    await countersMatchRows();
    // The worker dies while freeing: each step is done or not, nothing a reader sees moves.
    let seed = 9;
    let cuts = 0;
    for (let round = 0; round < 10 && (await legacyWork(db)) === 'free'; round++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const dying = freeMovedLegacy(db);
      await new Promise((resolve) => setTimeout(resolve, seed % 12));
      db.close();
      await dying.catch(() => undefined);
      db = createDatabase(db.name);
      await db.open();
      cuts++;
      expect(ids(await storedVisits(db)), `after cut ${round}`).toEqual(ids(all));
      await countersMatchRows();
    }
    expect(cuts).toBeGreaterThan(0);
    // A worker start finishes it, without a job: the store and the position are gone.
    expect(await startVisitMigration(db)).toBeNull();
    expect(await legacyWork(db)).toBeNull();
    expect(await db.visits.count()).toBe(0);
    expect(await db.settings.get(LEGACY_MOVED_SETTING)).toBeUndefined();
    expect(await db.jobs.count()).toBe(0);
    expect(ids(await storedVisits(db))).toEqual(ids(all));
    await countersMatchRows();
  });

  it('yields to every privacy delete waiting in the jobs table (one a restarted worker is about to resume), then frees', async () => {
    await fresh();
    const all = Array.from({ length: 600 }, (_, i) => visit(i));
    await seedLegacy(all);
    while ((await migrateBatch(db, 200)).moved > 0);
    const deleting = await createJob(db, { type: 'privacy_delete', params: {} });
    await startJob(db, deleting.id);
    const freeing = freeMovedLegacy(db);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    // Not one step while the delete may run: its first step after a restart commits at once.
    expect(await db.visits.count()).toBe(600);
    await finishJob(db, deleting.id, {});
    await freeing;
    expect(await legacyWork(db)).toBeNull();
    expect(await db.visits.count()).toBe(0);
    expect(ids(await storedVisits(db))).toEqual(ids(all));
  });

  it('frees nothing while a legacy row waits to be moved: the move goes first, then the freeing', async () => {
    await fresh();
    const all = Array.from({ length: 600 }, (_, i) => visit(i));
    await seedLegacy(all.slice(0, 500));
    while ((await migrateBatch(db, 200)).moved > 0);
    // A row newer than the position (a profile never gets one; freeing by key range must not take it).
    await seedLegacy(all.slice(500));
    expect(await legacyWork(db)).toBe('move');
    await freeMovedLegacy(db);
    expect(await db.visits.count()).toBe(600);
    expect(ids(await storedVisits(db))).toEqual(ids(all));
    const jobId = await startVisitMigration(db);
    expect(jobId).not.toBeNull();
    expect(await db.jobs.get(jobId!)).toMatchObject({ status: 'succeeded', progress: { done: 100, total: 100 } });
    expect((await db.jobs.get(jobId!))!.logTail.some((line) => line.includes('freed the moved rows'))).toBe(true);
    expect(await db.visits.count()).toBe(0);
    expect(await legacyWork(db)).toBeNull();
    expect(ids(await storedVisits(db))).toEqual(ids(all));
    await countersMatchRows();
  });
});

/** Visits of distinct URLs whose keys all fall in one URL bucket, so that bucket's index rows fill, cut and start new ones. */
function crowded(count: number): Visit[] {
  const out: Visit[] = [];
  for (let i = 0; out.length < count; i++) {
    const url = `https://${HOSTS[i % HOSTS.length]}/crowded/${i}`;
    if (urlBucket(urlKey(url)) === 'u:0') out.push(makeVisit({ url, title: `Crowded ${i}`, visitedAt: T0 + out.length * 1000, transition: 'link', source: 'chrome' }));
  }
  return out;
}

describe('the chunks index rows (visitTerms)', () => {
  it('stay exact in the same transaction as every chunk write: merges in any order that cut chunks, a retitle, deletes of every kind, clear', async () => {
    await fresh();
    const all = crowded(3000);
    await addVisits(db, all.slice(1500));
    expect(await indexProblems(db)).toEqual([]);
    // Older visits in shuffled batches: chunks are cut and the first chunk takes smaller keys.
    const rest = shuffled(all.slice(0, 1500), 11);
    for (let i = 0; i < rest.length; i += 300) {
      await addVisits(db, rest.slice(i, i + 300));
      expect(await indexProblems(db), `batch ${i}`).toEqual([]);
    }
    const bucketRows = await db.visitTerms.where(':id').between(['u:0', -Infinity], ['u:0', Infinity]).toArray();
    expect(bucketRows.length).toBeGreaterThan(3);
    for (const row of bucketRows) expect(row.terms.length).toBeLessThanOrEqual(2 * ROW_PAIRS);
    await setVisitTitle(db, all[10]!.id, 'Retitled');
    expect(await indexProblems(db)).toEqual([]);

    // Queries by URL and host answer what the chunks hold.
    const selection = { everything: false, urlKey: null, hostRev: null, includeSubdomains: false, from: -Infinity, to: Infinity };
    for (const v of [all[0]!, all[1499]!, all[2999]!]) expect((await visitsOfUrls(db, [v.urlKey])).get(v.urlKey)?.map((x) => x.id)).toEqual([v.id]);
    expect(await countVisitsWhere(db, { ...selection, hostRev: 'com.example', includeSubdomains: true }, (v) => v.hostRev.startsWith('com.example'))).toBe(all.filter((v) => v.hostRev.startsWith('com.example')).length);

    const named = async (term: string) => (await db.visitTerms.toArray()).some((row) => row.terms.some((t) => t === term || t.startsWith(`${term}.`)));
    await deleteVisitsById(db, all.slice(100, 400).map((v) => v.id));
    expect(await indexProblems(db)).toEqual([]);
    await deleteVisitsWhere(db, { ...selection, urlKey: all[500]!.urlKey }, (v) => v.urlKey === all[500]!.urlKey);
    expect(await named(all[500]!.urlKey)).toBe(false);
    await deleteVisitsWhere(db, { ...selection, hostRev: 'com.ample' }, (v) => v.hostRev === 'com.ample');
    expect(await named('com.ample')).toBe(false);
    expect(await indexProblems(db)).toEqual([]);
    await deleteVisitsWhere(db, { ...selection, hostRev: 'com.example', includeSubdomains: true }, (v) => v.hostRev === 'com.example' || v.hostRev.startsWith('com.example.'));
    expect(await named('com.example')).toBe(false);
    expect(await indexProblems(db)).toEqual([]);
    await deleteVisitsWhere(db, { ...selection, from: T0 + 2_000_000, to: T0 + 2_500_000 }, (v) => v.visitedAt >= T0 + 2_000_000 && v.visitedAt < T0 + 2_500_000);
    expect(await indexProblems(db)).toEqual([]);
    expect((await storedVisits(db)).every((v) => v.hostRev === 'org.sample')).toBe(true);
    await clearVisits(db);
    expect(await db.visitTerms.count()).toBe(0);
  });

  it('a domain delete running while an import cuts its chunks leaves none of the visits it selected, and the rows exact', async () => {
    await fresh();
    const all = Array.from({ length: 4000 }, (_, i) => visit(i));
    await addVisits(db, all);
    // Visits of another site between the stored ones: every chunk grows past 256 and is cut, its
    // pieces taking new keys, while the delete walks the chunks with its cursor.
    const between = Array.from({ length: 4000 }, (_, i) => makeVisit({ url: `https://other.example/x/${i}`, title: '', visitedAt: T0 + i * 1000 + 500, transition: 'link', source: 'chrome' }));
    const doomed = (v: { hostRev: string }) => v.hostRev === 'com.example' || v.hostRev.startsWith('com.example.');
    const importing = (async () => {
      for (let i = 0; i < between.length; i += 100) await addVisits(db, shuffled(between, i).slice(0, 100));
    })();
    const deleting = deleteVisitsWhere(db, { everything: false, urlKey: null, hostRev: 'com.example', includeSubdomains: true, from: -Infinity, to: Infinity }, doomed);
    const [, outcome] = await Promise.all([importing, deleting]);
    const left = await storedVisits(db);
    expect(left.filter(doomed)).toEqual([]);
    expect(outcome.deleted).toBe(all.filter(doomed).length);
    expect(await indexProblems(db)).toEqual([]);
    await countersMatchRows();
  });

  it('an import in time order appends: evenly cut chunks after a half-full last one, which is not written again; their index rows start at each batch, exact', async () => {
    await fresh();
    const all = crowded(6000);
    const batches = [all.slice(0, 2000), all.slice(2000, 4000), all.slice(4000)];
    await addVisits(db, batches[0]!);
    const firstBatch = await db.visitChunks.toArray();
    // 2000 visits: 8 chunks of 250, not 7 of 256 and a rest of 208.
    expect(firstBatch.map((chunk) => chunk.n)).toEqual(Array(8).fill(250));
    await addVisits(db, batches[1]!);
    await addVisits(db, batches[2]!);
    const chunks = await db.visitChunks.toArray();
    expect(chunks.map((chunk) => chunk.n)).toEqual(Array(24).fill(250));
    // The first batch's chunks are as they were (the last one did not take the next batch's visits).
    expect(chunks.slice(0, 8)).toEqual(firstBatch);
    // Every URL of crowded() is in bucket u:0: each batch's 2000 pairs got rows of their own, the first keyed by the batch's first chunk.
    const starts = (await db.visitTerms.where(':id').between(['u:0', -Infinity], ['u:0', Infinity]).toArray()).map((row) => row.start);
    for (const batch of batches.slice(1)) expect(starts).toContain(batch[0]!.visitedAt);
    expect(await indexProblems(db)).toEqual([]);
    expect((await storedVisits(db)).length).toBe(6000);
    // A visit older than the last chunk's last one merges as before, and the rows stay exact.
    await addVisits(db, [makeVisit({ url: 'https://late.example/x', title: '', visitedAt: all[5999]!.visitedAt - 500, transition: 'link', source: 'chrome' })]);
    expect(await indexProblems(db)).toEqual([]);
    expect((await storedVisits(db)).length).toBe(6001);
  });

  it('cut a row that grows past twice ROW_PAIRS, give appended chunks a row of their own, drop emptied rows, and start a first row below every other', () => {
    const terms = (chunk: number, n: number) => Array.from({ length: n }, (_, i) => `k${chunk}-${i}`).sort();
    const changes = new Map(Array.from({ length: 40 }, (_, c) => [1000 + c, terms(c, 30)] as const));
    const first = applyTermChanges('u:1', [], changes);
    expect(first.gone).toEqual([]);
    expect(first.puts.map((row) => row.start)).toEqual([-Infinity, 1017, 1034]);
    for (const row of first.puts) expect(row.terms.length).toBeLessThanOrEqual(ROW_PAIRS);
    const last = first.puts[2]!;
    // 180 pairs: chunks after it join it; once it holds half of ROW_PAIRS, they start a row.
    const joined = applyTermChanges('u:1', [last], new Map([[2000, terms(2000, 100)]]));
    expect(joined.puts.map((row) => [row.start, row.chunks.length])).toEqual([[1034, 7]]);
    const started = applyTermChanges('u:1', [joined.puts[0]!], new Map([[3000, terms(3000, 10)]]));
    expect(started.puts.map((row) => [row.start, row.chunks])).toEqual([[3000, [3000]]]);
    const emptied = applyTermChanges('u:1', [started.puts[0]!], new Map([[3000, []]]));
    expect(emptied).toEqual({ puts: [], gone: [3000] });
    // A chunk below every stored row: a first row keyed -Infinity.
    const below = applyTermChanges('u:1', [first.puts[1]!], new Map([[5, terms(5, 2)]]));
    expect(below.puts.map((row) => [row.start, row.chunks])).toEqual([[-Infinity, [5]]]);
  });
});
