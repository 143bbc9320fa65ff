/**
 * One sync run (docs/sync.md): open the server's database and its key document, pull every change
 * since this machine's checkpoint and apply it, then push the outbox. Resumable at any point: the
 * checkpoint (`sync.checkpoint`) is stored in the transaction that applies a batch of changes, and
 * an outbox row is removed in the transaction that records the server's new revision, so a worker
 * killed anywhere repeats at most one batch, and repeating a batch changes nothing.
 *
 * Conflicts by rule: visit chunks and a thread's messages of a week merge as sets (never a
 * conflict; a message's later version wins, messages.ts); append-only rows (task events, pages)
 * are written once; edited rows (threads, tasks, memories, the blocklist) keep the version with
 * the later clock stamp and record the other where the user sees it (rows.ts); a deletion wins
 * over any edit. Conflict revisions found on the server are resolved
 * the same way and deleted, so `_conflicts` never grows.
 */
import Dexie, { type Table } from 'dexie';
import { z } from 'zod';
import type { AppError } from '../../shared/errors';
import { CodedError, toAppError } from '../../shared/errors';
import type { SyncConfig } from '../../shared/commands/sync';
import { docBody, docKindOf, EDITED_KINDS, KEYCHECK_ID, keycheckDoc, serverDoc, SYNC_FORMAT_VERSION, type DocBody } from '../../shared/sync/format';
import { ensureDiskHeadroom, type HydraDb, type SyncDocRow } from '../db';
import type { Memory } from '../../shared/schemas/entities';
import { createKeycheck, openKeycheck, type SyncCodec } from './crypto';
import { observe, tick } from './clock';
import { visitTables } from '../visits';
import { markIncoming } from './outbox';
import { Remote, type BulkResult } from './remote';
import { allRowDocIds, applyRow, localRow, readRows, recordLosingEdit, removeRow, TABLE_OF_KIND } from './rows';
import { allChunkIds, applyChunk, readChunks, storedVisits, type StoredVisits } from './visits';
import { allMessagesDocIds, applyMessages, mergeMessages, readMessages, type MessagesContent } from './messages';
import { applyReset, resetMarks, rowCovered, visitsThrough, type ResetMarks } from './reset';

export const CONFIG_KEY = 'sync.config';
export const STATE_KEY = 'sync.state';
export const CHECKPOINT_KEY = 'sync.checkpoint';

/** Changes per `_changes` request (ids and revisions only), and documents per body request and transaction. */
const PULL_BATCH = 5000;
const DOCS_BATCH = 500;
const PUSH_BATCH = 1000;
/** A push request stops growing at this many bytes of sealed documents. */
const PUSH_BYTES = 8_000_000;
/**
 * A push batch stops growing at about this many bytes of plaintext (estimated): a batch of 1,000
 * documents can be a thousand week documents of long threads or saved pages, and the pipeline
 * holds two batches at once. The rest of the outbox rows read are read again for the next batch.
 */
const BATCH_PLAIN_BYTES = 16_000_000;
const MAX_ROUNDS = 5;

const syncState = z.lazy(() => z.object({ lastSyncAt: z.number().nullable(), lastError: z.object({ code: z.string(), message: z.string() }).nullable() }));
export type SyncState = z.infer<typeof syncState>;
const checkpoint = z.lazy(() => z.object({ identity: z.string(), since: z.union([z.string(), z.number()]) }));

export interface SyncReport {
  /** Where the time went (ms), for the job log and the bench. */
  timing: Record<'scan' | 'fetch' | 'open' | 'apply' | 'read' | 'seal' | 'send' | 'commit', number>;
  pulled: number;
  pushed: number;
  conflicts: number;
  visitsAdded: number;
  visitsRemoved: number;
  /** Rows removed by a wipe made on another machine. */
  rowsRemoved: number;
  /** Server documents skipped because they cannot be opened or read (SYNC_DOC_UNREADABLE). */
  unreadable: number;
}

export interface RunOptions {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number | null) => void;
  log?: (line: string) => void;
}

export async function readState(db: HydraDb): Promise<SyncState> {
  const parsed = syncState.safeParse((await db.settings.get(STATE_KEY))?.value);
  return parsed.success ? parsed.data : { lastSyncAt: null, lastError: null };
}

export async function writeState(db: HydraDb, change: Partial<SyncState>): Promise<void> {
  const state = { ...(await readState(db)), ...change };
  await db.settings.put({ key: STATE_KEY, value: state, updatedAt: Date.now() });
}

/** Every table a sync transaction writes (the middlewares widen it to counters and the journal). */
function syncTables(db: HydraDb) {
  return [...new Set([db.threads, db.messages, db.tasks, db.taskEvents, db.memories, db.pages, db.settings, db.syncOutbox, db.syncDocs, db.syncTombstones, ...visitTables(db)])];
}

/**
 * Runs a transaction whose writes came from the server (the outbox does not record them). Refused
 * with QUOTA_EXCEEDED before it starts when the disk is nearly full (extension/db/disk-space.ts):
 * a pull writes what the server holds, up to everything another machine stored.
 */
async function incomingTransaction<T>(db: HydraDb, body: () => Promise<T>): Promise<T> {
  await ensureDiskHeadroom();
  return db.transaction('rw', syncTables(db), async (tx) => {
    markIncoming(tx.idbtrans);
    return body();
  });
}

/** The server's key document: read and opened, or created for an empty database. Writes nothing here. */
async function openDatabase(remote: Remote, config: SyncConfig): Promise<{ codec: SyncCodec; identity: string }> {
  const info = await remote.info();
  const passphrase = config.encrypt ? config.passphrase : null;
  if (config.encrypt && !passphrase) throw new CodedError('SYNC_NOT_CONFIGURED', 'Encryption is on but no passphrase is set');
  const found = await remote.getOrNull(KEYCHECK_ID);
  if (found === null) {
    if (info.doc_count > 0) throw new CodedError('SYNC_NOT_A_SYNC_DATABASE', `The database ${config.database} holds ${info.doc_count} documents but no HydraFlow key document`);
    const { doc, codec } = await createKeycheck(passphrase);
    const { rev } = await remote.put(doc as unknown as Record<string, unknown>);
    return { codec, identity: identityOf(config, doc.kdf?.salt ?? rev) };
  }
  const parsed = keycheckDoc.safeParse(found);
  if (!parsed.success) throw new CodedError('SYNC_NOT_A_SYNC_DATABASE', `The key document of ${config.database} cannot be read`);
  if (parsed.data.v !== SYNC_FORMAT_VERSION) throw new CodedError('SYNC_OLD_FORMAT', `The database ${config.database} holds sync format version ${parsed.data.v}; this HydraFlow writes version ${SYNC_FORMAT_VERSION}. Delete the database on the server (or choose a new database name) and sync again: every machine sends its data again`);
  const codec = await openKeycheck(parsed.data, passphrase);
  return { codec, identity: identityOf(config, parsed.data.kdf?.salt ?? String(found._rev)) };
}

function identityOf(config: SyncConfig, salt: string): string {
  return `${config.serverUrl.replace(/\/+$/, '')}/${config.database}#${salt}`;
}

/** A new database (or another one): forget what was known of the old one and send every row. */
async function startOver(db: HydraDb, identity: string): Promise<number> {
  const docIds = [...(await allRowDocIds(db)), ...(await allMessagesDocIds(db)), ...(await allChunkIds(db))];
  const hlc = tick();
  await db.transaction('rw', db.syncDocs, db.syncOutbox, db.settings, async () => {
    await db.syncDocs.clear();
    for (let i = 0; i < docIds.length; i += 5000) await db.syncOutbox.bulkPut(docIds.slice(i, i + 5000).map((docId) => ({ docId, hlc })));
    await db.settings.put({ key: CHECKPOINT_KEY, value: { identity, since: 0 }, updatedAt: Date.now() });
  });
  return docIds.length;
}

interface Opened {
  serverId: string;
  rev: string;
  body: DocBody;
  conflicts: string[];
}

/** A server document that cannot be read: why (the run skips it and counts it). */
interface Unreadable {
  unreadable: string;
}

/**
 * Opens a server document, treated as written by an attacker: it must open with the key, hold a
 * valid body, and name the id it is stored under. Null: nothing to do here (the key document, a
 * deletion of a document not known here).
 */
async function openDoc(db: HydraDb, codec: SyncCodec, raw: unknown): Promise<Opened | Unreadable | null> {
  try {
    return await openOrThrow(db, codec, raw);
  } catch (error) {
    if (error instanceof CodedError && error.code === 'SYNC_DOC_UNREADABLE') return { unreadable: error.message };
    throw error;
  }
}

const isOpened = (doc: Opened | Unreadable | null): doc is Opened => doc !== null && !('unreadable' in doc);

async function openOrThrow(db: HydraDb, codec: SyncCodec, raw: unknown): Promise<Opened | null> {
  const id = (raw as { _id?: unknown } | null)?._id;
  if (id === KEYCHECK_ID || (typeof id === 'string' && id.startsWith('_'))) return null;
  const doc = serverDoc.safeParse(raw);
  if (!doc.success) throw new CodedError('SYNC_DOC_UNREADABLE', `Document ${String(id).slice(0, 80)} is not a HydraFlow document`);
  const rev = doc.data._rev ?? '';
  let body: DocBody | null = null;
  if (doc.data.iv !== undefined || doc.data.body !== undefined) {
    const parsed = docBody.safeParse(await codec.open(doc.data));
    if (!parsed.success) throw new CodedError('SYNC_DOC_UNREADABLE', `Document ${doc.data._id} holds no valid HydraFlow document: ${JSON.stringify(parsed.error.issues.slice(0, 2))}`);
    body = parsed.data;
    if ((await codec.serverId(body.id)) !== doc.data._id) throw new CodedError('SYNC_DOC_UNREADABLE', `Document ${doc.data._id} claims another id`);
  } else if (doc.data._deleted) {
    // A deletion without a body (made by another client): known here by its server id, if at all.
    const known = await db.syncDocs.where('serverId').equals(doc.data._id).first();
    if (!known) return null;
    body = { kind: 'tombstone', id: known.docId, hlc: known.hlc };
  } else throw new CodedError('SYNC_DOC_UNREADABLE', `Document ${doc.data._id} holds neither a sealed nor a plain body`);
  observe(body.hlc);
  if (doc.data._deleted && body.kind !== 'tombstone') body = { kind: 'tombstone', id: body.id, hlc: body.hlc };
  return { serverId: doc.data._id, rev, body, conflicts: doc.data._conflicts ?? [] };
}

/** Applies one server document here; returns what it changed. Runs inside an incoming transaction. */
async function applyDoc(db: HydraDb, doc: Opened, report: SyncReport, stored?: StoredVisits, marks?: ResetMarks): Promise<void> {
  const { body } = doc;
  const docId = body.id;
  const known = await db.syncDocs.get(docId);
  if (known?.rev === doc.rev) return;
  const pending = await db.syncOutbox.get(docId);
  const record = (hlc: string) => db.syncDocs.put({ docId, serverId: doc.serverId, rev: doc.rev, hlc, ...(body.kind === 'tombstone' ? { deleted: true as const } : {}) } satisfies SyncDocRow);
  report.pulled++;
  if (body.kind === 'reset') {
    // The later line wins: a later one waiting here is sent on the server's revision.
    if (pending && pending.hlc >= body.hlc) return void (await record(body.hlc));
    if (pending) await db.syncOutbox.delete(docId);
    const removed = await applyReset(db, body.id, body.hlc);
    report.visitsRemoved += removed.visits;
    report.rowsRemoved += removed.rows;
    return void (await record(body.hlc));
  }
  const lines = marks ?? (await resetMarks(db));
  if (body.kind === 'visits') {
    const outcome = await applyChunk(db, docId, { visits: body.visits, deleted: body.deleted }, stored, visitsThrough(lines));
    report.visitsAdded += outcome.added;
    report.visitsRemoved += outcome.removed;
    // A pending local change stays: the push sends the union.
    return void (await record(body.hlc));
  }
  if (body.kind === 'tombstone') {
    // A deletion wins over any edit. A chunk's deletion (after a wipe or a clear) deletes no
    // visit by itself (the reset does), and visits added here since are still sent.
    await removeRow(db, docId);
    if (docKindOf(docId) !== 'visits') await db.syncOutbox.delete(docId);
    return void (await record(body.hlc));
  }
  // A version from before a wipe is not written (a change made here since is sent as usual).
  if (rowCovered(lines, body.hlc)) return void (await record(body.hlc));
  if (body.kind === 'messages') {
    await applyMessages(db, [{ docId, content: body }], new Set(pending ? [docId] : []));
    // The server holds the very change waiting here; else a change waiting here stays: the push sends the union.
    if (pending?.hlc === body.hlc) await db.syncOutbox.delete(docId);
    return void (await record(body.hlc));
  }
  const edited = (EDITED_KINDS as readonly string[]).includes(body.kind);
  // The server holds the very change waiting here (sent by a run that ended before recording it).
  if (pending?.hlc === body.hlc) {
    await db.syncOutbox.delete(docId);
    return void (await record(body.hlc));
  }
  if (pending) {
    const here = await localRow(db, docId);
    if (here === undefined && body.kind !== 'blocklist') return void (await record(body.hlc)); // deleted here: the push sends the deletion
    if (!edited) {
      await db.syncOutbox.delete(docId);
      await applyRow(db, body);
      return void (await record(body.hlc));
    }
    report.conflicts++;
    if (pending.hlc > body.hlc) {
      // This machine's edit is later: it stays (and is pushed on the server's revision); the server's is recorded.
      await outboxWrites(db, await recordLosingEdit(db, docId, body.row, body.hlc));
      return void (await record(body.hlc));
    }
    await outboxWrites(db, await recordLosingEdit(db, docId, here, pending.hlc));
    await db.syncOutbox.delete(docId);
  }
  await applyRow(db, body);
  await record(body.hlc);
}

/**
 * Applies a batch of server documents (inside an incoming transaction). The common case, a row
 * document not changed here, is written in bulk per store; the rest goes through applyDoc.
 */
async function applyBatch(db: HydraDb, docs: Opened[], report: SyncReport): Promise<void> {
  // Resets first: applying a line before the rows it covers or after them leaves the same rows.
  for (const doc of docs) if (doc.body.kind === 'reset') await applyDoc(db, doc, report);
  const marks = await resetMarks(db);
  const ids = docs.map((doc) => doc.body.id);
  const [known, pending] = await Promise.all([db.syncDocs.bulkGet(ids), db.syncOutbox.bulkGet(ids)]);
  const stored = storedVisits(db);
  // Rows never seen here are added (the common case of a first sync, and cheaper for the counters
  // than a put, which must read what it replaces); a row stored here already is put.
  const rows = new Map<string, { add: Record<string, unknown>[]; put: Record<string, unknown>[] }>();
  const records: SyncDocRow[] = [];
  const messages: { docId: string; content: MessagesContent }[] = [];
  const deletes = new Map<string, string[]>();
  const unqueue: string[] = [];
  for (let i = 0; i < docs.length; i++) {
    const doc = docs[i]!;
    const { body } = doc;
    if (known[i]?.rev === doc.rev || body.kind === 'reset') continue;
    const kind = docKindOf(body.id);
    if (body.kind === 'tombstone' && kind !== null && kind !== 'visits' && kind !== 'messages' && kind !== 'blocklist' && kind !== 'reset') {
      // A row's deletion (wins over any change waiting here), in bulk with the batch's others.
      const table = TABLE_OF_KIND[kind];
      if (!deletes.has(table)) deletes.set(table, []);
      deletes.get(table)!.push(body.id.slice(body.id.indexOf(':') + 1));
      unqueue.push(body.id);
      records.push({ docId: body.id, serverId: doc.serverId, rev: doc.rev, hlc: body.hlc, deleted: true });
      report.pulled++;
      continue;
    }
    if (pending[i] || body.kind === 'visits' || body.kind === 'tombstone' || body.kind === 'blocklist' || rowCovered(marks, body.hlc)) {
      await applyDoc(db, doc, report, stored, marks);
      continue;
    }
    records.push({ docId: body.id, serverId: doc.serverId, rev: doc.rev, hlc: body.hlc });
    report.pulled++;
    if (body.kind === 'messages') {
      // Nothing waiting here: the server's version of each message it lists, written with the batch's others.
      messages.push({ docId: body.id, content: body });
      continue;
    }
    const table = TABLE_OF_KIND[body.kind];
    if (!rows.has(table)) rows.set(table, { add: [], put: [] });
    rows.get(table)![known[i] ? 'put' : 'add'].push(body.row as unknown as Record<string, unknown>);
  }
  await applyMessages(db, messages);
  for (const [table, { add, put }] of rows) {
    const refused = await addOrRefused(db.table(table), add);
    await db.table(table).bulkPut([...put, ...refused]);
  }
  for (const [table, keys] of deletes) await db.table(table).bulkDelete(keys);
  await db.syncOutbox.bulkDelete(unqueue);
  report.visitsAdded += await stored.flush();
  await db.syncDocs.bulkPut(records);
  await dedupeMemories(db, docs.flatMap((doc) => (doc.body.kind === 'memory' ? [doc.body.row.id] : [])));
}

/**
 * The same memory (scope, thread and text) made on two machines is two rows with two ids: after
 * incoming memories are written, each such group keeps the row with the smallest id (the same on
 * every machine), pinned if any was, and the others are deleted here and on the server.
 */
async function dedupeMemories(db: HydraDb, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  const seen = new Set<string>();
  const gone: string[] = [];
  const kept: Memory[] = [];
  for (const memory of await db.memories.bulkGet(ids)) {
    if (!memory || seen.has(memory.id)) continue;
    const group = await db.memories.where('[scope+threadId+textHash]').equals([memory.scope, memory.threadId, memory.textHash]).toArray();
    for (const row of group) seen.add(row.id);
    if (group.length < 2) continue;
    group.sort((x, y) => (x.id < y.id ? -1 : 1));
    const [keeper, ...others] = group as [Memory, ...Memory[]];
    gone.push(...others.map((row) => row.id));
    const merged: Memory = { ...keeper, pinned: group.some((row) => row.pinned) ? 1 : 0, strength: Math.max(...group.map((row) => row.strength)), lastUsedAt: Math.max(...group.map((row) => row.lastUsedAt)) };
    if (merged.pinned !== keeper.pinned || merged.strength !== keeper.strength || merged.lastUsedAt !== keeper.lastUsedAt) kept.push(merged);
  }
  if (gone.length === 0) return;
  await db.memories.bulkDelete(gone);
  await db.memories.bulkPut(kept);
  // Written here (not received): sent as this machine's changes.
  await outboxWrites(db, [...gone, ...kept.map((row) => row.id)].map((id) => `memory:${id}`));
}

/** Adds rows; returns those the store refused because it holds their key already. */
async function addOrRefused(table: Table, rows: Record<string, unknown>[]): Promise<Record<string, unknown>[]> {
  if (rows.length === 0) return [];
  try {
    await table.bulkAdd(rows);
    return [];
  } catch (error) {
    if (!(error instanceof Dexie.BulkError)) throw error;
    const refused: Record<string, unknown>[] = [];
    for (const [position, failure] of Object.entries(error.failuresByPos)) {
      if (failure.name !== 'ConstraintError') throw failure;
      refused.push(rows[Number(position)]!);
    }
    return refused;
  }
}

/** Rows sync writes on its own (a losing edit's record) travel like local writes. */
async function outboxWrites(db: HydraDb, docIds: string[]): Promise<void> {
  if (docIds.length) await db.syncOutbox.bulkPut(docIds.map((docId) => ({ docId, hlc: tick() })));
}

/** Resolves a document's conflict revisions on the server: the rule's winner stays, the others are deleted. */
async function resolveConflicts(db: HydraDb, remote: Remote, codec: SyncCodec, doc: Opened, report: SyncReport): Promise<void> {
  const versions: Opened[] = [doc];
  for (const rev of doc.conflicts) {
    const opened = await openDoc(db, codec, await remote.getRev(doc.serverId, rev));
    // An unreadable conflict revision loses (and is deleted below).
    if (isOpened(opened)) versions.push({ ...opened, rev });
  }
  let winner: DocBody = doc.body;
  if (versions.some((v) => v.body.kind === 'tombstone')) winner = { kind: 'tombstone', id: doc.body.id, hlc: tick() };
  else if (doc.body.kind === 'visits') {
    const union = { visits: new Map<string, unknown>(), deleted: new Set<string>() };
    for (const v of versions) {
      if (v.body.kind !== 'visits') continue;
      for (const visit of v.body.visits) union.visits.set(`${visit[0]} ${visit[2]}`, visit);
      for (const id of v.body.deleted) union.deleted.add(id);
    }
    winner = { kind: 'visits', id: doc.body.id, hlc: tick(), visits: [...union.visits.values()] as (DocBody & { kind: 'visits' })['visits'], deleted: [...union.deleted] };
  } else if (doc.body.kind === 'messages') {
    winner = { kind: 'messages', id: doc.body.id, hlc: tick(), ...mergeMessages(versions.flatMap((v) => (v.body.kind === 'messages' ? [v.body] : []))) };
  } else for (const v of versions) if (v.body.hlc > winner.hlc) winner = v.body;
  const sealed = await codec.seal(doc.serverId, winner);
  const results = await remote.bulkDocs([
    { _id: doc.serverId, _rev: doc.rev, ...sealed, ...(winner.kind === 'tombstone' ? { _deleted: true } : {}) },
    ...doc.conflicts.map((rev) => ({ _id: doc.serverId, _rev: rev, _deleted: true })),
  ]);
  const rev = results[0]?.rev;
  if (!rev) return;
  report.conflicts += doc.conflicts.length;
  await incomingTransaction(db, () => applyDoc(db, { serverId: doc.serverId, rev, body: winner, conflicts: [] }, report));
}

/** Up to this many known documents, a pull reads them all once (one read) instead of looking each up. */
const KNOWN_IN_MEMORY = 50_000;

/** What this machine knows of some server ids: all known documents read once into `cache` when few, else looked up. */
async function knownDocs(db: HydraDb, serverIds: string[], cache: { all: Map<string, SyncDocRow> | null }): Promise<Map<string, SyncDocRow>> {
  if (cache.all === null && (await db.syncDocs.count()) <= KNOWN_IN_MEMORY) cache.all = new Map((await db.syncDocs.toArray()).map((row) => [row.serverId, row]));
  if (cache.all) return cache.all;
  return new Map((await db.syncDocs.where('serverId').anyOf(serverIds).toArray()).map((row) => [row.serverId, row]));
}

/** Deletions listed by `_changes` of documents this machine knows, as tombstones (no body fetched). */
function deletionsKnown(deletions: { id: string; changes: { rev: string }[] }[], byServerId: Map<string, SyncDocRow>): Opened[] {
  return deletions.flatMap((change) => {
    const known = byServerId.get(change.id);
    return known ? [{ serverId: change.id, rev: change.changes[0]!.rev, body: { kind: 'tombstone' as const, id: known.docId, hlc: known.hlc }, conflicts: [] }] : [];
  });
}

async function pull(db: HydraDb, remote: Remote, codec: SyncCodec, identity: string, report: SyncReport, options: RunOptions): Promise<void> {
  // Read once per pull: the documents pulled in it are applied after their revisions were checked.
  const cache: { all: Map<string, SyncDocRow> | null } = { all: null };
  for (;;) {
    options.signal?.throwIfAborted();
    const saved = checkpoint.safeParse((await db.settings.get(CHECKPOINT_KEY))?.value);
    const since = saved.success && saved.data.identity === identity ? saved.data.since : 0;
    let t = performance.now();
    const feed = await remote.changes(since, PULL_BATCH);
    report.timing.fetch += performance.now() - t;
    t = performance.now();
    // What this machine sent or received at that very revision is not fetched again (its own pushes come back in the feed).
    // A document with a revision not known here (a change, or a conflict revision) is fetched.
    const changes = feed.results.filter((change) => change.id !== KEYCHECK_ID && !change.id.startsWith('_'));
    const known = await knownDocs(db, changes.map((change) => change.id), cache);
    const changed = changes.filter((change) => change.changes.some(({ rev }) => rev !== known.get(change.id)?.rev));
    // A deletion (one revision, no conflict) needs no body: it deletes what this machine knows by
    // that server id, and nothing when it knows none (a wipe deletes thousands of documents).
    const deletions = changed.filter((change) => change.deleted && change.changes.length === 1);
    const deletedDocs = deletionsKnown(deletions, known);
    const fresh = changed.filter((change) => !(change.deleted && change.changes.length === 1)).map((change) => change.id);
    report.timing.fetch += performance.now() - t;
    if (deletedDocs.length) {
      t = performance.now();
      await incomingTransaction(db, () => applyBatch(db, deletedDocs, report));
      report.timing.apply += performance.now() - t;
    }
    // Bodies in slices (a slice of chunk documents can be large); the checkpoint moves with the last
    // slice. A slice applied before a crash is known at the next run and skipped.
    // The next slice is fetched while this one is opened and written.
    let fetching: Promise<Record<string, unknown>[]> | null = null;
    const fetchSlice = (from: number) => {
      const promise = remote.docs(fresh.slice(from, from + DOCS_BATCH));
      promise.catch(() => undefined);
      return promise;
    };
    for (let from = 0; from === 0 || from < fresh.length; from += DOCS_BATCH) {
      const last = from + DOCS_BATCH >= fresh.length;
      t = performance.now();
      const fetched = await (fetching ?? fetchSlice(from));
      fetching = last ? null : fetchSlice(from + DOCS_BATCH);
      report.timing.fetch += performance.now() - t;
      t = performance.now();
      const all = await Promise.all(fetched.map((doc) => openDoc(db, codec, doc)));
      const opened = all.filter(isOpened);
      // One unreadable document (damaged, or not written by HydraFlow with this key) does not stop the run: skipped and counted.
      for (const doc of all) {
        if (doc === null || !('unreadable' in doc)) continue;
        if (report.unreadable++ < 5) options.log?.(`skipped: ${doc.unreadable}`);
      }
      report.timing.open += performance.now() - t;
      t = performance.now();
      await incomingTransaction(db, async () => {
        await applyBatch(db, opened, report);
        if (last) await db.settings.put({ key: CHECKPOINT_KEY, value: { identity, since: feed.last_seq }, updatedAt: Date.now() });
      });
      report.timing.apply += performance.now() - t;
      for (const doc of opened) if (doc.conflicts.length) await resolveConflicts(db, remote, codec, doc, report);
      options.onProgress?.(report.pulled + report.pushed, null);
    }
    if (feed.results.length < PULL_BATCH) return;
  }
}

interface Prepared {
  /** The last outbox id of the batch (the next batch starts after it). */
  last: string;
  hlcOf: Map<string, string>;
  sent: { docId: string; serverId: string; hlc: string; deleted: boolean; doc: Record<string, unknown> }[];
  dropped: string[];
}

/** Reads and seals the next batch of the outbox after `after`; null when none is left. */
async function prepare(db: HydraDb, codec: SyncCodec, config: SyncConfig, after: string, report: SyncReport): Promise<Prepared | null> {
  const entries = await db.syncOutbox.where('docId').above(after).limit(PUSH_BATCH).toArray();
  if (entries.length === 0) return null;
  const hlcOf = new Map(entries.map((entry) => [entry.docId, entry.hlc]));
  const ids = entries.map((entry) => entry.docId);
  let t = performance.now();
  const [rows, chunks, messages, known] = await db.transaction('r', [db.threads, db.messages, db.tasks, db.taskEvents, db.memories, db.pages, db.visitChunks, db.visits, db.settings, db.syncTombstones, db.syncDocs], async () =>
    Promise.all([
      readRows(db, ids, (docId) => hlcOf.get(docId)!, config.pagesMaxBytes),
      readChunks(db, ids.filter((id) => docKindOf(id) === 'visits')),
      readMessages(db, ids.filter((id) => docKindOf(id) === 'messages')),
      db.syncDocs.bulkGet(ids),
    ]),
  );
  report.timing.read += performance.now() - t;
  t = performance.now();
  const sent: Prepared['sent'] = [];
  const dropped: string[] = [];
  const sealing: Promise<void>[] = [];
  let bytes = 0;
  let last = ids[ids.length - 1]!;
  for (let i = 0; i < entries.length; i++) {
    const { docId, hlc } = entries[i]!;
    if (bytes > BATCH_PLAIN_BYTES) {
      last = ids[i - 1]!;
      break;
    }
    const prior = known[i];
    const chunk = chunks.get(docId);
    const thread = messages.get(docId);
    let body: DocBody | null | 'skip' = chunk
      ? chunk.visits.length || chunk.deleted.length
        ? { kind: 'visits', id: docId, hlc, ...chunk }
        : null
      : thread !== undefined
        ? thread && { kind: 'messages', id: docId, hlc, ...thread }
        : rows.has(docId)
          ? rows.get(docId)!
          : docKindOf(docId) === 'reset'
            ? ({ kind: 'reset', id: docId, hlc } as DocBody)
            : 'skip';
    // Nothing left of a document: its deletion, once (none for a document the server never had).
    if (body === null) body = prior && !prior.deleted ? { kind: 'tombstone', id: docId, hlc } : 'skip';
    if (body === 'skip' || docKindOf(docId) === null) {
      dropped.push(docId);
      continue;
    }
    const sealed = body;
    bytes += plainBytes(sealed);
    const slot = sent.length;
    sent.push(null as never);
    sealing.push(
      (async () => {
        const serverId = prior?.serverId ?? (await codec.serverId(docId));
        const doc = { _id: serverId, ...(prior ? { _rev: prior.rev } : {}), ...(await codec.seal(serverId, sealed)), ...(sealed.kind === 'tombstone' ? { _deleted: true } : {}) };
        sent[slot] = { docId, serverId, hlc, deleted: sealed.kind === 'tombstone', doc };
      })(),
    );
  }
  await Promise.all(sealing);
  report.timing.seal += performance.now() - t;
  return { last, hlcOf, sent, dropped };
}

/** About how many bytes of JSON a document's body is (its long texts, and a little per row). */
function plainBytes(body: DocBody): number {
  switch (body.kind) {
    case 'visits':
      return body.visits.reduce((sum, visit) => sum + visit[0].length + visit[1].length + 40, 0) + body.deleted.length * 80;
    case 'messages':
      return body.rows.reduce((sum, row) => sum + row.content.length + 400, 0) + body.deleted.length * 40;
    case 'page':
      return body.row.text.length + 1000;
    default:
      return 1000;
  }
}

/** Records what the server accepted of a batch and removes its outbox rows (unless changed again meanwhile); returns how many it refused. */
async function commitBatch(db: HydraDb, batch: Prepared, results: BulkResult[], report: SyncReport): Promise<number> {
  const t = performance.now();
  let refused = 0;
  await db.transaction('rw', db.syncOutbox, db.syncDocs, async () => {
    const accepted: SyncDocRow[] = [];
    for (let i = 0; i < batch.sent.length; i++) {
      const { docId, serverId, hlc, deleted } = batch.sent[i]!;
      const result = results[i];
      if (!result?.rev || result.error) refused++;
      else accepted.push({ docId, serverId, rev: result.rev, hlc, ...(deleted ? { deleted: true as const } : {}) });
    }
    await db.syncDocs.bulkPut(accepted);
    report.pushed += accepted.length;
    // An entry changed again since it was read stays for the next push.
    const done = [...accepted.map((row) => row.docId), ...batch.dropped];
    const now = await db.syncOutbox.bulkGet(done);
    await db.syncOutbox.bulkDelete(done.filter((docId, i) => now[i]?.hlc === batch.hlcOf.get(docId)));
  });
  report.timing.commit += performance.now() - t;
  return refused;
}

/**
 * Sends the outbox; returns how many documents the server refused as conflicting (pull, then push
 * again). A pipeline: while one batch is sent, the next is read and sealed, and the batch before
 * is recorded (each step of a batch in order; a worker killed meanwhile sends a batch again, which
 * the server refuses as stale and the next run settles).
 */
async function push(db: HydraDb, remote: Remote, codec: SyncCodec, config: SyncConfig, report: SyncReport, options: RunOptions): Promise<number> {
  let refused = 0;
  const total = await db.syncOutbox.count();
  let committing: Promise<void> = Promise.resolve();
  const quiet = <T>(promise: Promise<T>) => (promise.catch(() => undefined), promise);
  let next = quiet(prepare(db, codec, config, '', report));
  try {
    for (;;) {
      options.signal?.throwIfAborted();
      const batch = await next;
      if (batch === null) break;
      next = quiet(prepare(db, codec, config, batch.last, report));
      const t = performance.now();
      const results: BulkResult[] = [];
      for (let from = 0; from < batch.sent.length; ) {
        let bytes = 0;
        let to = from;
        while (to < batch.sent.length && (to === from || bytes < PUSH_BYTES)) bytes += String(batch.sent[to++]!.doc.ct ?? '').length + 200;
        results.push(...(await remote.bulkDocs(batch.sent.slice(from, to).map((entry) => entry.doc))));
        from = to;
      }
      const quota = results.find((result) => result.error && result.status !== 409 && result.error !== 'conflict');
      if (quota) throw new CodedError(quota.status === 413 || /too.?large|quota/i.test(`${quota.error} ${quota.reason}`) ? 'SYNC_QUOTA' : 'SYNC_SERVER_ERROR', `The server refused ${quota.id}: ${quota.error} ${quota.reason ?? ''}`.trim());
      report.timing.send += performance.now() - t;
      committing = quiet(
        committing.then(async () => {
          refused += await commitBatch(db, batch, results, report);
          options.onProgress?.(report.pulled + report.pushed, report.pulled + total);
        }),
      );
    }
  } finally {
    // What was sent is recorded before the run goes on (or ends with an error).
    await committing.catch(() => undefined);
  }
  await committing;
  return refused;
}

/** One whole sync with the configured server. Throws a CodedError (sync codes) on failure. */
export async function runSync(db: HydraDb, config: SyncConfig, options: RunOptions = {}): Promise<SyncReport> {
  const remote = new Remote(config, options.signal);
  const report: SyncReport = { timing: { scan: 0, fetch: 0, open: 0, apply: 0, read: 0, seal: 0, send: 0, commit: 0 }, pulled: 0, pushed: 0, conflicts: 0, visitsAdded: 0, visitsRemoved: 0, rowsRemoved: 0, unreadable: 0 };
  try {
    const { codec, identity } = await openDatabase(remote, config);
    const saved = checkpoint.safeParse((await db.settings.get(CHECKPOINT_KEY))?.value);
    if (!saved.success || saved.data.identity !== identity) {
      const t = performance.now();
      const queued = await startOver(db, identity);
      report.timing.scan += performance.now() - t;
      options.log?.(`new sync database: ${queued} documents to send`);
    }
    for (let round = 0; round < MAX_ROUNDS; round++) {
      await pull(db, remote, codec, identity, report, options);
      const refused = await push(db, remote, codec, config, report, options);
      if (refused === 0) break;
      options.log?.(`${refused} documents changed on the server meanwhile: pulling again`);
    }
    return report;
  } finally {
    await remote.close();
  }
}

/** The error a finished run leaves in the status: documents it skipped, if any. */
export function runWarning(report: SyncReport): SyncState['lastError'] {
  if (report.unreadable === 0) return null;
  return { code: 'SYNC_DOC_UNREADABLE', message: `${report.unreadable} document${report.unreadable === 1 ? '' : 's'} on the server could not be opened or read and ${report.unreadable === 1 ? 'was' : 'were'} skipped (damaged, or not written by HydraFlow with this passphrase); everything else synced` };
}

export function syncErrorOf(error: unknown): AppError {
  if ((error as { name?: string } | null)?.name === 'AbortError') return { code: 'CANCELLED', message: 'Sync cancelled' };
  return toAppError(error);
}

