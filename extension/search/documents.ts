/**
 * How rows become index documents, and how the stores are walked in batches for a rebuild or a
 * verify. One document per URL for visits (its visits aggregated: count, last visit, latest
 * title) and for pages (its latest version); one per row for the other kinds.
 */
import type { Collection, InsertType, Table } from 'dexie';
import { latestPage } from '../../shared/pages/latest';
import type { Memory, Message, Page, Task, Thread, Visit } from '../../shared/schemas/entities';
import type { IndexDoc } from '../../shared/search/engine';
import type { SearchKind } from '../../shared/search/kinds';
import { hostOf } from '../../shared/url';
import type { HydraDb } from '../db';
import { visitsOfUrls, walkVisits } from '../visits';

export function domainOf(url: string | null): string {
  return url ? hostOf(url).replace(/^www\./, '') : '';
}

export function visitDoc(urlKey: string, rows: readonly Visit[]): IndexDoc | null {
  if (rows.length === 0) return null;
  let latest = rows[0]!;
  for (const row of rows) if (row.visitedAt > latest.visitedAt) latest = row;
  // The newest non-empty title (a later visit of the same URL may have loaded without one).
  let titled: Visit | null = null;
  for (const row of rows) if (row.title && (!titled || row.visitedAt > titled.visitedAt)) titled = row;
  return { kind: 'visit', key: urlKey, title: titled?.title ?? '', text: '', url: latest.url, domain: domainOf(latest.url), at: latest.visitedAt, n: rows.length };
}

export function pageDoc(urlKey: string, rows: readonly Page[]): IndexDoc | null {
  const page = latestPage(rows);
  if (!page) return null;
  return { kind: 'page', key: urlKey, title: page.title, text: page.text, url: page.url, domain: domainOf(page.url), at: page.capturedAt, n: 0 };
}

export function threadDoc(thread: Thread): IndexDoc {
  return { kind: 'thread', key: thread.id, title: thread.title, text: '', url: thread.url, domain: domainOf(thread.url), at: thread.updatedAt, n: 0 };
}

export function messageDoc(message: Message): IndexDoc | null {
  if (!message.content.trim()) return null;
  return { kind: 'message', key: message.id, title: '', text: message.content, url: null, domain: '', at: message.createdAt, n: 0 };
}

export function taskDoc(task: Task): IndexDoc {
  return { kind: 'task', key: task.id, title: task.title, text: task.description, url: null, domain: '', at: task.updatedAt, n: 0 };
}

export function memoryDoc(memory: Memory): IndexDoc {
  return { kind: 'memory', key: memory.id, title: '', text: memory.text, url: null, domain: '', at: memory.createdAt, n: 0 };
}

function groupBy<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    const group = groups.get(k);
    if (group) group.push(row);
    else groups.set(k, [row]);
  }
  return groups;
}

/** The current documents of `keys` (absent = the document no longer exists: remove it). */
export async function loadDocs(db: HydraDb, kind: SearchKind, keys: readonly string[]): Promise<Map<string, IndexDoc>> {
  const out = new Map<string, IndexDoc>();
  const put = (doc: IndexDoc | null) => doc && out.set(doc.key, doc);
  switch (kind) {
    case 'visit': {
      for (const [key, rows] of await visitsOfUrls(db, keys)) put(visitDoc(key, rows));
      break;
    }
    case 'page': {
      const groups = groupBy(await db.pages.where('urlKey').anyOf([...keys]).toArray(), (p) => p.urlKey);
      for (const [key, rows] of groups) put(pageDoc(key, rows));
      break;
    }
    case 'thread':
      for (const row of await db.threads.bulkGet([...keys])) if (row) put(threadDoc(row));
      break;
    case 'message':
      for (const row of await db.messages.bulkGet([...keys])) if (row) put(messageDoc(row));
      break;
    case 'task':
      for (const row of await db.tasks.bulkGet([...keys])) if (row) put(taskDoc(row));
      break;
    case 'memory':
      for (const row of await db.memories.bulkGet([...keys])) if (row) put(memoryDoc(row));
      break;
  }
  return out;
}

/** Rows read per batch of a full walk (pages are big: fewer of them). */
const BATCH: Record<SearchKind, number> = { visit: 5000, page: 100, thread: 1000, message: 1000, task: 1000, memory: 1000 };

/**
 * Every visit document: the visits are read in time order (chunk by chunk) and summed up per URL
 * as they pass — count, newest visit, newest non-empty title — so each chunk is read once; the
 * summaries (one small object per URL) then go out in batches in URL-key order.
 */
async function walkVisitDocs(db: HydraDb, onBatch: (docs: IndexDoc[], rows: number) => Promise<void> | void): Promise<void> {
  const summaries = new Map<string, { url: string; at: number; n: number; title: string; titleAt: number }>();
  for await (const visits of walkVisits(db)) {
    for (const visit of visits) {
      const s = summaries.get(visit.urlKey);
      if (!s) summaries.set(visit.urlKey, { url: visit.url, at: visit.visitedAt, n: 1, title: visit.title, titleAt: visit.title ? visit.visitedAt : -Infinity });
      else {
        s.n++;
        if (visit.visitedAt > s.at) {
          s.at = visit.visitedAt;
          s.url = visit.url;
        }
        if (visit.title && visit.visitedAt > s.titleAt) {
          s.title = visit.title;
          s.titleAt = visit.visitedAt;
        }
      }
    }
  }
  const keys = [...summaries.keys()].sort();
  const per = BATCH.visit;
  for (let i = 0; i < keys.length; i += per) {
    const docs: IndexDoc[] = keys.slice(i, i + per).map((key) => {
      const s = summaries.get(key)!;
      return { kind: 'visit', key, title: s.title, text: '', url: s.url, domain: domainOf(s.url), at: s.at, n: s.n };
    });
    // Every visit is in exactly one document: the batches' visits add up to the store's.
    await onBatch(docs, docs.reduce((sum, doc) => sum + (doc.n ?? 0), 0));
  }
}

/**
 * Every document of a kind, batch by batch, in key order. `rows` is how many store rows the batch
 * read (progress). Visits and pages are walked by their `urlKey` index; a URL's rows that a batch
 * cut in two are read again whole in the next batch.
 */
export async function walkDocs(db: HydraDb, kind: SearchKind, onBatch: (docs: IndexDoc[], rows: number) => Promise<void> | void): Promise<void> {
  if (kind === 'visit') return walkVisitDocs(db, onBatch);
  if (kind === 'page') {
    const table = db.pages;
    const build = (key: string, rows: Page[]) => pageDoc(key, rows);
    let after: string | null = null;
    for (;;) {
      const query: Collection<Page, string, InsertType<Page, 'id'>> = after === null ? table.orderBy('urlKey') : table.where('urlKey').above(after);
      const rows: Page[] = await query.limit(BATCH[kind]).toArray();
      if (rows.length === 0) return;
      const groups = groupBy(rows, (row) => row.urlKey);
      const keys = [...groups.keys()];
      const full = rows.length < BATCH[kind];
      if (!full && keys.length === 1) {
        // One URL fills the whole batch: read all of its rows at once.
        const all = await table.where('urlKey').equals(keys[0]!).toArray();
        groups.set(keys[0]!, all);
      } else if (!full) groups.delete(keys[keys.length - 1]!);
      const docs: IndexDoc[] = [];
      let read = 0;
      for (const [key, group] of groups as Map<string, Page[]>) {
        read += group.length;
        const doc = build(key, group);
        if (doc) docs.push(doc);
        after = key;
      }
      await onBatch(docs, read);
      if (full) return;
    }
  }
  const table = { thread: db.threads, message: db.messages, task: db.tasks, memory: db.memories }[kind] as unknown as Table<Thread | Message | Task | Memory, string>;
  const build = (row: Thread | Message | Task | Memory): IndexDoc | null =>
    kind === 'thread' ? threadDoc(row as Thread) : kind === 'message' ? messageDoc(row as Message) : kind === 'task' ? taskDoc(row as Task) : memoryDoc(row as Memory);
  let after: string | null = null;
  for (;;) {
    const query: Collection<Thread | Message | Task | Memory, string> = after === null ? table.orderBy(':id') : table.where(':id').above(after);
    const rows: (Thread | Message | Task | Memory)[] = await query.limit(BATCH[kind]).toArray();
    if (rows.length === 0) return;
    const docs = rows.map(build).filter((doc): doc is IndexDoc => doc !== null);
    after = (rows[rows.length - 1] as { id: string }).id;
    await onBatch(docs, rows.length);
    if (rows.length < BATCH[kind]) return;
  }
}
