/**
 * Threads and their binding to tabs. A tab's thread is found in this order: the tab's binding
 * (set when the user chose a thread, or when a thread was made for the tab) → a thread bound to
 * the same normalized URL (tab ids change across browser restarts; URLs do not) → none: an
 * unsaved thread, made and bound to the tab only when something is written in it. Threads outlive
 * tabs; bindings live in the database, so they survive worker and browser restarts.
 */
import { CodedError } from '../../shared/errors';
import { newId } from '../../shared/ids';
import type { Message, Thread } from '../../shared/schemas/entities';
import { urlKey } from '../../shared/url';
import type { HydraDb } from '../db';
import { threadContents } from './contents';

export interface TabRef {
  tabId: number;
  url: string;
  title: string;
}

const UNTITLED = 'New thread';

export function titleFrom(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 80 ? `${line.slice(0, 79)}…` : line || UNTITLED;
}

export async function getThread(db: HydraDb, threadId: string): Promise<Thread> {
  const thread = await db.threads.get(threadId);
  if (!thread) throw new CodedError('THREAD_NOT_FOUND', `No thread ${threadId}`);
  return thread;
}

function newThread(title: string | undefined, tab: TabRef | undefined, now: number): Thread {
  return {
    id: newId(),
    title: title ? titleFrom(title) : tab?.title ? titleFrom(tab.title) : UNTITLED,
    titleSource: title ? 'user' : 'auto',
    pinned: 0,
    archived: 0,
    urlKeys: tab ? [urlKey(tab.url)] : [],
    url: tab?.url ?? null,
    createdAt: now,
    updatedAt: now,
  };
}

/** Records the tab's binding, creating or refreshing its tab row. */
async function setBinding(db: HydraDb, tab: TabRef, threadId: string | null, now: number): Promise<void> {
  const existing = await db.tabs.get(tab.tabId);
  await db.tabs.put({
    tabId: tab.tabId,
    windowId: existing?.windowId ?? -1,
    index: existing?.index ?? 0,
    url: tab.url,
    urlKey: urlKey(tab.url),
    title: tab.title || existing?.title || '',
    active: existing?.active ?? 0,
    open: existing?.open ?? 1,
    threadId,
    openedAt: existing?.openedAt ?? now,
    updatedAt: now,
  });
}

/**
 * The tab's thread when it has one: its binding while it holds, else a thread bound to the same
 * normalized URL (then the tab is bound to it). Null: the tab shows an unsaved thread until
 * something is written (`threadForTab` makes it then).
 */
export async function findThreadForTab(db: HydraDb, tab: TabRef, now = Date.now()): Promise<{ thread: Thread; resolvedBy: 'binding' | 'url' } | null> {
  return db.transaction('rw', db.tabs, db.threads, async () => {
    const key = urlKey(tab.url);
    const row = await db.tabs.get(tab.tabId);
    // A binding holds while the tab stays on the URL it was bound on (or any URL of its thread).
    if (row?.threadId) {
      const bound = await db.threads.get(row.threadId);
      if (bound && (row.urlKey === key || bound.urlKeys.includes(key))) return { thread: bound, resolvedBy: 'binding' as const };
    }
    const byUrl = (await db.threads.where('urlKeys').equals(key).toArray()).filter((t) => !t.archived).sort((a, b) => b.updatedAt - a.updatedAt)[0];
    if (!byUrl) return null;
    await setBinding(db, tab, byUrl.id, now);
    return { thread: byUrl, resolvedBy: 'url' as const };
  });
}

/** The tab's thread, made (and bound to the tab) when it has none: the first write in an unsaved thread. */
export async function threadForTab(db: HydraDb, tab: TabRef, now = Date.now()): Promise<{ thread: Thread; resolvedBy: 'binding' | 'url' | 'created' }> {
  return db.transaction('rw', db.tabs, db.threads, async () => {
    const found = await findThreadForTab(db, tab, now);
    if (found) return found;
    const created = newThread(undefined, tab, now);
    await db.threads.add(created);
    await setBinding(db, tab, created.id, now);
    return { thread: created, resolvedBy: 'created' as const };
  });
}

/** A thread's newest messages, oldest first. */
export async function latestMessages(db: HydraDb, threadId: string, limit: number): Promise<Message[]> {
  return (await db.messages.where('[threadId+createdAt]').between([threadId, -Infinity], [threadId, Infinity]).reverse().limit(limit).toArray()).reverse();
}

export async function createThread(db: HydraDb, title: string | undefined, tab: TabRef | undefined, now = Date.now()): Promise<Thread> {
  return db.transaction('rw', db.tabs, db.threads, async () => {
    const thread = newThread(title, tab, now);
    if (tab) await unbindUrl(db, urlKey(tab.url), now);
    await db.threads.add(thread);
    if (tab) await setBinding(db, tab, thread.id, now);
    return thread;
  });
}

/** Removes a URL from every thread bound to it, so the URL resolves to one thread only. */
async function unbindUrl(db: HydraDb, key: string, now: number): Promise<number> {
  const holders = await db.threads.where('urlKeys').equals(key).toArray();
  for (const holder of holders) await db.threads.update(holder.id, { urlKeys: holder.urlKeys.filter((k) => k !== key), updatedAt: now });
  return holders.length;
}

export async function bindTab(db: HydraDb, tab: TabRef, threadId: string, now = Date.now()): Promise<Thread> {
  return db.transaction('rw', db.tabs, db.threads, async () => {
    const thread = await getThread(db, threadId);
    const key = urlKey(tab.url);
    await unbindUrl(db, key, now);
    const urlKeys = [...thread.urlKeys.filter((k) => k !== key), key];
    await db.threads.update(threadId, { urlKeys, updatedAt: now, archived: 0 });
    await setBinding(db, tab, threadId, now);
    return { ...thread, urlKeys, updatedAt: now, archived: 0 as const };
  });
}

export async function unbindTab(db: HydraDb, tab: TabRef, now = Date.now()): Promise<boolean> {
  return db.transaction('rw', db.tabs, db.threads, async () => {
    const row = await db.tabs.get(tab.tabId);
    const removed = await unbindUrl(db, urlKey(tab.url), now);
    if (row?.threadId) await db.tabs.update(tab.tabId, { threadId: null, updatedAt: now });
    return removed > 0 || Boolean(row?.threadId);
  });
}

export async function listThreads(db: HydraDb, options: { query: string; includeArchived: boolean; limit: number }): Promise<Thread[]> {
  const needle = options.query.trim().toLowerCase();
  const wanted = (t: Thread) => (options.includeArchived || !t.archived) && (!needle || t.title.toLowerCase().includes(needle));
  // Pinned threads first (few, from their index), then the rest newest first, reading only as
  // many rows as the page needs.
  const pinned = (await db.threads.where('pinned').equals(1).filter(wanted).toArray()).sort((a, b) => b.updatedAt - a.updatedAt);
  const rest = await db.threads
    .orderBy('updatedAt')
    .reverse()
    .filter((t) => !t.pinned && wanted(t))
    .limit(Math.max(0, options.limit - pinned.length))
    .toArray();
  return [...pinned, ...rest].slice(0, options.limit);
}

export async function updateThread(db: HydraDb, threadId: string, change: { title?: string; pinned?: boolean; archived?: boolean }, now = Date.now()): Promise<Thread> {
  return db.transaction('rw', db.threads, async () => {
    const thread = await getThread(db, threadId);
    const next: Thread = {
      ...thread,
      ...(change.title !== undefined ? { title: change.title, titleSource: 'user' as const } : {}),
      ...(change.pinned !== undefined ? { pinned: change.pinned ? 1 : 0 } : {}),
      ...(change.archived !== undefined ? { archived: change.archived ? 1 : 0 } : {}),
      updatedAt: now,
    };
    await db.threads.put(next);
    return next;
  });
}

/**
 * Marks a thread as just used. A thread titled automatically from its page keeps that title; one
 * that had nothing to be named after takes its first message as title.
 */
export async function touchThread(db: HydraDb, threadId: string, firstText: string | null, now: number): Promise<void> {
  const thread = await getThread(db, threadId);
  const retitle = firstText && thread.titleSource === 'auto' && thread.title === UNTITLED;
  await db.threads.update(threadId, { updatedAt: now, ...(retitle ? { title: titleFrom(firstText) } : {}) });
}

/** Deletes a thread and everything it owns, in one transaction; reports what went. */
export async function deleteThread(db: HydraDb, threadId: string, now = Date.now()) {
  return db.transaction('rw', [db.threads, db.messages, db.tasks, db.taskEvents, db.memories, db.tabs, db.tabSnapshots], async () => {
    await getThread(db, threadId);
    const { messages, tasks, taskEvents, memories, tabs } = await threadContents(db, threadId);
    await db.messages.bulkDelete(messages);
    await db.tasks.bulkDelete(tasks);
    await db.taskEvents.bulkDelete(taskEvents);
    await db.memories.bulkDelete(memories);
    for (const tabId of tabs) await db.tabs.update(tabId, { threadId: null, updatedAt: now });
    // Snapshots are history (what the tab showed); they only forget which thread they belonged to.
    await db.tabSnapshots.where('threadId').equals(threadId).modify({ threadId: null });
    await db.threads.delete(threadId);
    return { threads: 1, messages: messages.length, tasks: tasks.length, taskEvents: taskEvents.length, memories: memories.length, tabsUnbound: tabs.length };
  });
}
