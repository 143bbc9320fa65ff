/**
 * The side panel asks for its tab's thread before its UI code has loaded. A tiny classic script
 * (entrypoints/panel-early.ts, in the page's <head>) sends `threads.forTab` while the page is still
 * parsing, and `useTabThread` takes that answer for its first resolution instead of asking again:
 * the background answers while the UI modules load.
 *
 * The same script also resolves the tab's thread straight from the database, read-only, by the
 * background's rule (`findThreadForTab`: the tab's binding while it holds for the URL, else the
 * newest unarchived thread of the URL, else none: the tab's unsaved thread), with the newest
 * messages, because the background's answer can be far away: a service worker the browser stopped
 * after 30 s idle spends ~150–300 ms starting (evaluating its modules, opening Dexie) before it
 * answers. The panel paints that at once; the background's answer, when it comes, always wins (it
 * binds a thread found by URL, and it alone creates). A blocked domain, a page that is not
 * captured, an unreadable blocklist: nothing is painted, the background answers.
 *
 * When that read has something to paint, the background is asked only once it is on screen
 * (first-view.ts): a stopped worker starts in the panel's new process, and its start (compiling
 * its modules, opening the database, its first transactions) would compete with this read.
 *
 * The early script uses `chrome.*` and raw IndexedDB directly: it blocks parsing, so it must not
 * carry the polyfill or Dexie.
 */
import type { CommandResult } from '../../../shared/commands';
import type { Result } from '../../../shared/errors';
import type { Message, Tab, Thread } from '../../../shared/schemas/entities';
import { PANEL_MESSAGE_LIMIT } from '../../../shared/threads';
import { isCapturableUrl, urlKey } from '../../../shared/url';
import { isBlocked, type BlockRuleShape } from '../../../shared/blocklist-match';
import { COMMAND_MESSAGE_TYPE } from '../../commands/message';
import { DB_NAME } from '../../db/name';
import { FIRST_VIEW_MAX_MS, THREAD_SHOWN_MARK } from './first-view';

type ForTabReply = Result<CommandResult<'threads.forTab'>>;

/** The tab's thread as resolved by the page itself (null: the tab's unsaved thread). */
export interface LocalThread {
  thread: Thread | null;
  messages: Message[];
  tab: { tabId: number; url: string; title: string };
}

export interface EarlyThread {
  /** The background's answer (authoritative). */
  reply: Promise<ForTabReply>;
  /** The page's own resolution; null when it leaves the tab to the background (or it failed). */
  local: Promise<LocalThread | null>;
}

interface EarlyRequest extends EarlyThread {
  tabId: number;
  url: string | null;
}

const SLOT = '__hydraflowEarlyThread';
type EarlySlot = { [SLOT]?: Promise<EarlyRequest | null> };

/**
 * The tab's thread for `url` resolved read-only by the background's rule (see above), with its
 * newest messages, oldest first; `thread` null: none (the tab's unsaved thread). Null when it is
 * left to the background: no database yet, a blocked or uncapturable URL, or any error.
 */
export function readTabThreadLocally(tabId: number, url: string, dbName: string = DB_NAME, idb: IDBFactory = indexedDB): Promise<{ thread: Thread | null; messages: Message[] } | null> {
  return openExisting(dbName, idb).then((db) => (db === null ? null : readTabRow(db, tabId).then((read) => resolveFor(db, read, url))));
}

/**
 * The database opened for reading as it is (no version: never an upgrade), or null when there is
 * none yet or it cannot be opened. It closes itself when the worker needs to upgrade it.
 */
function openExisting(dbName: string, idb: IDBFactory): Promise<IDBDatabase | null> {
  return new Promise((resolve) => {
    let open: IDBOpenDBRequest;
    try {
      open = idb.open(dbName);
    } catch {
      resolve(null);
      return;
    }
    // No database yet: opening without a version would create an empty one; abort, the worker creates it.
    open.onupgradeneeded = () => open.transaction?.abort();
    open.onerror = () => resolve(null);
    open.onsuccess = () => {
      const db = open.result;
      // Never hold up the worker's schema upgrade.
      db.onversionchange = () => db.close();
      resolve(db);
    };
  });
}

/** What the tab's row points at and the blocklist, read before the tab's URL is known. */
interface TabRead {
  row: Tab | null;
  thread: Thread | null;
  messages: Message[];
  blocklist: unknown;
}

/** A read-only transaction over `stores`; resolves with `run`'s result, or null when it fails. */
function reading<T>(db: IDBDatabase, stores: string[], run: (tx: IDBTransaction, done: (value: T) => void) => void): Promise<T | null> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (value: T | null) => {
      if (settled) return;
      settled = true;
      resolve(value);
    };
    try {
      const tx = db.transaction(stores, 'readonly');
      tx.onabort = () => done(null);
      tx.onerror = () => done(null);
      run(tx, done);
    } catch {
      done(null);
    }
  });
}

/**
 * The tab's binding row, its thread and the thread's newest messages, and the capture blocklist,
 * in one transaction. It needs only the tab's id, so it runs while the browser tells the page the
 * tab's URL; what can be asked for together is (each request is a round trip to the browser's
 * IndexedDB).
 */
function readTabRow(db: IDBDatabase, tabId: number): Promise<TabRead | null> {
  return reading<TabRead>(db, ['tabs', 'threads', 'messages', 'settings'], (tx, done) => {
    let blocklist: unknown = undefined;
    let rowRead: Omit<TabRead, 'blocklist'> | null = null;
    const both = () => {
      if (blocklist !== undefined && rowRead !== null) done({ ...rowRead, blocklist });
    };
    const settingRequest = tx.objectStore('settings').get('capture.blocklist');
    settingRequest.onsuccess = () => {
      blocklist = (settingRequest.result as { value?: unknown } | undefined)?.value ?? [];
      both();
    };
    const rowRequest = tx.objectStore('tabs').get(tabId);
    rowRequest.onsuccess = () => {
      const row = (rowRequest.result as Tab | undefined) ?? null;
      if (!row?.threadId) {
        rowRead = { row, thread: null, messages: [] };
        return both();
      }
      let thread: Thread | undefined | null = null;
      let messages: Message[] | null = null;
      const threadAndMessages = () => {
        if (thread === null || messages === null) return;
        rowRead = { row, thread: thread ?? null, messages: thread ? messages : [] };
        both();
      };
      const threadRequest = tx.objectStore('threads').get(row.threadId);
      threadRequest.onsuccess = () => {
        thread = (threadRequest.result as Thread | undefined) ?? undefined;
        threadAndMessages();
      };
      newestMessages(tx.objectStore('messages').index('[threadId+createdAt]'), row.threadId, (found) => {
        messages = found;
        threadAndMessages();
      });
    };
  });
}

/** The blocklist's rules, or null when the stored value is not what the options page writes. */
function blockRules(value: unknown): BlockRuleShape[] | null {
  if (!Array.isArray(value)) return null;
  const rules = value as unknown[];
  return rules.every((rule) => typeof rule === 'object' && rule !== null && typeof (rule as BlockRuleShape).domain === 'string' && typeof (rule as BlockRuleShape).subdomains === 'boolean') ? (rules as BlockRuleShape[]) : null;
}

/**
 * The tab's thread for `url` from what `readTabRow` found: its binding while it holds, else the
 * newest unarchived thread of the URL (a second read), else none. Closes the database.
 */
function resolveFor(db: IDBDatabase, read: TabRead | null, url: string): Promise<{ thread: Thread | null; messages: Message[] } | null> {
  const close = <T>(value: T): T => {
    db.close();
    return value;
  };
  const rules = read && blockRules(read.blocklist);
  if (!read || !rules || !isCapturableUrl(url) || isBlocked(url, rules)) return Promise.resolve(close(null));
  const key = urlKey(url);
  if (read.row && read.thread && (read.row.urlKey === key || read.thread.urlKeys.includes(key))) return Promise.resolve(close({ thread: read.thread, messages: read.messages }));
  return reading<{ thread: Thread | null; messages: Message[] }>(db, ['threads', 'messages'], (tx, done) => {
    const byUrl = tx.objectStore('threads').index('urlKeys').getAll(key);
    byUrl.onsuccess = () => {
      const newest = (byUrl.result as Thread[]).filter((thread) => !thread.archived).sort((a, b) => b.updatedAt - a.updatedAt)[0];
      if (!newest) return done({ thread: null, messages: [] });
      newestMessages(tx.objectStore('messages').index('[threadId+createdAt]'), newest.id, (messages) => done({ thread: newest, messages }));
    };
  }).then(close);
}

/** getAll with a direction (Chromium 141+, which brought getAllRecords with it). */
type GetAllNewestFirst = (options: { query: IDBKeyRange; count: number; direction: 'prev' }) => IDBRequest<unknown[]>;

/** The thread's newest PANEL_MESSAGE_LIMIT messages, oldest first. */
function newestMessages(index: IDBIndex, threadId: string, then: (messages: Message[]) => void): void {
  const all = IDBKeyRange.bound([threadId, -Infinity], [threadId, Infinity]);
  if (typeof (index as IDBIndex & { getAllRecords?: unknown }).getAllRecords === 'function') {
    // One request: the newest first, as many as the panel shows.
    const rows = (index.getAll as unknown as GetAllNewestFirst).call(index, { query: all, count: PANEL_MESSAGE_LIMIT, direction: 'prev' });
    rows.onsuccess = () => then((rows.result as Message[]).reverse());
    return;
  }
  // Older browsers: find the LIMIT-th newest key, then one getAll.
  const take = (range: IDBKeyRange) => {
    const rows = index.getAll(range);
    rows.onsuccess = () => then((rows.result as Message[]).slice(-PANEL_MESSAGE_LIMIT));
  };
  const keys = index.openKeyCursor(all, 'prev');
  let skipped = false;
  keys.onsuccess = () => {
    const at = keys.result;
    if (!at) return take(all);
    if (!skipped && PANEL_MESSAGE_LIMIT > 1) {
      skipped = true;
      return at.advance(PANEL_MESSAGE_LIMIT - 1);
    }
    take(IDBKeyRange.bound(at.key, [threadId, Infinity]));
  };
}

const EARLY_MARK = 'hydraflow:early-script';
const OWN_READ_MARK = 'hydraflow:own-read';

function markOwnRead(found: LocalThread | null): LocalThread | null {
  performance.mark(OWN_READ_MARK);
  return found;
}

/** Resolves when the page marks its thread shown, or FIRST_VIEW_MAX_MS after its navigation at the latest. */
function threadShown(): Promise<void> {
  return new Promise((resolve) => {
    let observer: PerformanceObserver | null = null;
    const done = () => {
      observer?.disconnect();
      resolve();
    };
    try {
      observer = new PerformanceObserver((list) => {
        if (list.getEntriesByName(THREAD_SHOWN_MARK).length > 0) done();
      });
      observer.observe({ type: 'mark' });
    } catch {
      // No observer: the time limit alone.
    }
    setTimeout(done, Math.max(0, FIRST_VIEW_MAX_MS - performance.now()));
  });
}

/** `?tabId=N` names the panel's tab; otherwise it is the window's active tab (never an incognito one). */
export function requestThreadEarly(): void {
  // Where a cold open's time goes (the side-panel-open bench prints these with the thread-shown mark).
  performance.mark(EARLY_MARK);
  const ask = (params: { tabId: number; url?: string; title?: string }): Promise<ForTabReply> =>
    (chrome.runtime.sendMessage({ type: COMMAND_MESSAGE_TYPE, method: 'threads.forTab', params }) as Promise<ForTabReply | undefined>).then(
      // Not `err()`: it would pull the whole error table into this blocking script.
      (reply) => reply ?? { ok: false, error: { code: 'INTERNAL_ERROR', message: 'The background did not answer' } },
      (error: unknown) => ({ ok: false, error: { code: 'INTERNAL_ERROR', message: `Could not reach the background: ${(error as Error).message}` } }),
    );
  // The background is asked at once when the page has nothing of its own to paint, else once the thread is shown.
  const askAfter = (local: Promise<LocalThread | null>, params: { tabId: number; url?: string; title?: string }): Promise<ForTabReply> =>
    local.then((found) => (found ? threadShown() : undefined), () => undefined).then(() => ask(params));
  // The database is opened while the browser answers which tab this is (a freshly started
  // extension process takes tens of ms for its first IndexedDB open).
  const opened = openExisting(DB_NAME, indexedDB);
  /** The tab's thread as the page resolves it, once the tab is known and its row read. */
  const resolveLocal = (db: IDBDatabase | null, tab: chrome.tabs.Tab | undefined, read: Promise<TabRead | null>): Promise<LocalThread | null> => {
    if (db === null) return Promise.resolve(null);
    if (tab?.id === undefined || tab.incognito || !tab.url) return read.then(() => db.close()).then(() => null);
    const ref = { tabId: tab.id, url: tab.url, title: tab.title ?? '' };
    return read.then((found) => resolveFor(db, found, ref.url)).then((found) => (found ? { ...found, tab: ref } : null));
  };
  const tabId = Number(new URLSearchParams(location.search).get('tabId') ?? NaN);
  if (Number.isInteger(tabId)) {
    // The id is known at once: the row is read while the browser answers which URL the tab shows.
    const tab = chrome.tabs.get(tabId).catch(() => undefined);
    const local = opened
      .then((db) => {
        const read = db === null ? Promise.resolve(null) : readTabRow(db, tabId);
        return tab.then((known) => resolveLocal(db, known, read));
      })
      .then(markOwnRead);
    (globalThis as EarlySlot)[SLOT] = Promise.resolve({ tabId, url: null, reply: askAfter(local, { tabId }), local });
    return;
  }
  // Nothing to read: the database opened for it is closed.
  const closeOpened = () => opened.then((db) => db?.close());
  (globalThis as EarlySlot)[SLOT] = chrome.tabs.query({ active: true, currentWindow: true }).then(
    ([tab]) => {
      const id = tab?.id;
      if (!tab || id === undefined || tab.incognito || !tab.url) return closeOpened().then(() => null);
      const local = opened.then((db) => resolveLocal(db, tab, db === null ? Promise.resolve(null) : readTabRow(db, id))).then(markOwnRead);
      return { tabId: id, url: tab.url, reply: askAfter(local, { tabId: id, url: tab.url, title: tab.title ?? '' }), local };
    },
    () => closeOpened().then(() => null),
  );
}

/** The early answers when they were asked for this tab and URL (taken once); else null, and the caller asks. */
export async function takeEarlyThread(tabId: number, url: string | null): Promise<EarlyThread | null> {
  const slot = globalThis as EarlySlot;
  const pending = slot[SLOT];
  delete slot[SLOT];
  const request = await pending;
  return request && request.tabId === tabId && request.url === url ? { reply: request.reply, local: request.local } : null;
}
