/**
 * The index in the worker, on fake-indexeddb: the journal is written with every write (and not
 * with an aborted one), the index builds itself once, follows writes and deletes, survives a
 * "worker restart" (a new Indexer on the same database) without rebuilding, picks up journal rows
 * a crash left behind, and verify finds and repairs rows written around Dexie.
 */
import Dexie from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { createDatabase, type HydraDb } from '../../../extension/db';
import { Indexer } from '../../../extension/search';
import { setJournalListener } from '../../../extension/search/journal';
import { searchQuery } from '../../../extension/search/service';
import { makeVisit } from '../../../shared/history/visit';
import { reverseHost } from '../../../shared/host-key';
import type { Message, Page, Thread } from '../../../shared/schemas/entities';
import { searchParams } from '../../../shared/commands/search';
import { INDEX_VERSION } from '../../../shared/search/engine';
import { urlKey } from '../../../shared/url';

const NOW = Date.UTC(2026, 10, 20);
const DAY = 86_400_000;
let counter = 0;
const open: HydraDb[] = [];

function freshDb(): HydraDb {
  const db = createDatabase(`search-${++counter}-${Math.random()}`);
  open.push(db);
  return db;
}

afterEach(async () => {
  for (const db of open.splice(0)) {
    db.close();
    await Dexie.delete(db.name);
  }
});

const visit = (url: string, title: string, daysAgo: number) => makeVisit({ url, title, visitedAt: NOW - daysAgo * DAY, transition: 'link', source: 'live' });
const page = (id: string, url: string, title: string, text: string, version = 1, daysAgo = 1): Page => ({
  id,
  url,
  urlKey: urlKey(url),
  hostRev: reverseHost(new URL(url).hostname),
  title,
  byline: null,
  text,
  contentHash: String(version).padStart(64, '0'),
  version,
  capturedAt: NOW - daysAgo * DAY,
});
const thread = (id: string, title: string, url: string | null = null): Thread => ({ id, title, titleSource: 'user', pinned: 0, archived: 0, urlKeys: url ? [urlKey(url)] : [], url, createdAt: NOW - DAY, updatedAt: NOW - DAY });
const message = (id: string, threadId: string, content: string): Message => ({ id, threadId, role: 'user', content, status: 'complete', model: null, error: null, createdAt: NOW - DAY, updatedAt: NOW - DAY });

async function seed(db: HydraDb): Promise<void> {
  await db.visits.bulkPut([
    visit('https://doc.rust-lang.org/book/ch04-01-what-is-ownership.html', 'What is Ownership? - The Rust Programming Language', 3),
    visit('https://doc.rust-lang.org/book/ch04-01-what-is-ownership.html', 'What is Ownership? - The Rust Programming Language', 40),
    visit('https://en.wikipedia.org/wiki/Caf%C3%A9', 'Café — Wikipédia', 10),
    visit('https://example.org/tokio', 'Tokio runtime internals', 2),
    visit('https://example.org/old-tokio', 'Tokio runtime internals (2019)', 300),
    visit('https://news.example.com/borrow', 'Borrow checker rant', 5),
  ]);
  await db.pages.bulkPut([
    page('p1', 'https://blog.example.com/lifetimes', 'Understanding lifetimes', 'The borrow checker enforces that references never outlive the data they point to. Lifetimes are annotations.'),
    page('p2', 'https://jp.example.com/tokyo', '東京都の観光', '東京都は日本の首都です。'),
  ]);
  await db.threads.bulkPut([thread('t1', 'Rust ownership notes', 'https://doc.rust-lang.org/book/ch04-01-what-is-ownership.html'), thread('t2', 'Trip planning')]);
  await db.messages.bulkPut([message('m1', 't1', 'Why does the borrow checker reject two mutable references?'), message('m2', 't2', 'Book the hotel in Zürich near the station')]);
}

const query = (db: HydraDb, indexer: Indexer, q: string, extra: Record<string, unknown> = {}) => searchQuery(db, indexer, searchParams.parse({ q, ...extra }), null);
const keysOf = (hits: { kind: string; key: string }[]) => hits.map((h) => `${h.kind}:${h.key}`);

describe('search index in the worker', () => {
  it('records the touched documents in the same transaction as the write, and nothing for an aborted one', async () => {
    const db = freshDb();
    const v = visit('https://a.example/x', 'A', 1);
    await db.visits.put(v);
    await db.pages.put(page('p9', 'https://a.example/x', 'A', 'text'));
    await db.pages.delete('p9');
    expect(await db.searchJournal.toArray()).toEqual([
      { seq: 1, kind: 'visit', keys: [v.urlKey] },
      { seq: 2, kind: 'page', keys: [v.urlKey] },
      { seq: 3, kind: 'page', keys: [v.urlKey] },
    ]);
    await expect(
      db.transaction('rw', db.messages, async () => {
        await db.messages.put(message('mx', 't', 'never stored'));
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await db.searchJournal.count()).toBe(3);
    await db.visits.clear();
    expect((await db.searchJournal.orderBy('seq').last())?.keys).toBeNull();
  });

  it('finds the expected top results of a fixture corpus: relevance, recency, unicode, prefixes, filters', async () => {
    const db = freshDb();
    await seed(db);
    const indexer = new Indexer(db);
    const ownership = urlKey('https://doc.rust-lang.org/book/ch04-01-what-is-ownership.html');
    expect(keysOf((await query(db, indexer, 'rust owner')).hits).slice(0, 2).sort()).toEqual([`thread:t1`, `visit:${ownership}`].sort());
    const borrow = (await query(db, indexer, 'borrow checker')).hits;
    expect(keysOf(borrow).sort()).toEqual(['message:m1', 'page:' + urlKey('https://blog.example.com/lifetimes'), 'visit:' + urlKey('https://news.example.com/borrow')].sort());
    const lifetimes = borrow.find((h) => h.kind === 'page')!;
    expect(lifetimes.snippet.text).toContain('borrow checker');
    expect(lifetimes.snippet.marks.map(([s, e]) => lifetimes.snippet.text.slice(s, e).toLowerCase())).toEqual(['borrow', 'checker']);
    // Recency: the same title, the recent URL first.
    expect(keysOf((await query(db, indexer, 'tokio runtime')).hits)).toEqual([`visit:${urlKey('https://example.org/tokio')}`, `visit:${urlKey('https://example.org/old-tokio')}`]);
    // Case and accents fold both ways.
    for (const q of ['cafe', 'CAFÉ', 'wikipedia', 'zurich', 'ZÜRICH']) expect((await query(db, indexer, q)).hits.length, q).toBe(1);
    expect((await query(db, indexer, 'Café')).hits[0]!.titleMarks).toEqual([[0, 4]]);
    expect(keysOf((await query(db, indexer, '東京')).hits)).toEqual([`page:${urlKey('https://jp.example.com/tokyo')}`]);
    // Prefix of the word being typed; a finished word is exact.
    expect((await query(db, indexer, 'lifet')).hits.map((h) => h.kind)).toEqual(['page']);
    expect((await query(db, indexer, 'lifet ')).hits).toEqual([]);
    // Filters.
    expect(keysOf((await query(db, indexer, 'borrow', { kinds: ['message'] })).hits)).toEqual(['message:m1']);
    expect((await query(db, indexer, 'borrow', { domain: 'example.com' })).hits.map((h) => h.kind).sort()).toEqual(['page', 'visit']);
    expect((await query(db, indexer, 'tokio', { from: NOW - 30 * DAY })).hits).toHaveLength(1);
    await expect(query(db, indexer, '  ...  ')).rejects.toMatchObject({ code: 'SEARCH_QUERY_EMPTY' });
  });

  it('follows writes and deletes; a deleted item is never returned; a new page version replaces the old words', async () => {
    const db = freshDb();
    await seed(db);
    const indexer = new Indexer(db);
    expect((await query(db, indexer, 'zurich hotel')).hits).toHaveLength(1);
    await db.messages.put(message('m3', 't2', 'Remember the quokka sanctuary'));
    expect(keysOf((await query(db, indexer, 'quokka')).hits)).toEqual(['message:m3']);
    await db.vectors.put({ key: 'message:m2', kind: 'message', model: 'm', dims: 2, scale: 1, q: new Int8Array([1, 2]), textHash: 'h', at: NOW });
    await db.messages.delete('m2');
    expect((await query(db, indexer, 'zurich hotel')).hits).toEqual([]);
    // Its embedding went with it.
    expect(await db.vectors.get('message:m2')).toBeUndefined();
    await db.pages.put(page('p1v2', 'https://blog.example.com/lifetimes', 'Understanding lifetimes', 'Rewritten: variance and subtyping.', 2, 0));
    expect((await query(db, indexer, 'variance')).hits.map((h) => h.pageId)).toEqual(['p1v2']);
    expect((await query(db, indexer, 'borrow', { kinds: ['page'] })).hits).toEqual([]);
    // Privacy delete by range: the visits' URLs leave the index.
    await db.visits.where('visitedAt').below(NOW - 30 * DAY).delete();
    expect((await query(db, indexer, 'tokio')).hits).toHaveLength(1);
    const ownership = (await query(db, indexer, 'ownership', { kinds: ['visit'] })).hits[0]!;
    expect(ownership.visits).toBe(1);
    expect(await db.searchJournal.count()).toBe(0);
  });

  it('loads from its segments after a restart (no rebuild), and applies journal rows a crash left behind', async () => {
    const db = freshDb();
    await seed(db);
    const first = new Indexer(db);
    await query(db, first, 'rust');
    expect(await db.jobs.where('type').equals('index_rebuild').count()).toBe(1);
    // The "worker dies" right after this write: the journal row is stored, the index never saw it.
    await db.messages.put(message('m4', 't1', 'pangolin facts'));
    const second = new Indexer(db);
    expect(keysOf((await query(db, second, 'pangolin')).hits)).toEqual(['message:m4']);
    expect(await db.jobs.where('type').equals('index_rebuild').count()).toBe(1);
    const status = await second.status();
    expect(status.docs.message).toBe(3);
    expect(status.pending).toBe(0);
  });

  it('a History hit shows the URL’s newest visit, newest title and visit count, also when the index lags the rows', async () => {
    const db = freshDb();
    const url = 'https://mail.example.com/inbox';
    // A URL visited hundreds of times (the hit is hydrated from the visit at the index's time, not all of them).
    await db.visits.bulkPut(Array.from({ length: 300 }, (_, i) => visit(url, `Inbox (${i}) quokka mail`, 300 - i)));
    const indexer = new Indexer(db);
    const first = (await query(db, indexer, 'quokka')).hits;
    expect(first).toMatchObject([{ kind: 'visit', url, title: 'Inbox (299) quokka mail', visits: 300, at: NOW - DAY }]);
    // A newer visit that has no title yet: the newest title is the one before; the count follows.
    await db.visits.put(visit(url, '', 0));
    expect((await query(db, indexer, 'quokka')).hits).toMatchObject([{ title: 'Inbox (299) quokka mail', visits: 301, at: NOW }]);
    // Rows changed around Dexie (the index still names the deleted newest visits): the rows win.
    const newest = await db.visits.where('visitedAt').aboveOrEqual(NOW - DAY).primaryKeys();
    const raw = db.backendDB();
    await new Promise<void>((resolve, reject) => {
      const tx = raw.transaction(['visits'], 'readwrite');
      for (const id of newest) tx.objectStore('visits').delete(id);
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
    });
    expect((await query(db, indexer, 'quokka')).hits).toMatchObject([{ kind: 'visit', url, title: 'Inbox (298) quokka mail', visits: 299, at: NOW - 2 * DAY }]);
  });

  it('rebuilds when the stored index is unfinished; verify finds rows written around Dexie and repairs them', async () => {
    const db = freshDb();
    await seed(db);
    const indexer = new Indexer(db);
    await query(db, indexer, 'rust');
    // Rows written with raw IndexedDB never reach the journal: the index misses one and keeps a dead one.
    const raw = db.backendDB();
    await new Promise<void>((resolve, reject) => {
      const tx = raw.transaction(['messages'], 'readwrite');
      tx.objectStore('messages').put(message('m5', 't2', 'axolotl habitat'));
      tx.objectStore('messages').delete('m1');
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
    });
    expect((await query(db, indexer, 'axolotl')).hits).toEqual([]);
    const { jobId } = await indexer.startJob('index_verify', { repair: true });
    await waitJob(db, jobId);
    const job = await db.jobs.get(jobId);
    expect(job?.status).toBe('succeeded');
    expect(job?.result).toMatchObject({ missing: 1, extra: 1, stale: 0, repaired: 2 });
    expect(keysOf((await query(db, indexer, 'axolotl')).hits)).toEqual(['message:m5']);
    expect((await query(db, indexer, 'mutable references')).hits).toEqual([]);
    // A second verify finds nothing.
    const again = await indexer.startJob('index_verify', { repair: true });
    await waitJob(db, again.jobId);
    expect((await db.jobs.get(again.jobId))?.result).toMatchObject({ missing: 0, extra: 0, stale: 0, repaired: 0 });

    // An unfinished build (a crash mid-rebuild) is redone by the next worker.
    await db.settings.put({ key: 'search.index', value: { v: INDEX_VERSION, complete: false, builtAt: 0 }, updatedAt: 0 });
    const next = new Indexer(db);
    expect(keysOf((await query(db, next, 'axolotl')).hits)).toEqual(['message:m5']);
    expect(await db.jobs.where('type').equals('index_rebuild').count()).toBe(2);

    // Compact keeps every document and drops the removed ones' words.
    const compact = await next.startJob('index_compact');
    await waitJob(db, compact.jobId);
    expect((await db.jobs.get(compact.jobId))?.status).toBe('succeeded');
    const stored = (await db.searchSegments.toArray()).map((row) => row.data.terms).join(' ');
    expect(stored).not.toContain('mutable');
    expect(stored).toContain('axolotl');
  });

  it('after a big import, a search applies one chunk of the journal and answers; the rest follows in the background', async () => {
    const db = freshDb();
    await seed(db);
    const indexer = new Indexer(db, 250);
    await query(db, indexer, 'rust');
    for (let batch = 0; batch < 12; batch++) await db.visits.bulkPut(Array.from({ length: 100 }, (_, i) => visit(`https://bulk.example/${batch}/${i}`, `bulk wombat ${batch}`, 1)));
    expect(await db.searchJournal.count()).toBe(12);
    // What a search does first: one chunk (about 250 documents: two 100-URL writes, a third would pass the limit).
    expect(await indexer.drain('chunk')).toBe(true);
    expect((await indexer.ready()).count('visit')).toBe(5 + 200);
    expect((await query(db, indexer, 'wombat')).hits.length).toBeGreaterThan(0);
    const left = await db.searchJournal.count();
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThan(12);
    await expect.poll(() => db.searchJournal.count(), { timeout: 10_000 }).toBe(0);
    expect((await indexer.ready()).count('visit')).toBe(5 + 1_200);
  });

  it('leaves an import\'s writes in the journal while it runs and indexes them after', async () => {
    const db = freshDb();
    await seed(db);
    const indexer = new Indexer(db);
    indexer.attach();
    await query(db, indexer, 'rust');
    await db.jobs.add({ id: 'imp', type: 'history_import', status: 'running', createdAt: NOW, startedAt: NOW, finishedAt: null, progress: { done: 0, total: null, rate: null }, params: {}, result: null, error: null, parentId: null, relatedIds: [], cursor: null, logTail: [], origin: 'extension' });
    await db.visits.bulkPut([visit('https://import.example/a', 'imported numbat', 2)]);
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(await db.searchJournal.count()).toBe(1);
    await db.jobs.update('imp', { status: 'succeeded', finishedAt: NOW });
    await expect.poll(() => db.searchJournal.count(), { timeout: 8_000, interval: 200 }).toBe(0);
    expect((await indexer.ready()).has('visit', urlKey('https://import.example/a'))).toBe(true);
    setJournalListener(null);
  }, 15_000);

  it('refuses a second maintenance job of another type while one runs, and returns the running one of the same type', async () => {
    const db = freshDb();
    await seed(db);
    const indexer = new Indexer(db);
    await query(db, indexer, 'rust');
    const a = await indexer.startJob('index_verify');
    const b = await indexer.startJob('index_verify');
    expect(b.jobId).toBe(a.jobId);
    await expect(indexer.startJob('index_compact')).rejects.toMatchObject({ code: 'SEARCH_INDEX_BUSY' });
    await waitJob(db, a.jobId);
  });
});

async function waitJob(db: HydraDb, jobId: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const job = await db.jobs.get(jobId);
    if (job && ['succeeded', 'failed', 'cancelled'].includes(job.status)) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`job ${jobId} did not finish`);
}
