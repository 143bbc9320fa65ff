/**
 * Rows of the synced stores as sync documents, and back. Reading builds the plaintext body of a
 * document from what this machine holds; applying writes a body from the server through the
 * database (whose middlewares keep counters and the search journal, as for any local write) inside
 * the caller's transaction. Visits are the chunk adapter's (visits.ts), messages the thread
 * adapter's (messages.ts).
 */
import type { Table } from 'dexie';
import { stringKey } from '../../shared/hash';
import type { Memory, Message, Task, TaskEvent, Thread } from '../../shared/schemas/entities';
import { docKindOf, messagesDocId, type DocBody, type RowKind } from '../../shared/sync/format';
import { blockRule } from '../../shared/blocklist';
import { setBlocklist } from '../capture/blocklist';
import type { HydraDb } from '../db';
import { BLOCKLIST_SETTING } from './outbox';
import { removeMessages } from './messages';

export const TABLE_OF_KIND: Record<Exclude<RowKind, 'blocklist'>, 'threads' | 'tasks' | 'taskEvents' | 'memories' | 'pages'> = {
  thread: 'threads',
  task: 'tasks',
  taskEvent: 'taskEvents',
  memory: 'memories',
  page: 'pages',
};

type AnyTable = Table<Record<string, unknown>, string>;
const tableOf = (db: HydraDb, kind: Exclude<RowKind, 'blocklist'>) => db[TABLE_OF_KIND[kind]] as unknown as AnyTable;
const rowIdOf = (docId: string) => docId.slice(docId.indexOf(':') + 1);

/** Row documents (not visits, not messages) in the order their stores are listed. */
export const ROW_KINDS = ['thread', 'task', 'taskEvent', 'memory', 'page'] as const;

/**
 * The bodies of row documents as this machine holds them: a row, `null` when the row is gone (a
 * tombstone is due) or `'skip'` when it must not travel (a page over the size cap).
 */
export async function readRows(db: HydraDb, docIds: string[], hlcOf: (docId: string) => string, pagesMaxBytes: number): Promise<Map<string, DocBody | null | 'skip'>> {
  const out = new Map<string, DocBody | null | 'skip'>();
  const byKind = new Map<RowKind, string[]>();
  for (const docId of docIds) {
    const kind = docKindOf(docId);
    if (!kind || kind === 'visits' || kind === 'messages' || kind === 'reset') continue;
    byKind.set(kind, [...(byKind.get(kind) ?? []), docId]);
  }
  for (const [kind, ids] of byKind) {
    if (kind === 'blocklist') {
      const row = await db.settings.get(BLOCKLIST_SETTING);
      const rules = blockRule.array().safeParse(row?.value);
      out.set('blocklist', { kind: 'blocklist', id: 'blocklist', hlc: hlcOf('blocklist'), row: rules.success ? rules.data : [] });
      continue;
    }
    const rows = await tableOf(db, kind).bulkGet(ids.map(rowIdOf));
    ids.forEach((docId, i) => {
      const row = rows[i];
      if (row === undefined) out.set(docId, null);
      else if (kind === 'page' && new TextEncoder().encode(String(row.text)).length > pagesMaxBytes) out.set(docId, 'skip');
      else out.set(docId, { kind, id: docId, hlc: hlcOf(docId), row } as DocBody);
    });
  }
  return out;
}

/** The row a document holds here now (for a losing edit's record), or undefined. */
export async function localRow(db: HydraDb, docId: string): Promise<unknown> {
  const kind = docKindOf(docId);
  if (!kind || kind === 'visits' || kind === 'messages' || kind === 'reset') return undefined;
  if (kind === 'blocklist') return (await db.settings.get(BLOCKLIST_SETTING))?.value;
  return tableOf(db, kind).get(rowIdOf(docId));
}

/** Writes a row document's body here (inside the caller's transaction). */
export async function applyRow(db: HydraDb, body: DocBody): Promise<void> {
  if (body.kind === 'visits' || body.kind === 'messages' || body.kind === 'tombstone' || body.kind === 'reset') throw new Error(`not a row document: ${body.kind}`);
  if (body.kind === 'blocklist') {
    await setBlocklist(db, body.row);
    return;
  }
  await tableOf(db, body.kind).put(body.row as unknown as Record<string, unknown>);
}

/** Removes a row document's row here (inside the caller's transaction). */
export async function removeRow(db: HydraDb, docId: string): Promise<void> {
  const kind = docKindOf(docId);
  if (!kind || kind === 'visits' || kind === 'reset') return;
  if (kind === 'messages') {
    await removeMessages(db, docId);
    return;
  }
  if (kind === 'blocklist') {
    await setBlocklist(db, []);
    return;
  }
  await tableOf(db, kind).delete(rowIdOf(docId));
}

/** The rows every row document of this machine is made from (the first sync with a database sends them all). */
export async function allRowDocIds(db: HydraDb): Promise<string[]> {
  const ids: string[] = [];
  for (const kind of ROW_KINDS) for (const key of (await tableOf(db, kind).toCollection().primaryKeys()) as string[]) ids.push(`${kind}:${key}`);
  if (await db.settings.get(BLOCKLIST_SETTING)) ids.push('blocklist');
  return ids;
}

/**
 * Records an edit that lost a conflict where the user sees it: a task's event log, or a note in
 * the thread (threads, thread memories). Ids are derived from the document and the losing stamp,
 * so two machines recording the same loss write one row. Returns the document ids it wrote.
 */
export async function recordLosingEdit(db: HydraDb, docId: string, lost: unknown, lostHlc: string, now = Date.now()): Promise<string[]> {
  const kind = docKindOf(docId);
  const id = `sync-conflict-${stringKey(`${docId}|${lostHlc}`)}`;
  if (kind === 'task') {
    const task = lost as Task;
    const last = await db.taskEvents.where('[taskId+seq]').between([task.id, -Infinity], [task.id, Infinity]).last();
    const event: TaskEvent = { id, taskId: task.id, threadId: task.threadId, type: 'edited', seq: (last?.seq ?? -1) + 1, at: now, data: { syncConflict: 'lost', lost: { title: task.title, description: task.description, status: task.status, priority: task.priority, dueAt: task.dueAt } } };
    await db.taskEvents.put(event);
    return [`taskEvent:${id}`];
  }
  let threadId: string | null = null;
  let content = '';
  if (kind === 'thread') {
    const thread = lost as Thread;
    threadId = thread.id;
    content = `Sync: a change made at the same time on another machine replaced this one. The replaced version: title “${thread.title}”, ${thread.pinned ? 'pinned' : 'not pinned'}, ${thread.archived ? 'archived' : 'not archived'}.`;
  } else if (kind === 'memory' && (lost as Memory).threadId) {
    const memory = lost as Memory;
    threadId = memory.threadId;
    content = `Sync: a change made at the same time on another machine replaced this memory. The replaced text: “${memory.text}”.`;
  }
  if (!threadId || !(await db.threads.get(threadId))) return [];
  const note: Message = { id, threadId, role: 'note', content, status: 'complete', model: null, error: null, createdAt: now, updatedAt: now };
  await db.messages.put(note);
  return [messagesDocId(threadId, now)];
}
