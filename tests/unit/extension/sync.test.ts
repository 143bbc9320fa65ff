/**
 * Sync between two databases (two machines) through a real pouchdb-server: everything arrives,
 * the server holds only ciphertext, a wrong passphrase writes nothing, edits made apart converge
 * by the rules with the losing edit recorded, deletes (a domain's history, a thread) stay deleted.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import Dexie from 'dexie';
import { createDatabase, DISK_HEADROOM_BYTES, type HydraDb } from '../../../extension/db';
import '../../../extension/search/journal';
import '../../../extension/sync/outbox';
import '../../../extension/sync/wipe';
import { runSync, runWarning, syncErrorOf } from '../../../extension/sync/engine';
import { saveConfig } from '../../../extension/sync/service';
import { createKeycheck, openKeycheck } from '../../../extension/sync/crypto';
import { addVisits, makeVisit } from '../../../extension/history/visits';
import { sourceSummaryKey } from '../../../extension/history';
import { clearVisits, countVisitsWhere, deleteVisitsWhere } from '../../../extension/visits';
import { wipeAll } from '../../../extension/privacy';
import { storedVisits } from '../../support/visits';
import { setBlocklist } from '../../../extension/capture/blocklist';
import type { SyncConfig } from '../../../shared/commands/sync';
import { formatHlc, messagesDocId } from '../../../shared/sync/format';
import { reverseHost } from '../../../shared/host-key';
import type { Memory, Message, Page, Task, TaskEvent, Thread } from '../../../shared/schemas/entities';
import { urlKey } from '../../../shared/url';
import { startPouchServer, type CouchServer } from '../../support/pouchdb-server';

let server: CouchServer;
beforeAll(async () => {
  server = await startPouchServer();
}, 60_000);
afterAll(() => server.stop());

const opened: HydraDb[] = [];
let n = 0;
async function machine(): Promise<HydraDb> {
  const db = createDatabase(`hydraflow-sync-test-${n++}`);
  await db.open();
  opened.push(db);
  return db;
}
afterEach(async () => {
  for (const db of opened.splice(0)) {
    db.close();
    await Dexie.delete(db.name);
  }
});

const T0 = Date.UTC(2026, 5, 1);
const config = (database: string, passphrase = 'correct horse battery'): SyncConfig => ({ serverUrl: server.url, database, username: '', password: '', encrypt: true, passphrase, pagesMaxBytes: 1_000_000 });

function thread(i: number): Thread {
  return { id: `thread-${i}`, title: `Thread title ${i} zebrafish`, titleSource: 'user', pinned: 0, archived: 0, urlKeys: [], url: null, createdAt: T0 + i, updatedAt: T0 + i };
}
function message(i: number, threadId: string): Message {
  return { id: `message-${i}`, threadId, role: 'user', content: `Message body ${i} about quokkas`, status: 'complete', model: null, error: null, createdAt: T0 + i, updatedAt: T0 + i };
}
function task(i: number, threadId: string): Task {
  return { id: `task-${i}`, threadId, title: `Task ${i} narwhal`, description: 'do it', status: 'pending', priority: 'normal', dueAt: null, createdAt: T0 + i, updatedAt: T0 + i };
}
function taskEvent(i: number, t: Task): TaskEvent {
  return { id: `event-${i}`, taskId: t.id, threadId: t.threadId, type: 'created', seq: 0, at: T0 + i, data: {} };
}
function memory(i: number): Memory {
  return { id: `memory-${i}`, text: `Memory ${i} axolotl`, textHash: String(i).padStart(64, '0'), scope: 'global', threadId: '', source: { kind: 'user', id: null }, strength: 1, pinned: 0, lastUsedAt: T0, createdAt: T0, updatedAt: T0 };
}
const visitUrl = (i: number) => `https://${i % 3 === 0 ? 'secret.example' : 'open.example'}/page/${i}?q=pangolin${i}`;

async function seed(db: HydraDb, visits = 3000): Promise<void> {
  const threads = Array.from({ length: 20 }, (_, i) => thread(i));
  await db.threads.bulkAdd(threads);
  await db.messages.bulkAdd(Array.from({ length: 100 }, (_, i) => message(i, threads[i % 20]!.id)));
  const tasks = Array.from({ length: 10 }, (_, i) => task(i, threads[i]!.id));
  await db.tasks.bulkAdd(tasks);
  await db.taskEvents.bulkAdd(tasks.map((t, i) => taskEvent(i, t)));
  await db.memories.bulkAdd(Array.from({ length: 10 }, (_, i) => memory(i)));
  await addVisits(db, Array.from({ length: visits }, (_, i) => makeVisit({ url: visitUrl(i), title: `Visit ${i} okapi`, visitedAt: T0 + i * 600_000, transition: 'link', source: 'chrome' })));
  await setBlocklist(db, [{ domain: 'blocked.example', subdomains: true }]);
}

const SYNCED = ['threads', 'messages', 'tasks', 'taskEvents', 'memories', 'pages'] as const;
async function contents(db: HydraDb) {
  const out: Record<string, unknown[]> = {};
  for (const store of SYNCED) out[store] = await db.table(store).toArray();
  out.visits = await storedVisits(db);
  out.blocklist = [(await db.settings.get('capture.blocklist'))?.value];
  return out;
}

describe('sync through a CouchDB server', () => {
  it('carries every row from A to B, keeps only ciphertext on the server, and groups visits into chunks', async () => {
    const a = await machine();
    const b = await machine();
    await seed(a);
    const first = await runSync(a, config('first'));
    // 20 threads, their messages (one document per thread), 10 tasks, events and memories, the blocklist, the chunks.
    expect(first.pushed).toBeGreaterThan(80);
    const second = await runSync(b, config('first'));
    expect(second.visitsAdded).toBe(3000);
    expect(await contents(b)).toEqual(await contents(a));
    // The counters follow incoming rows, and the search journal lists them for the indexer.
    expect((await b.counters.get('store:visits'))?.n).toBe(3000);
    expect(await b.searchJournal.count()).toBeGreaterThan(0);
    // Nothing to do the second time: neither side sends or receives anything.
    expect(await b.syncOutbox.count()).toBe(0);
    const again = await runSync(a, config('first'));
    expect(again.pushed + again.pulled).toBe(0);

    const docs = await server.allDocs('first');
    // 3000 visits over 3 weeks: a few dozen chunk documents, not thousands; 100 messages in 20 threads: 20 documents.
    expect(docs.length).toBeLessThan(20 + 20 + 10 + 10 + 10 + 1 + 1 + 40);
    const text = JSON.stringify(docs);
    for (const needle of ['zebrafish', 'quokkas', 'narwhal', 'axolotl', 'okapi', 'pangolin', 'secret.example', 'blocked.example', 'thread-1', 'message-1']) expect(text).not.toContain(needle);
    for (const doc of docs.filter((d) => d._id !== 'hydraflow-sync')) expect(Object.keys(doc).sort()).toEqual(['_id', '_rev', 'ct', 'iv', 'v']);
  });

  it('refuses a wrong passphrase on the second machine with a clear error and writes nothing', async () => {
    const a = await machine();
    const b = await machine();
    await seed(a, 100);
    await runSync(a, config('wrongpass'));
    await b.memories.add(memory(99));
    const before = await contents(b);
    const outboxBefore = await b.syncOutbox.count();
    await expect(runSync(b, config('wrongpass', 'not the passphrase'))).rejects.toMatchObject({ code: 'SYNC_WRONG_PASSPHRASE' });
    expect(await contents(b)).toEqual(before);
    expect(await b.syncOutbox.count()).toBe(outboxBefore);
    expect(await b.settings.get('sync.checkpoint')).toBeUndefined();
    expect((await server.allDocs('wrongpass')).some((doc) => JSON.stringify(doc).includes('memory-99'))).toBe(false);
  });

  it('converges after both machines edit apart: the later edit wins, the other is recorded in the task log and the thread', async () => {
    const a = await machine();
    const b = await machine();
    await seed(a, 50);
    await runSync(a, config('apart'));
    await runSync(b, config('apart'));
    // Apart: A edits first, B later (the clock orders them); each also adds rows of its own.
    await a.threads.update('thread-1', { title: 'Title from A' });
    await a.tasks.update('task-1', { title: 'Task from A', status: 'completed' });
    await a.messages.add(message(500, 'thread-2'));
    await new Promise((resolve) => setTimeout(resolve, 5));
    await b.threads.update('thread-1', { title: 'Title from B' });
    await b.tasks.update('task-1', { title: 'Task from B' });
    await b.memories.add(memory(600));
    await runSync(a, config('apart'));
    const bReport = await runSync(b, config('apart'));
    expect(bReport.conflicts).toBeGreaterThanOrEqual(2);
    await runSync(a, config('apart'));
    await runSync(b, config('apart'));
    expect(await contents(a)).toEqual(await contents(b));
    expect((await a.threads.get('thread-1'))?.title).toBe('Title from B');
    expect((await a.tasks.get('task-1'))?.title).toBe('Task from B');
    const log = await a.taskEvents.where('taskId').equals('task-1').toArray();
    expect(log.some((event) => event.data.syncConflict === 'lost' && (event.data.lost as { title: string }).title === 'Task from A')).toBe(true);
    const notes = await a.messages.where('[threadId+createdAt]').between(['thread-1', -Infinity], ['thread-1', Infinity]).filter((m) => m.role === 'note').toArray();
    expect(notes.map((m) => m.content).join()).toContain('Title from A');
    expect(await a.messages.get('message-500')).toBeDefined();
    expect(await a.memories.get('memory-600')).toBeDefined();
    // No conflict revisions are left on the server.
    const raw = (await (await fetch(`${server.url}/apart/_all_docs?include_docs=true&conflicts=true`)).json()) as { rows: { doc: { _conflicts?: string[] } }[] };
    expect(raw.rows.filter((row) => row.doc._conflicts?.length)).toEqual([]);
  });

  it('deletes propagate and stay deleted: a domain removed on B is gone from A, and A does not bring it back', async () => {
    const a = await machine();
    const b = await machine();
    await seed(a, 300);
    await runSync(a, config('deletes'));
    await runSync(b, config('deletes'));
    // B removes a domain's history (as a privacy delete does) and a thread.
    const secret = { everything: false, urlKey: null, hostRev: reverseHost('secret.example'), includeSubdomains: false, from: -Infinity, to: Infinity };
    const secretVisits = (db: HydraDb) => countVisitsWhere(db, secret, () => true);
    expect(await secretVisits(b)).toBeGreaterThan(0);
    await deleteVisitsWhere(b, secret, () => true);
    await b.threads.delete('thread-3');
    // Meanwhile A adds a visit on another domain to one of the same chunks.
    await addVisits(a, [makeVisit({ url: 'https://open.example/new', title: 'New', visitedAt: T0 + 5, transition: 'link', source: 'live' })]);
    const removed = await b.syncTombstones.count();
    expect(removed).toBeGreaterThan(0);
    await runSync(b, config('deletes'));
    // Once sent, nothing waits in B's outbox; the visit tombstones stay (docs/privacy.md, "Sync and deletes").
    expect(await b.syncOutbox.count()).toBe(0);
    expect(await b.syncTombstones.count()).toBe(removed);
    await runSync(a, config('deletes'));
    expect(await secretVisits(a)).toBe(0);
    expect(await a.threads.get('thread-3')).toBeUndefined();
    await runSync(b, config('deletes'));
    await runSync(a, config('deletes'));
    expect(await secretVisits(b)).toBe(0);
    const added = makeVisit({ url: 'https://open.example/new', title: '', visitedAt: T0 + 5, transition: 'link', source: 'live' }).id;
    expect((await storedVisits(b)).map((visit) => visit.id)).toContain(added);
    expect(await contents(a)).toEqual(await contents(b));
  });
});

describe("a thread's messages, one document per thread and week", () => {
  it('merges messages added, edited and deleted apart in one thread, and a deleted thread takes its messages everywhere', async () => {
    const a = await machine();
    const b = await machine();
    await seed(a, 50);
    await runSync(a, config('threads'));
    await runSync(b, config('threads'));
    // thread-4 holds message-4, -24, -44, -64, -84; thread-5 message-5, -25, ….
    await a.messages.add(message(700, 'thread-4'));
    await a.messages.delete('message-4');
    await a.transaction('rw', a.threads, a.messages, async () => {
      await a.messages.where('[threadId+createdAt]').between(['thread-5', -Infinity], ['thread-5', Infinity]).delete();
      await a.threads.delete('thread-5');
    });
    await b.messages.add(message(701, 'thread-4'));
    await b.messages.update('message-24', { content: 'Edited on B', updatedAt: T0 + 10_000 });
    await runSync(a, config('threads'));
    await runSync(b, config('threads'));
    await runSync(a, config('threads'));
    for (const db of [a, b]) {
      const thread4 = (await db.messages.where('[threadId+createdAt]').between(['thread-4', -Infinity], ['thread-4', Infinity]).toArray()).map((m) => m.id).sort();
      expect(thread4).toEqual(['message-24', 'message-44', 'message-64', 'message-700', 'message-701', 'message-84']);
      expect((await db.messages.get('message-24'))?.content).toBe('Edited on B');
      expect(await db.messages.where('[threadId+createdAt]').between(['thread-5', -Infinity], ['thread-5', Infinity]).count()).toBe(0);
      expect(await db.syncOutbox.count()).toBe(0);
    }
    expect(await contents(a)).toEqual(await contents(b));
    // A third machine gets the same, and nothing deleted comes back.
    const c = await machine();
    await runSync(c, config('threads'));
    expect(await contents(c)).toEqual(await contents(a));
  });

  it('sends again only the week of a thread that changed, and a message edited later replaces the older version', async () => {
    const a = await machine();
    const b = await machine();
    const WEEK = 7 * 86_400_000;
    await a.threads.add(thread(1));
    // Three weeks of one thread: three documents.
    await a.messages.bulkAdd([0, 1, 2].map((w) => ({ ...message(w, 'thread-1'), createdAt: T0 + w * WEEK, updatedAt: T0 + w * WEEK })));
    expect((await runSync(a, config('weeks'))).pushed).toBe(1 + 3);
    await runSync(b, config('weeks'));
    await a.messages.add({ ...message(3, 'thread-1'), createdAt: T0 + 2 * WEEK + 1, updatedAt: T0 + 2 * WEEK + 1 });
    await a.messages.update('message-2', { content: 'Edited later on A', updatedAt: T0 + 3 * WEEK });
    expect((await runSync(a, config('weeks'))).pushed).toBe(1);
    const report = await runSync(b, config('weeks'));
    expect(report.pulled).toBe(1);
    expect((await b.messages.get('message-2'))?.content).toBe('Edited later on A');
    expect(await contents(b)).toEqual(await contents(a));
  });

  it('merges a conflict revision of a messages document: both sides\' messages, the later version of one, the deletions of both', async () => {
    const a = await machine();
    await seed(a, 10);
    await runSync(a, config('message-conflicts'));
    // Another client leaves a second branch of thread-3's messages: a message of its own, a later
    // version of message-3, and message-23 deleted.
    const keycheck = (await (await fetch(`${server.url}/message-conflicts/hydraflow-sync`)).json()) as never;
    const codec = await openKeycheck(keycheck, 'correct horse battery');
    const docId = messagesDocId('thread-3', T0);
    const serverId = await codec.serverId(docId);
    const rows = [{ ...message(3, 'thread-3'), content: 'Later elsewhere', updatedAt: T0 + 50_000 }, message(43, 'thread-3'), message(63, 'thread-3'), message(83, 'thread-3'), { ...message(900, 'thread-3'), createdAt: T0 + 900 }];
    const branch = { _id: serverId, _rev: `2-${'e'.repeat(32)}`, ...(await codec.seal(serverId, { kind: 'messages', id: docId, hlc: formatHlc(Date.now(), 0, 'other'), rows, deleted: ['message-23'] })) };
    const put = await fetch(`${server.url}/message-conflicts/_bulk_docs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ new_edits: false, docs: [branch] }) });
    expect(put.ok).toBe(true);
    // Meanwhile A deleted message-43 (its tombstone travels in A's version).
    await a.messages.delete('message-43');
    await runSync(a, config('message-conflicts'));
    await runSync(a, config('message-conflicts'));
    const after = (await (await fetch(`${server.url}/message-conflicts/${serverId}?conflicts=true`)).json()) as { _conflicts?: string[] };
    expect(after._conflicts ?? []).toEqual([]);
    const here = (await a.messages.where('[threadId+createdAt]').between(['thread-3', -Infinity], ['thread-3', Infinity]).toArray()).map((m) => m.id).sort();
    expect(here).toEqual(['message-3', 'message-63', 'message-83', 'message-900']);
    expect((await a.messages.get('message-3'))?.content).toBe('Later elsewhere');
    const b = await machine();
    await runSync(b, config('message-conflicts'));
    expect(await contents(b)).toEqual(await contents(a));
  });

  it('refuses a database of the old format (one document per message) with SYNC_OLD_FORMAT and writes nothing', async () => {
    await fetch(`${server.url}/oldformat`, { method: 'PUT' });
    await fetch(`${server.url}/oldformat/hydraflow-sync`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ format: 'hydraflow-sync', v: 1, encrypted: false, kdf: null, check: null }) });
    const b = await machine();
    await seed(b, 10);
    const before = await contents(b);
    await expect(runSync(b, { ...config('oldformat'), encrypt: false, passphrase: '' })).rejects.toMatchObject({ code: 'SYNC_OLD_FORMAT' });
    expect(await contents(b)).toEqual(before);
    expect(await b.settings.get('sync.checkpoint')).toBeUndefined();
    expect((await server.allDocs('oldformat')).length).toBe(1);
  });
});

describe('sync off and on again', () => {
  it('off: nothing of sync is kept and nothing recorded; on again with the same database: what was written meanwhile arrives', async () => {
    const a = await machine();
    const b = await machine();
    await seed(a, 300);
    expect(await saveConfig(a, config('again'))).not.toBeNull();
    await runSync(a, config('again'));
    await runSync(b, config('again'));
    expect(await saveConfig(a, null)).toBeNull();
    for (const store of ['syncOutbox', 'syncDocs', 'syncTombstones'] as const) expect(await a.table(store).count(), store).toBe(0);
    expect(await a.settings.get('sync.checkpoint')).toBeUndefined();
    // Written while sync is off: a thread, a visit, an edit.
    await a.threads.add({ ...thread(900), title: 'Made while sync was off' });
    await addVisits(a, [makeVisit({ url: 'https://off.example/a', title: 'Visited while off', visitedAt: T0 + 42, transition: 'link', source: 'live' })]);
    await a.tasks.update('task-1', { title: 'Edited while off', updatedAt: T0 + 99 });
    for (const store of ['syncOutbox', 'syncTombstones'] as const) expect(await a.table(store).count(), store).toBe(0);
    await saveConfig(a, config('again'));
    await runSync(a, config('again'));
    await runSync(b, config('again'));
    expect((await b.threads.get('thread-900'))?.title).toBe('Made while sync was off');
    expect((await b.tasks.get('task-1'))?.title).toBe('Edited while off');
    expect((await storedVisits(b)).map((visit) => visit.title)).toContain('Visited while off');
    expect(await contents(a)).toEqual(await contents(b));
  });
});

describe('a wipe and "delete all history" reach every machine', () => {
  /** Sync settings saved in the profile, as Settings → Sync does (the wipe keeps them). */
  const configure = (db: HydraDb, c: SyncConfig) => db.settings.put({ key: 'sync.config', value: c, updatedAt: Date.now() });
  const blocklistOf = (db: HydraDb) => db.settings.get('capture.blocklist').then((row) => (row?.value as unknown[] | undefined) ?? []);
  async function everything(db: HydraDb) {
    const out = await contents(db);
    out.blocklist = [await blocklistOf(db)];
    return out;
  }
  /** The documents the server still holds (not deleted), opened with the passphrase. */
  async function serverBodies(database: string): Promise<string> {
    const docs = await server.allDocs(database);
    const keycheck = docs.find((doc) => doc._id === 'hydraflow-sync');
    const codec = await openKeycheck(keycheck as never, 'correct horse battery');
    const bodies = await Promise.all(docs.filter((doc) => doc !== keycheck).map((doc) => codec.open(doc as never)));
    return JSON.stringify(bodies);
  }

  it('delete all history on A: every machine loses the visits up to then, keeps later ones, and never brings the old back', async () => {
    const a = await machine();
    const b = await machine();
    await seed(a, 300);
    await runSync(a, config('clear'));
    await runSync(b, config('clear'));
    expect((await storedVisits(b)).length).toBe(300);
    // B, apart, records one visit from before the clear (an import) and adds a thread.
    await addVisits(b, [makeVisit({ url: 'https://old.example/before', title: 'Old pangolin', visitedAt: T0 + 7, transition: 'link', source: 'chrome' })]);
    await clearVisits(a);
    await new Promise((resolve) => setTimeout(resolve, 5));
    // After the clear: B browses on, and A too.
    const later = Date.now() + 1000;
    await addVisits(b, [makeVisit({ url: 'https://new.example/b', title: 'After on B', visitedAt: later, transition: 'link', source: 'live' })]);
    await addVisits(a, [makeVisit({ url: 'https://new.example/a', title: 'After on A', visitedAt: later + 1, transition: 'link', source: 'live' })]);
    // B had imported a profile: what it recorded of it goes with the clear, as a local one does.
    await b.settings.put({ key: sourceSummaryKey('chrome:Default'), value: { blocks: [] }, updatedAt: Date.now() });
    await runSync(a, config('clear'));
    const bReport = await runSync(b, config('clear'));
    expect(await b.settings.get(sourceSummaryKey('chrome:Default'))).toBeUndefined();
    expect(bReport.visitsRemoved).toBeGreaterThanOrEqual(300);
    await runSync(a, config('clear'));
    for (const db of [a, b]) expect((await storedVisits(db)).map((visit) => visit.title).sort()).toEqual(['After on A', 'After on B']);
    // Rows other than visits are untouched.
    expect((await contents(b)).threads).toHaveLength(20);
    // A third machine joining later receives only what came after.
    const c = await machine();
    await runSync(c, config('clear'));
    expect((await storedVisits(c)).map((visit) => visit.title).sort()).toEqual(['After on A', 'After on B']);
    expect(await contents(c)).toEqual(await contents(a));
    // The server holds none of the cleared visits, not even as deleted ids.
    const held = await serverBodies('clear');
    for (const needle of ['pangolin', 'old.example']) expect(held).not.toContain(needle);
  });

  it('a wipe on A: B loses everything from before it, keeps what it made after, and the server keeps nothing old', async () => {
    const a = await machine();
    const b = await machine();
    await seed(a, 200);
    await configure(a, config('wipe'));
    await runSync(a, config('wipe'));
    await runSync(b, config('wipe'));
    // B, apart, makes a memory before the wipe.
    await b.memories.add({ ...memory(700), text: 'Made on B before the wipe' });
    await new Promise((resolve) => setTimeout(resolve, 5));
    await wipeAll(a, null, 'WIPE', false);
    expect(await a.settings.get('sync.config')).toBeDefined();
    await new Promise((resolve) => setTimeout(resolve, 5));
    // After the wipe: B (not synced yet) writes a memory, a thread with a message and a visit; A a thread.
    await b.memories.add({ ...memory(701), text: 'Made on B after the wipe' });
    await b.threads.add({ ...thread(800), title: 'B after the wipe' });
    await b.messages.add({ ...message(800, 'thread-800'), content: 'Written on B after the wipe' });
    await addVisits(b, [makeVisit({ url: 'https://new.example/b', title: 'After on B', visitedAt: Date.now() + 1000, transition: 'link', source: 'live' })]);
    await a.threads.add({ ...thread(900), title: 'A after the wipe' });
    await runSync(a, config('wipe'));
    const bReport = await runSync(b, config('wipe'));
    // A's deletions removed what A knew; the line removed the one row A never saw (B's memory from before).
    expect(bReport.rowsRemoved).toBe(1);
    await runSync(a, config('wipe'));
    await runSync(b, config('wipe'));
    const expected = {
      threads: ['A after the wipe', 'B after the wipe'],
      memories: ['Made on B after the wipe'],
      messages: ['message-800'],
      visits: ['After on B'],
    };
    for (const db of [a, b]) {
      expect((await db.threads.toArray()).map((row) => row.title).sort()).toEqual(expected.threads);
      expect((await db.memories.toArray()).map((row) => row.text)).toEqual(expected.memories);
      expect((await db.messages.toArray()).map((row) => row.id)).toEqual(expected.messages);
      expect(await db.tasks.count()).toBe(0);
      expect(await db.taskEvents.count()).toBe(0);
      expect((await storedVisits(db)).map((visit) => visit.title)).toEqual(expected.visits);
      expect(await blocklistOf(db)).toEqual([]);
    }
    expect(await everything(b)).toEqual(await everything(a));
    // A machine joining later gets the same, and the server holds none of the old rows.
    const c = await machine();
    await runSync(c, config('wipe'));
    expect(await everything(c)).toEqual(await everything(a));
    const held = await serverBodies('wipe');
    for (const needle of ['zebrafish', 'quokkas', 'narwhal', 'axolotl', 'okapi', 'pangolin', 'before the wipe', 'blocked.example']) expect(held).not.toContain(needle);
  });

  it('the later of two lines wins, and a version from before the line is refused', async () => {
    const a = await machine();
    const b = await machine();
    await configure(a, config('lines'));
    await configure(b, config('lines'));
    await a.memories.add({ ...memory(1), text: 'first' });
    await runSync(a, config('lines'));
    await runSync(b, config('lines'));
    // Both wipe apart (A first, B later); B's line is later, so A's memory made between the two goes.
    await wipeAll(a, null, 'WIPE', false);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await a.memories.add({ ...memory(2), text: 'between the wipes' });
    await new Promise((resolve) => setTimeout(resolve, 5));
    await wipeAll(b, null, 'WIPE', false);
    await runSync(a, config('lines'));
    await runSync(b, config('lines'));
    await runSync(a, config('lines'));
    expect(await a.memories.count()).toBe(0);
    expect(await b.memories.count()).toBe(0);
  });
});

describe('memories', () => {
  it('the same memory made on two machines becomes one, the same everywhere, pinned if either was', async () => {
    const a = await machine();
    const b = await machine();
    const same = { text: 'Prefers dark roast', textHash: 'f'.repeat(64) };
    await a.memories.add({ ...memory(1), ...same, id: 'memory-b-made-on-a', pinned: 1 });
    await b.memories.add({ ...memory(2), ...same, id: 'memory-a-made-on-b' });
    await b.memories.add({ ...memory(3), id: 'memory-only-b' });
    for (const db of [a, b, a, b]) await runSync(db, config('memories'));
    for (const db of [a, b]) {
      const rows = await db.memories.orderBy('id').toArray();
      expect(rows.map((row) => [row.id, row.pinned])).toEqual([['memory-a-made-on-b', 1], ['memory-only-b', 0]]);
    }
    expect(await contents(a)).toEqual(await contents(b));
  });
});

describe('server documents are written by an attacker', () => {
  it('skips and counts a document that does not open, is not HydraFlow\'s or was moved to another id; the rest of the run goes on', async () => {
    const a = await machine();
    const b = await machine();
    await seed(a, 100);
    await runSync(a, config('hostile'));
    const docs = await server.allDocs('hostile');
    const sealed = docs.find((doc) => doc._id !== 'hydraflow-sync')!;
    const put = (doc: Record<string, unknown>) => fetch(`${server.url}/hostile/${encodeURIComponent(String(doc._id))}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(doc) });
    // Random bytes, a document of another program, and a real ciphertext copied under another id.
    expect((await put({ _id: 'dAAAAAAAAAAAAAAAAAAAAAA', v: 1, iv: 'AAAAAAAAAAAAAAAA', ct: 'bm90IGEgY2lwaGVydGV4dA==' })).ok).toBe(true);
    expect((await put({ _id: 'someone-elses', title: 'hello' })).ok).toBe(true);
    expect((await put({ _id: 'dBBBBBBBBBBBBBBBBBBBBBB', v: 1, iv: sealed.iv, ct: sealed.ct })).ok).toBe(true);
    const report = await runSync(b, config('hostile'));
    expect(report.unreadable).toBe(3);
    expect(await contents(b)).toEqual(await contents(a));
    expect(runWarning(report)).toMatchObject({ code: 'SYNC_DOC_UNREADABLE', message: expect.stringContaining('3 documents') });
    // The next run has nothing new to skip.
    expect((await runSync(b, config('hostile'))).unreadable).toBe(0);
  });
});

describe('sync errors in the user\'s words', () => {
  it('reports an unreachable server and refused credentials with their codes, writing nothing', async () => {
    const a = await machine();
    await a.memories.add(memory(1));
    const closed = await (async () => {
      const { createServer } = await import('node:net');
      const probe = createServer();
      await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
      const { port } = probe.address() as { port: number };
      await new Promise((resolve) => probe.close(resolve));
      return `http://127.0.0.1:${port}`;
    })();
    await expect(runSync(a, { ...config('x'), serverUrl: closed })).rejects.toMatchObject({ code: 'SYNC_UNREACHABLE' });

    // A server with an admin (no more "admin party"): a wrong password is refused, the right one works.
    const guarded = await startPouchServer();
    try {
      const admin = await fetch(`${guarded.url}/_config/admins/owner`, { method: 'PUT', body: JSON.stringify('owner-password') });
      expect(admin.ok).toBe(true);
      const wrong = { ...config('guarded'), serverUrl: guarded.url, username: 'owner', password: 'not-it' };
      await expect(runSync(a, wrong)).rejects.toMatchObject({ code: 'SYNC_UNAUTHORIZED' });
      expect(await a.settings.get('sync.checkpoint')).toBeUndefined();
      const report = await runSync(a, { ...wrong, password: 'owner-password' });
      expect(report.pushed).toBe(1);
    } finally {
      await guarded.stop();
    }
  });
});

describe('saved pages', () => {
  it('sync up to the size the user set; a larger page stays on its machine', async () => {
    const a = await machine();
    const b = await machine();
    const page = (id: string, text: string): Page => ({ id, url: `https://pages.example/${id}`, urlKey: urlKey(`https://pages.example/${id}`), hostRev: reverseHost('pages.example'), title: `Page ${id}`, byline: null, text, contentHash: id.padStart(64, '0'), version: 1, capturedAt: T0 });
    await a.pages.bulkAdd([page('1', 'small text of a saved page'), page('2', 'x'.repeat(5000))]);
    const capped = { ...config('pages'), pagesMaxBytes: 1000 };
    await runSync(a, capped);
    await runSync(b, capped);
    expect((await b.pages.toArray()).map((p) => p.id)).toEqual(['1']);
    expect(await b.pages.get('1')).toEqual(await a.pages.get('1'));
    expect(JSON.stringify(await server.allDocs('pages'))).not.toContain('small text');
  });

  it('sends a push of more text than one batch holds (16 MB) in several batches, none left behind', async () => {
    const a = await machine();
    const b = await machine();
    const page = (id: string): Page => ({ id, url: `https://pages.example/${id}`, urlKey: urlKey(`https://pages.example/${id}`), hostRev: reverseHost('pages.example'), title: `Page ${id}`, byline: null, text: `${id} `.repeat(400_000), contentHash: id.padStart(64, '0'), version: 1, capturedAt: T0 });
    // 20 pages of 1.2 MB (deflated to almost nothing): the first batch stops after 16 MB.
    await a.pages.bulkAdd(Array.from({ length: 20 }, (_, i) => page(String(i).padStart(2, '0'))));
    const big = { ...config('big-batches'), pagesMaxBytes: 2_000_000 };
    expect((await runSync(a, big)).pushed).toBe(20);
    expect(await a.syncOutbox.count()).toBe(0);
    await runSync(b, big);
    expect((await b.pages.toArray()).map((p) => p.id)).toEqual((await a.pages.toArray()).map((p) => p.id));
  });
});

describe('a cancelled sync', () => {
  it('stops with CANCELLED and the next run finishes the work', async () => {
    const a = await machine();
    const b = await machine();
    await seed(a, 2000);
    const controller = new AbortController();
    const run = runSync(a, config('cancel'), { signal: controller.signal, onProgress: () => controller.abort() });
    const error = await run.then(() => null, (thrown: unknown) => thrown);
    expect(syncErrorOf(error)).toMatchObject({ code: 'CANCELLED' });
    await runSync(a, config('cancel'));
    expect(await a.syncOutbox.count()).toBe(0);
    await runSync(b, config('cancel'));
    expect(await contents(b)).toEqual(await contents(a));
  });
});

describe('a pull on a nearly full disk', () => {
  it('stops with QUOTA_EXCEEDED before writing what the server holds; once space is back the next run brings everything', async () => {
    const a = await machine();
    const b = await machine();
    await seed(a, 2000);
    await runSync(a, config('full-disk'));
    // What Chromium's StorageManager says with unlimitedStorage: quota − usage is the disk's free space.
    vi.stubGlobal('navigator', { storage: { estimate: () => Promise.resolve({ usage: 1e6, quota: 1e6 + DISK_HEADROOM_BYTES - 1 }) } });
    try {
      const error = await runSync(b, config('full-disk')).then(() => null, (thrown: unknown) => thrown);
      expect(syncErrorOf(error)).toMatchObject({ code: 'QUOTA_EXCEEDED' });
    } finally {
      vi.unstubAllGlobals();
    }
    expect(await storedVisits(b)).toHaveLength(0);
    expect(await b.threads.count()).toBe(0);
    await runSync(b, config('full-disk'));
    expect(await contents(b)).toEqual(await contents(a));
  });
});

describe('conflict revisions on the server', () => {
  it('resolves a document with _conflicts by the clock, deletes the losing revision, and applies the winner', async () => {
    const a = await machine();
    await seed(a, 10);
    await runSync(a, config('conflicts'));
    // Another client (a server-to-server replication, say) leaves a second branch of thread-2 with a later edit.
    const keycheck = (await (await fetch(`${server.url}/conflicts/hydraflow-sync`)).json()) as never;
    const codec = await openKeycheck(keycheck, 'correct horse battery');
    const serverId = await codec.serverId('thread:thread-2');
    const current = (await (await fetch(`${server.url}/conflicts/${serverId}`)).json()) as { _rev: string };
    const later = { kind: 'thread', id: 'thread:thread-2', hlc: formatHlc(Date.now() + 60_000, 0, 'other'), row: { ...thread(2), title: 'Edited elsewhere' } };
    const branch = { _id: serverId, _rev: `2-${'f'.repeat(32)}`, ...(await codec.seal(serverId, later)) };
    const put = await fetch(`${server.url}/conflicts/_bulk_docs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ new_edits: false, docs: [branch] }) });
    expect(put.ok).toBe(true);
    const before = (await (await fetch(`${server.url}/conflicts/${serverId}?conflicts=true`)).json()) as { _conflicts?: string[] };
    expect(before._conflicts?.length).toBe(1);
    expect(current._rev).toBeTruthy();

    const report = await runSync(a, config('conflicts'));
    expect(report.conflicts).toBeGreaterThanOrEqual(1);
    const after = (await (await fetch(`${server.url}/conflicts/${serverId}?conflicts=true`)).json()) as { _conflicts?: string[] };
    expect(after._conflicts ?? []).toEqual([]);
    expect((await a.threads.get('thread-2'))?.title).toBe('Edited elsewhere');
    expect((await codec.open(after as never)) as { hlc: string }).toMatchObject({ hlc: later.hlc });
  });
});

describe('sync encryption', () => {
  it('opens what it sealed, refuses another passphrase, and binds a ciphertext to its document id', async () => {
    const { doc, codec } = await createKeycheck('a long passphrase', 100_000);
    await expect(openKeycheck(doc, 'another passphrase')).rejects.toMatchObject({ code: 'SYNC_WRONG_PASSPHRASE' });
    await expect(openKeycheck(doc, null)).rejects.toMatchObject({ code: 'SYNC_ENCRYPTION_MISMATCH' });
    const same = await openKeycheck(doc, 'a long passphrase');
    const id1 = await codec.serverId('thread:one');
    expect(await same.serverId('thread:one')).toBe(id1);
    expect(id1).not.toContain('one');
    const sealed = await codec.seal(id1, { hello: 'world' });
    expect(await same.open({ _id: id1, ...sealed })).toEqual({ hello: 'world' });
    const id2 = await codec.serverId('thread:two');
    await expect(same.open({ _id: id2, ...sealed })).rejects.toMatchObject({ code: 'SYNC_DOC_UNREADABLE' });
  });
});
