/**
 * The migration harness: every schema version is opened as it was released, filled with rows,
 * closed, and upgraded to the latest version; the rows must survive with the meaning they had.
 * A new migration adds a case here (open at N-1, seed, upgrade, check).
 */
import { afterEach, describe, expect, it } from 'vitest';
import Dexie from 'dexie';
import { Indexer } from '../../../extension/search';
import { COUNTED_STORES, createDatabase, LATEST_VERSION, migrations, STORE_NAMES, storeCounterKey, visitDayKey, visitDayOf } from '../../../extension/db';
import { makeFixtureRows } from '../../support/fixture-rows';
import { indexProblems, storedVisits } from '../../support/visits';
import { makeVisit } from '../../../shared/history/visit';
import { countVisitsWhere, deleteVisitsById, startVisitMigration, visitsOfUrls } from '../../../extension/visits';
import { compareVisits, cutChunks } from '../../../extension/visits/chunk';
import { rowsOfChunks } from '../../../extension/visits/terms';

let counter = 0;
const names: string[] = [];
function freshName(): string {
  const name = `hydraflow-migration-test-${counter++}`;
  names.push(name);
  return name;
}

afterEach(async () => {
  for (const name of names.splice(0)) await Dexie.delete(name);
});

describe('database schema', () => {
  it('numbers migrations 1..N without gaps', () => {
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1));
    expect(LATEST_VERSION).toBe(migrations.length);
  });

  it('v1 holds every entity store the product needs', async () => {
    const db = createDatabase(freshName());
    await db.open();
    expect(db.tables.map((t) => t.name).sort()).toEqual([...STORE_NAMES].sort());
    db.close();
  });

  it('never indexes large strings (titles, URLs, text, content)', () => {
    const forbidden = ['title', 'url', 'text', 'content', 'description', 'byline'];
    for (const migration of migrations) {
      for (const [store, spec] of Object.entries(migration.stores)) {
        if (!spec) continue;
        const indexed = spec.split(',').flatMap((part) => part.trim().replace(/^[&*+]+/, '').replace(/^\[|\]$/g, '').split('+'));
        for (const field of indexed) expect(forbidden, `${store}.${field} in v${migration.version}`).not.toContain(field);
      }
    }
  });

  it('upgrades a database from every released version to the latest, keeping every row', async () => {
    for (const from of migrations.map((m) => m.version)) {
      const name = freshName();
      const old = createDatabase(name, from);
      await old.open();
      const rows = makeFixtureRows();
      await old.transaction('rw', old.tables, async () => {
        for (const [store, storeRows] of Object.entries(rows)) await old.table(store).bulkAdd(storeRows);
      });
      old.close();

      const upgraded = createDatabase(name);
      await upgraded.open();
      expect(upgraded.verno).toBe(LATEST_VERSION);
      for (const [store, storeRows] of Object.entries(rows)) {
        expect(await upgraded.table(store).count(), `${store} after upgrade from v${from}`).toBe(storeRows.length);
      }
      expect(await upgraded.threads.where('urlKeys').equals(rows.threads[0]!.urlKeys[0]!).count()).toBe(1);
      expect(await upgraded.visits.where('visitedAt').above(0).count()).toBe(rows.visits.length);
      // v2 counters: whatever version the rows were written at, the counts are exact after upgrade.
      for (const store of COUNTED_STORES) expect((await upgraded.counters.get(storeCounterKey(store)))?.n, `counter of ${store} after upgrade from v${from}`).toBe((rows as Record<string, unknown[]>)[store]!.length);
      expect((await upgraded.counters.get(visitDayKey(visitDayOf(rows.visits[0]!.visitedAt))))?.n).toBe(rows.visits.length);
      // v3 search: rows from before have no index yet; the first search builds it from them.
      if (from < 3) {
        expect(await upgraded.searchSegments.count()).toBe(0);
        const indexer = new Indexer(upgraded);
        const { hits } = (await indexer.ready()).search({ q: 'short answers', limit: 5 });
        expect(hits.map((h) => `${h.kind}:${h.key}`)).toEqual(['memory:y1']);
        expect((await indexer.ready()).count()).toBe(rows.visits.length - 1 + rows.pages.length + rows.threads.length + rows.messages.length + rows.tasks.length + rows.memories.length);
      }
      upgraded.close();
    }
  });

  it('v4 removes the threads made automatically that hold nothing, and unbinds their tabs', async () => {
    const name = freshName();
    const old = createDatabase(name, 3);
    await old.open();
    const thread = (id: string, extra: object = {}) => ({ id, title: `Page ${id}`, titleSource: 'auto', pinned: 0, archived: 0, urlKeys: [`https://example.com/${id}`], url: `https://example.com/${id}`, createdAt: 1, updatedAt: 1, ...extra });
    await old.threads.bulkAdd([thread('empty1'), thread('empty2'), thread('pinned', { pinned: 1 }), thread('named', { titleSource: 'user' }), thread('noted'), thread('tasked'), thread('remembered')] as never);
    await old.messages.add({ id: 'm1', threadId: 'noted', role: 'note', content: 'a note', status: 'complete', model: null, error: null, createdAt: 2, updatedAt: 2 });
    await old.tasks.add({ id: 'k1', threadId: 'tasked', title: 'T', description: '', status: 'pending', priority: 'normal', dueAt: null, createdAt: 2, updatedAt: 2 });
    await old.memories.add({ id: 'y1', text: 'M', textHash: 'h', scope: 'thread', threadId: 'remembered', source: { kind: 'user', id: null }, strength: 1, pinned: 0, lastUsedAt: 2, createdAt: 2, updatedAt: 2 });
    await old.tabs.bulkAdd([
      { tabId: 1, windowId: 1, index: 0, url: 'https://example.com/empty1', urlKey: 'https://example.com/empty1', title: '', active: 1, open: 1, threadId: 'empty1', openedAt: 1, updatedAt: 1 },
      { tabId: 2, windowId: 1, index: 1, url: 'https://example.com/noted', urlKey: 'https://example.com/noted', title: '', active: 0, open: 1, threadId: 'noted', openedAt: 1, updatedAt: 1 },
    ]);
    await old.tabSnapshots.add({ id: 's1', tabId: 1, url: 'https://example.com/empty1', urlKey: 'https://example.com/empty1', hostRev: 'moc.elpmaxe', title: '', threadId: 'empty1', capturedAt: 1 });
    const journalBefore = await old.searchJournal.count();
    old.close();

    const upgraded = createDatabase(name);
    await upgraded.open();
    expect((await upgraded.threads.toCollection().primaryKeys()).sort()).toEqual(['named', 'noted', 'pinned', 'remembered', 'tasked']);
    expect((await upgraded.tabs.get(1))?.threadId).toBeNull();
    expect((await upgraded.tabs.get(2))?.threadId).toBe('noted');
    expect((await upgraded.tabSnapshots.get('s1'))?.threadId).toBeNull();
    expect((await upgraded.counters.get(storeCounterKey('threads')))?.n).toBe(5);
    const journal = await upgraded.searchJournal.toArray();
    expect(journal.length).toBe(journalBefore + 1);
    expect(journal.at(-1)).toMatchObject({ kind: 'thread', keys: expect.arrayContaining(['empty1', 'empty2']) as unknown });
    upgraded.close();
  });

  it('v5 adds the visit chunks; the visits of v4 stay readable, and the visits_migrate job moves them with the counters unchanged', async () => {
    const name = freshName();
    const old = createDatabase(name, 4);
    await old.open();
    const visits = Array.from({ length: 600 }, (_, i) => makeVisit({ url: `https://old${i % 9}.example/p${i % 250}`, title: `Old ${i}`, visitedAt: Date.UTC(2024, 0, 1) + i * 60_000, transition: 'link', source: 'chrome' }));
    await old.visits.bulkAdd(visits);
    const countersBefore = (await old.counters.toArray()).filter((c) => c.key === storeCounterKey('visits') || c.key.startsWith('visitsDay:'));
    old.close();

    const upgraded = createDatabase(name);
    await upgraded.open();
    expect(await upgraded.visitChunks.count()).toBe(0);
    expect((await storedVisits(upgraded)).map((v) => v.id)).toEqual(visits.map((v) => v.id).sort());
    await startVisitMigration(upgraded);
    expect(await upgraded.visits.count()).toBe(0);
    expect(await storedVisits(upgraded)).toEqual([...visits].sort((a, b) => (a.id < b.id ? -1 : 1)));
    const countersAfter = (await upgraded.counters.toArray()).filter((c) => c.key === storeCounterKey('visits') || c.key.startsWith('visitsDay:'));
    expect(countersAfter).toEqual(countersBefore);
    expect(countersAfter.find((c) => c.key === storeCounterKey('visits'))?.n).toBe(600);
    upgraded.close();
  });

  it('v6 adds empty sync stores; the upgrade records nothing to send, a later write does', async () => {
    await import('../../../extension/sync/outbox');
    const name = freshName();
    const old = createDatabase(name, 4);
    await old.open();
    const rows = makeFixtureRows();
    await old.threads.bulkAdd(rows.threads);
    await old.visits.bulkAdd(rows.visits);
    old.close();

    const upgraded = createDatabase(name);
    await upgraded.open();
    expect(await upgraded.threads.count()).toBe(1);
    expect(await upgraded.syncOutbox.count()).toBe(0);
    expect(await upgraded.syncDocs.count()).toBe(0);
    await upgraded.threads.update('t1', { title: 'Renamed' });
    await deleteVisitsById(upgraded, [rows.visits[0]!.id]);
    const sent = (await upgraded.syncOutbox.toArray()).map((row) => row.docId);
    expect(sent).toHaveLength(2);
    expect(sent).toContain('thread:t1');
    expect(sent.find((docId) => docId.startsWith('visits:'))).toMatch(/^visits:\d+:\d$/);
    expect(await upgraded.syncTombstones.get(rows.visits[0]!.id)).toBeDefined();
    upgraded.close();
  });

  it('v7 replaces the chunks\' multi-entry indexes with index rows built from the chunks of v6; queries by URL and host answer as before', async () => {
    const name = freshName();
    const old = createDatabase(name, 6);
    await old.open();
    const hosts = ['a.example', 'news.a.example', 'b.example', 'a.example.org'];
    const visits = Array.from({ length: 3000 }, (_, i) => makeVisit({ url: `https://${hosts[i % 4]}/p${i % 701}`, title: `V6 ${i}`, visitedAt: Date.UTC(2024, 0, 1) + i * 60_000, transition: 'link', source: 'chrome' })).sort(compareVisits);
    const chunks = cutChunks(visits);
    await old.visitChunks.bulkAdd(chunks);
    const sample = [visits[0]!, visits[1234]!, visits[2999]!];
    const v6ByUrl = await Promise.all(sample.map((v) => old.visitChunks.where('urlKeys').equals(v.urlKey).primaryKeys()));
    const v6ByHost = await old.visitChunks.where('hosts').equals('example.a').primaryKeys();
    const v6BySubdomain = await old.visitChunks.where('hosts').startsWith('example.a.').primaryKeys();
    old.close();

    const upgraded = createDatabase(name);
    await upgraded.open();
    expect(upgraded.visitChunks.schema.indexes).toEqual([]);
    const rows = await upgraded.visitTerms.toArray();
    expect(rows.sort((a, b) => (a.bucket < b.bucket ? -1 : a.bucket > b.bucket ? 1 : a.start - b.start))).toEqual(rowsOfChunks(chunks).sort((a, b) => (a.bucket < b.bucket ? -1 : a.bucket > b.bucket ? 1 : a.start - b.start)));
    expect(await indexProblems(upgraded)).toEqual([]);
    // The same chunks answer, and the same visits.
    for (const [i, v] of sample.entries()) {
      const found = (await visitsOfUrls(upgraded, [v.urlKey])).get(v.urlKey)!;
      expect(found.map((x) => x.id).sort()).toEqual(visits.filter((x) => x.urlKey === v.urlKey).map((x) => x.id).sort());
      expect(v6ByUrl[i]!.length).toBeGreaterThan(0);
    }
    const selection = { everything: false, urlKey: null, includeSubdomains: false, from: -Infinity, to: Infinity };
    expect(v6ByHost.length).toBeGreaterThan(0);
    expect(await countVisitsWhere(upgraded, { ...selection, hostRev: 'example.a' }, (v) => v.hostRev === 'example.a')).toBe(visits.filter((v) => v.hostRev === 'example.a').length);
    expect(await countVisitsWhere(upgraded, { ...selection, hostRev: 'example.a', includeSubdomains: true }, (v) => v.hostRev === 'example.a' || v.hostRev.startsWith('example.a.'))).toBe(
      visits.filter((v) => v.hostRev === 'example.a' || v.hostRev.startsWith('example.a.')).length,
    );
    expect(new Set(v6BySubdomain).size).toBe(chunks.length);
    upgraded.close();
  });
});
