import { afterEach, describe, expect, it } from 'vitest';
import Dexie from 'dexie';
import { createDatabase, STORE_NAMES, type HydraDb } from '../../../extension/db';
import { addNote } from '../../../extension/chat/service';
import { createMemory, updateMemory, recallContextMemories } from '../../../extension/memories/memories';
import { bindTab, createThread, deleteThread, findThreadForTab, latestMessages, listThreads, threadForTab, unbindTab, updateThread } from '../../../extension/threads/store';
import { readTabThreadLocally } from '../../../extension/ui/threads/early';
import { setBlocklist } from '../../../extension/capture/blocklist';
import { createTask, taskEvents, updateTask } from '../../../extension/tasks/tasks';

let db: HydraDb;
let n = 0;
async function fresh(): Promise<HydraDb> {
  db = createDatabase(`hydraflow-threads-test-${n++}`);
  await db.open();
  return db;
}
afterEach(async () => {
  db.close();
  await Dexie.delete(db.name);
});

const tab = (tabId: number, url: string, title = 'Page') => ({ tabId, url, title });

/** Rows per entity store (the search journal is bookkeeping: every write adds to it). */
async function counts(): Promise<Record<string, number>> {
  return Object.fromEntries(await Promise.all(STORE_NAMES.filter((name) => name !== 'searchJournal').map(async (name) => [name, await db.table(name).count()] as const)));
}

describe('tab ↔ thread resolution', () => {
  it('finds no thread for a tab nothing was written in, and writes nothing looking; the first write makes one', async () => {
    await fresh();
    expect(await findThreadForTab(db, tab(1, 'https://a.example/page'))).toBeNull();
    expect(await findThreadForTab(db, tab(2, 'https://b.example/page'))).toBeNull();
    expect(await db.threads.count()).toBe(0);
    const made = await threadForTab(db, tab(1, 'https://a.example/page', 'A page'));
    expect(made.resolvedBy).toBe('created');
    expect(await findThreadForTab(db, tab(1, 'https://a.example/page'))).toEqual({ thread: made.thread, resolvedBy: 'binding' });
    // Another tab on the same URL finds it by URL (and is bound to it).
    expect((await findThreadForTab(db, tab(3, 'https://a.example/page#x')))?.resolvedBy).toBe('url');
    expect(await db.threads.count()).toBe(1);
  });

  it('gives two tabs on different URLs two threads, and each tab its own again', async () => {
    await fresh();
    const a = await threadForTab(db, tab(1, 'https://a.example/page', 'A page'));
    const b = await threadForTab(db, tab(2, 'https://b.example/page'));
    expect(a.resolvedBy).toBe('created');
    expect(b.resolvedBy).toBe('created');
    expect(a.thread.id).not.toBe(b.thread.id);
    expect(a.thread.title).toBe('A page');
    expect((await threadForTab(db, tab(1, 'https://a.example/page'))).thread.id).toBe(a.thread.id);
    expect((await threadForTab(db, tab(1, 'https://a.example/page'))).resolvedBy).toBe('binding');
  });

  it('finds the thread of the same normalized URL for a new tab id (a restarted browser)', async () => {
    await fresh();
    const first = await threadForTab(db, tab(1, 'https://a.example/page#intro'));
    const again = await threadForTab(db, tab(77, 'https://A.example/page'));
    expect(again).toMatchObject({ resolvedBy: 'url', thread: { id: first.thread.id } });
  });

  it('an explicit choice wins: rebinding moves the URL to the chosen thread; unbind and new thread', async () => {
    await fresh();
    const a = await threadForTab(db, tab(1, 'https://a.example/'));
    const other = await createThread(db, 'Research', undefined);
    await bindTab(db, tab(1, 'https://a.example/'), other.id);
    expect((await threadForTab(db, tab(1, 'https://a.example/'))).thread.id).toBe(other.id);
    expect((await threadForTab(db, tab(9, 'https://a.example/'))).thread.id).toBe(other.id);
    expect((await db.threads.get(a.thread.id))!.urlKeys).toEqual([]);
    expect(await unbindTab(db, tab(1, 'https://a.example/'))).toBe(true);
    const after = await threadForTab(db, tab(1, 'https://a.example/'));
    expect(after.resolvedBy).toBe('created');
    expect([a.thread.id, other.id]).not.toContain(after.thread.id);
    const fresh2 = await createThread(db, undefined, tab(1, 'https://a.example/'));
    expect((await threadForTab(db, tab(1, 'https://a.example/'))).thread.id).toBe(fresh2.id);
  });

  it('lists pinned first, then newest; searches titles; hides archived unless asked', async () => {
    await fresh();
    const old = await createThread(db, 'Old pinned notes', undefined, 1000);
    await createThread(db, 'Middle', undefined, 2000);
    const archived = await createThread(db, 'Archived notes', undefined, 3000);
    await createThread(db, 'Newest', undefined, 4000);
    await updateThread(db, old.id, { pinned: true }, 1001);
    await updateThread(db, archived.id, { archived: true }, 3001);
    expect((await listThreads(db, { query: '', includeArchived: false, limit: 10 })).map((t) => t.title)).toEqual(['Old pinned notes', 'Newest', 'Middle']);
    expect((await listThreads(db, { query: 'NOTES', includeArchived: true, limit: 10 })).map((t) => t.title)).toEqual(['Old pinned notes', 'Archived notes']);
    await expect(updateThread(db, 'missing', { pinned: true })).rejects.toMatchObject({ code: 'THREAD_NOT_FOUND' });
  });
});

describe("the side panel's own read of the tab's thread (before the worker answers)", () => {
  it('shows what the worker would: the bound thread and its newest 100 messages, oldest first', async () => {
    await fresh();
    const bound = await threadForTab(db, tab(1, 'https://a.example/page'));
    await threadForTab(db, tab(2, 'https://b.example/'));
    for (let i = 0; i < 120; i++) await addNote(db, bound.thread.id, `note ${i}`, 1_000 + i);
    const read = await readTabThreadLocally(1, 'https://a.example/page#section', db.name);
    expect(read?.thread).toEqual(await db.threads.get(bound.thread.id));
    expect(read?.messages).toEqual(await latestMessages(db, bound.thread.id, 100));
    expect(read?.messages.map((m) => m.content).slice(0, 2)).toEqual(['note 20', 'note 21']);
    // Any URL of the thread holds the binding, as in threadForTab.
    await bindTab(db, tab(3, 'https://a.example/other'), bound.thread.id);
    expect((await readTabThreadLocally(3, 'https://a.example/page', db.name))?.thread?.id).toBe(bound.thread.id);
  });

  it('resolves an unbound tab by URL as the worker does (newest unarchived thread, else unsaved), and writes nothing', async () => {
    await fresh();
    const older = await threadForTab(db, tab(1, 'https://a.example/page'), 1_000);
    await addNote(db, older.thread.id, 'older note', 1_001);
    const before = await counts();
    // Tab 2 on the same URL, not bound: the thread of the URL, with its messages; no binding is written.
    const byUrl = await readTabThreadLocally(2, 'https://a.example/page', db.name);
    expect(byUrl?.thread?.id).toBe(older.thread.id);
    expect(byUrl?.messages.map((m) => m.content)).toEqual(['older note']);
    expect(await counts()).toEqual(before);
    expect(await db.tabs.get(2)).toBeUndefined();
    // The tab moved to a URL no thread has: its unsaved thread.
    expect(await readTabThreadLocally(1, 'https://elsewhere.example/', db.name)).toEqual({ thread: null, messages: [] });
    // What the worker resolves, for each case.
    expect((await findThreadForTab(db, tab(2, 'https://a.example/page')))?.thread.id).toBe(older.thread.id);
    expect(await findThreadForTab(db, tab(1, 'https://elsewhere.example/'))).toBeNull();
    // An archived thread is not found by URL.
    await updateThread(db, older.thread.id, { archived: true });
    expect(await readTabThreadLocally(4, 'https://a.example/page', db.name)).toEqual({ thread: null, messages: [] });
  });

  it('leaves the tab to the worker when the page may not show it: a blocked domain, a page not captured, an unreadable blocklist, no database', async () => {
    await fresh();
    await threadForTab(db, tab(1, 'https://a.example/page'));
    await setBlocklist(db, [{ domain: 'example', subdomains: true }]);
    expect(await readTabThreadLocally(1, 'https://a.example/page', db.name)).toBeNull();
    await setBlocklist(db, []);
    expect((await readTabThreadLocally(1, 'https://a.example/page', db.name))?.thread).not.toBeNull();
    expect(await readTabThreadLocally(5, 'chrome://settings/', db.name)).toBeNull();
    await db.settings.put({ key: 'capture.blocklist', value: 'not rules', updatedAt: 1 });
    expect(await readTabThreadLocally(1, 'https://a.example/page', db.name)).toBeNull();
    // Never creates a database: the worker does, with its schema.
    expect(await readTabThreadLocally(1, 'https://a.example/page', 'hydraflow-never-created')).toBeNull();
    expect(await Dexie.exists('hydraflow-never-created')).toBe(false);
  });
});

describe('thread titles', () => {
  it('keep the page title, take the first message when there was nothing to name the thread after, and a user title wins', async () => {
    await fresh();
    const { thread: fromPage } = await threadForTab(db, tab(1, 'https://a.example/', 'The page title'));
    await addNote(db, fromPage.id, 'first note');
    expect((await db.threads.get(fromPage.id))!.title).toBe('The page title');
    const blank = await createThread(db, undefined, undefined);
    expect(blank.title).toBe('New thread');
    await addNote(db, blank.id, '  A   question about\nsomething long '.padEnd(120, 'x'));
    expect((await db.threads.get(blank.id))!.title).toMatch(/^A question about something long x+…$/);
    await addNote(db, blank.id, 'second');
    expect((await db.threads.get(blank.id))!.title).toMatch(/^A question/);
    expect((await updateThread(db, blank.id, { title: 'Mine' })).titleSource).toBe('user');
  });
});

describe('thread delete cascade', () => {
  it('removes exactly what the thread owned and leaves other threads untouched', async () => {
    await fresh();
    const doomed = await threadForTab(db, tab(1, 'https://a.example/'));
    const kept = await threadForTab(db, tab(2, 'https://b.example/'));
    for (const thread of [doomed.thread, kept.thread]) {
      await addNote(db, thread.id, `first note of ${thread.id}`);
      await addNote(db, thread.id, 'second note');
      const task = await createTask(db, { threadId: thread.id, title: 'Read it', description: '', priority: 'normal', dueAt: null });
      await updateTask(db, task.id, { status: 'in_progress' });
      await createMemory(db, { text: `thread fact ${thread.id}`, scope: 'thread', threadId: thread.id, source: { kind: 'user', id: null } });
    }
    await createMemory(db, { text: 'global fact', scope: 'global', source: { kind: 'user', id: null } });
    const before = await counts();
    const report = await deleteThread(db, doomed.thread.id);
    expect(report).toEqual({ threads: 1, messages: 2, tasks: 1, taskEvents: 2, memories: 1, tabsUnbound: 1 });
    const after = await counts();
    expect(after).toEqual({ ...before, threads: before.threads! - 1, messages: before.messages! - 2, tasks: before.tasks! - 1, taskEvents: before.taskEvents! - 2, memories: before.memories! - 1 });
    expect((await db.tabs.get(1))!.threadId).toBeNull();
    expect((await db.tabs.get(2))!.threadId).toBe(kept.thread.id);
    expect(await db.messages.where('[threadId+createdAt]').between([kept.thread.id, 0], [kept.thread.id, Infinity]).count()).toBe(2);
    await expect(deleteThread(db, doomed.thread.id)).rejects.toMatchObject({ code: 'THREAD_NOT_FOUND' });
  });
});

describe('tasks and memories', () => {
  it('appends one event per create, status change and edit, in order', async () => {
    await fresh();
    const { thread } = await threadForTab(db, tab(1, 'https://a.example/'));
    const task = await createTask(db, { threadId: thread.id, title: 'Draft', description: '', priority: 'normal', dueAt: null }, 10);
    await updateTask(db, task.id, { status: 'in_progress' }, 10);
    await updateTask(db, task.id, { status: 'blocked' }, 10);
    await updateTask(db, task.id, { status: 'blocked' }, 11); // no change, no event
    await updateTask(db, task.id, { title: 'Draft v2', priority: 'high' }, 12);
    await updateTask(db, task.id, { status: 'completed' }, 12);
    const events = await taskEvents(db, task.id);
    expect(events.map((e) => [e.seq, e.type, e.data.to ?? null])).toEqual([
      [0, 'created', null],
      [1, 'status_changed', 'in_progress'],
      [2, 'status_changed', 'blocked'],
      [3, 'edited', null],
      [4, 'status_changed', 'completed'],
    ]);
    expect(events[3]!.data).toEqual({ title: { from: 'Draft', to: 'Draft v2' }, priority: { from: 'normal', to: 'high' } });
    expect((await db.tasks.get(task.id))!).toMatchObject({ status: 'completed', title: 'Draft v2', priority: 'high' });
    await expect(updateTask(db, 'nope', { status: 'failed' })).rejects.toMatchObject({ code: 'TASK_NOT_FOUND' });
  });

  it('dedupes memories by scope, thread and text; using them refreshes strength', async () => {
    await fresh();
    const { thread } = await threadForTab(db, tab(1, 'https://a.example/'));
    const day = 86_400_000;
    const first = await createMemory(db, { text: ' likes tea ', scope: 'thread', threadId: thread.id, source: { kind: 'user', id: null } }, 0);
    const again = await createMemory(db, { text: 'likes tea', scope: 'thread', threadId: thread.id, source: { kind: 'user', id: null } }, day);
    expect(first.created).toBe(true);
    expect(again).toMatchObject({ created: false, memory: { id: first.memory.id, lastUsedAt: day } });
    const global = await createMemory(db, { text: 'likes tea', scope: 'global', source: { kind: 'user', id: null } }, 0);
    expect(global.created).toBe(true);
    const used = await recallContextMemories(db, thread.id, 3 * day);
    expect(used.map((m) => m.id).sort()).toEqual([first.memory.id, global.memory.id].sort());
    expect((await db.memories.get(global.memory.id))!).toMatchObject({ strength: 1, lastUsedAt: 3 * day });
    const pinned = await updateMemory(db, global.memory.id, { pinned: true }, 4 * day);
    expect(pinned.pinned).toBe(1);
    await expect(createMemory(db, { text: 'x', scope: 'thread', source: { kind: 'user', id: null } })).rejects.toMatchObject({ code: 'INVALID_COMMAND' });
  });
});
