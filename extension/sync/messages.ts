/**
 * The messages adapter of sync: a thread's messages of one week travel as one document,
 * `messages:<week>:<thread id>` (shared/sync/format.ts, `messagesDocId`), never one document per
 * message — a first sync of 10k messages is about as many documents as threads (times the weeks
 * each was active in), so as many seals, ids, revisions and bookkeeping rows; a change sends that
 * week's messages of the thread again, not the whole thread.
 *
 * A messages document is a set of messages by id minus a grow-only set of deleted message
 * ids, like a visit chunk (visits.ts): the messages deleted here are kept as `syncTombstones` rows
 * (`id` = `message:<message id>`, `chunk` = the document; outbox.ts writes them), so a deleted
 * message never comes back. A message is changed after it is written only on the machine that
 * wrote it (a reply streaming, stopped, an edit), so two versions of one message meet only
 * when a change waiting here meets the server's: the later `updatedAt` wins, this machine's on a tie
 * (it is sent next, and the other machines take the server's version as it is). With nothing
 * waiting here, the server's version of each message it lists is taken. A document deleted (sent
 * when nothing of it is left and its thread is gone) deletes its messages everywhere, as the
 * thread's deletion does.
 *
 * Only through Dexie, inside the caller's transaction: counters and the search journal see these
 * writes as any other.
 */
import type { Message } from '../../shared/schemas/entities';
import { messagesDocId, parseMessagesDocId } from '../../shared/sync/format';
import type { HydraDb, SyncTombstoneRow } from '../db';

/** The tombstone row id of a message deleted here (visit tombstones are `<url key>@<time>`). */
export const messageTombstoneId = (messageId: string) => `message:${messageId}`;
export const isMessageTombstone = (id: string) => id.startsWith('message:');

export interface MessagesContent {
  rows: Message[];
  deleted: string[];
}

/** The messages a document holds here: its thread's, created in its week. */
function messagesOf(db: HydraDb, docId: string) {
  const doc = parseMessagesDocId(docId);
  return doc ? db.messages.where('[threadId+createdAt]').between([doc.threadId, doc.from], [doc.threadId, doc.to], true, false) : null;
}

const docOf = (row: Message) => messagesDocId(row.threadId, row.createdAt);

/**
 * What this machine holds of each thread's messages document: its messages and the ids deleted
 * here; null when nothing is left of it (no message, and its thread is gone: a deletion is due).
 */
export async function readMessages(db: HydraDb, docIds: string[]): Promise<Map<string, MessagesContent | null>> {
  const out = new Map<string, MessagesContent | null>();
  if (docIds.length === 0) return out;
  const threadIds = docIds.map((docId) => parseMessagesDocId(docId)?.threadId ?? '');
  const [rows, threads, tombstones] = await Promise.all([
    Promise.all(docIds.map((docId) => messagesOf(db, docId)?.toArray() ?? [])),
    db.threads.bulkGet(threadIds),
    db.syncTombstones.where('chunk').anyOf(docIds).toArray(),
  ]);
  const deleted = new Map<string, string[]>();
  for (const tombstone of tombstones) {
    if (!deleted.has(tombstone.chunk)) deleted.set(tombstone.chunk, []);
    deleted.get(tombstone.chunk)!.push(tombstone.id.slice('message:'.length));
  }
  docIds.forEach((docId, i) => {
    const messages = rows[i]!;
    out.set(docId, messages.length === 0 && threads[i] === undefined ? null : { rows: messages, deleted: deleted.get(docId) ?? [] });
  });
  return out;
}

/** Every messages document this machine has messages or deletions for (the first sync with a database sends them all). */
export async function allMessagesDocIds(db: HydraDb): Promise<string[]> {
  const ids = new Set<string>();
  for (const [threadId, createdAt] of (await db.messages.orderBy('[threadId+createdAt]').keys()) as unknown as [string, number][]) ids.add(messagesDocId(threadId, createdAt));
  for (const tombstone of await db.syncTombstones.where('chunk').startsWith('messages:').toArray()) ids.add(tombstone.chunk);
  return [...ids];
}

/** Keys in order, so two copies of one message compare equal however their keys were ordered. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries.sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const same = (a: Message, b: Message) => a.updatedAt === b.updatedAt && canonical(a) === canonical(b);

/**
 * Applies thread messages documents from the server (inside the caller's incoming transaction).
 * `pending`: the documents with a change waiting here (merged by the rule in the header); the
 * others take the server's version of every message they list. Returns how many messages were
 * added or replaced and how many removed.
 */
export async function applyMessages(db: HydraDb, docs: { docId: string; content: MessagesContent }[], pending: ReadonlySet<string> = new Set()): Promise<{ written: number; removed: number }> {
  const incoming = new Map<string, { row: Message; docId: string }>();
  const deleted = new Map<string, string>();
  for (const { docId, content } of docs) {
    for (const id of content.deleted) deleted.set(id, docId);
    // A message of another thread or week does not belong here (the document's id says which it holds).
    for (const row of content.rows) if (docOf(row) === docId) incoming.set(row.id, { row, docId });
  }
  const ids = [...new Set([...incoming.keys(), ...deleted.keys()])];
  if (ids.length === 0) return { written: 0, removed: 0 };
  const [here, tombstones] = await Promise.all([db.messages.bulkGet(ids), db.syncTombstones.bulkGet(ids.map(messageTombstoneId))]);
  const adds: Message[] = [];
  const puts: Message[] = [];
  const removing: string[] = [];
  const newTombstones: SyncTombstoneRow[] = [];
  ids.forEach((id, i) => {
    const local = here[i];
    const deletedBy = deleted.get(id);
    if (deletedBy !== undefined) {
      if (!tombstones[i]) newTombstones.push({ id: messageTombstoneId(id), chunk: deletedBy });
      if (local && docOf(local) === deletedBy) removing.push(id);
      return;
    }
    if (tombstones[i]) return;
    const { row, docId } = incoming.get(id)!;
    if (!local) adds.push(row);
    else if (same(local, row)) return;
    else if (!pending.has(docId) || row.updatedAt > local.updatedAt) puts.push(row);
  });
  if (adds.length) await db.messages.bulkAdd(adds);
  if (puts.length) await db.messages.bulkPut(puts);
  if (removing.length) await db.messages.bulkDelete(removing);
  if (newTombstones.length) await db.syncTombstones.bulkPut(newTombstones);
  return { written: adds.length + puts.length, removed: removing.length };
}

/** A messages document deleted on the server: its messages go here too (as with their thread's deletion). */
export async function removeMessages(db: HydraDb, docId: string): Promise<number> {
  return (await messagesOf(db, docId)?.delete()) ?? 0;
}

/** Two versions of a thread's messages document (server conflict revisions) merged: the later version of each message, the union of deletions. */
export function mergeMessages(versions: MessagesContent[]): MessagesContent {
  const rows = new Map<string, Message>();
  const deleted = new Set<string>();
  for (const version of versions) {
    for (const id of version.deleted) deleted.add(id);
    for (const row of version.rows) {
      const known = rows.get(row.id);
      if (!known || row.updatedAt > known.updatedAt || (row.updatedAt === known.updatedAt && canonical(row) > canonical(known))) rows.set(row.id, row);
    }
  }
  return { rows: [...rows.values()].filter((row) => !deleted.has(row.id)), deleted: [...deleted] };
}
