/**
 * The sync document format (docs/sync.md): what HydraFlow stores in a CouchDB database. Pure:
 * schemas of the server envelopes and of the plaintext documents inside them, logical document
 * ids, visit chunk ids and the hybrid logical clock. The extension encrypts, sends and applies
 * (extension/sync/); nothing here touches a browser or a network.
 */
import { z } from 'zod';
import { hash53 } from '../hash';
import { memory, message, page, task, taskEvent, thread } from '../schemas/entities';
import { TRANSITIONS, VISIT_SOURCES } from '../schemas/statuses';
import { blockRule } from '../blocklist';
import { DAY_MS } from '../time';

export const SYNC_FORMAT = 'hydraflow-sync';
/**
 * Version 2: a thread's messages of one week travel as one document (`messages:<week>:<thread
 * id>`); version 1 sent one document per message. A database of another version is refused
 * (SYNC_OLD_FORMAT): docs/sync.md says how to start it over.
 */
export const SYNC_FORMAT_VERSION = 2;
/** The one document the server holds in clear: the format, and how to derive the key (never the key). */
export const KEYCHECK_ID = 'hydraflow-sync';
/** PBKDF2-SHA256 iterations for new databases (OWASP's 2023 figure for PBKDF2-HMAC-SHA256). */
export const KDF_ITERATIONS = 600_000;

const base64 = z.lazy(() => z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/).max(64_000_000));

export const keycheckDoc = z.lazy(() => z.object({
  _id: z.literal(KEYCHECK_ID),
  _rev: z.string().optional(),
  format: z.literal(SYNC_FORMAT),
  /** Any version parses, so that another one is refused with its own code (SYNC_OLD_FORMAT). */
  v: z.number().int(),
  encrypted: z.boolean(),
  /** Present when encrypted: how the key is derived from the passphrase. */
  kdf: z.object({ name: z.literal('PBKDF2'), hash: z.literal('SHA-256'), iterations: z.number().int().min(100_000).max(10_000_000), salt: base64 }).nullable(),
  /** Present when encrypted: a known text sealed with the key (a wrong passphrase cannot open it). */
  check: z.object({ iv: base64, ct: base64 }).nullable(),
}));
export type KeycheckDoc = z.infer<typeof keycheckDoc>;

/** A data document as the server holds it: sealed (`iv`, `ct`) or, with encryption off, `body` in clear. */
export const serverDoc = z.lazy(() => z.object({
  _id: z.string().min(1).max(200),
  _rev: z.string().optional(),
  _deleted: z.boolean().optional(),
  _conflicts: z.array(z.string()).optional(),
  v: z.literal(SYNC_FORMAT_VERSION).optional(),
  iv: base64.optional(),
  ct: base64.optional(),
  body: z.unknown().optional(),
}));
export type ServerDoc = z.infer<typeof serverDoc>;

/**
 * Hybrid logical clock stamp: `<wall ms, base 36, 9 digits>.<counter, base 36, 4 digits>.<node>`.
 * Plain string order is clock order; the node (random per worker start) breaks ties.
 */
export const hlcStamp = z.lazy(() => z.string().regex(/^[0-9a-z]{9}\.[0-9a-z]{4}\.[0-9a-z]{1,16}$/));

export function formatHlc(wall: number, counter: number, node: string): string {
  return `${wall.toString(36).padStart(9, '0')}.${counter.toString(36).padStart(4, '0')}.${node}`;
}

/** The wall time (ms) of a stamp. */
export function hlcWall(stamp: string): number {
  return parseInt(stamp.slice(0, stamp.indexOf('.')), 36);
}

export function parseHlc(stamp: string): { wall: number; counter: number; node: string } {
  const [wall, counter, node] = stamp.split('.');
  return { wall: parseInt(wall!, 36), counter: parseInt(counter!, 36), node: node! };
}

/** Kinds of rows that are edited after they are written: last writer (by HLC) wins. */
export const EDITED_KINDS = ['thread', 'task', 'memory', 'blocklist'] as const;
/** Kinds that are written once. */
export const APPEND_KINDS = ['taskEvent', 'page'] as const;
export type RowKind = (typeof EDITED_KINDS)[number] | (typeof APPEND_KINDS)[number];
/** Row documents, visit chunks, a thread's messages of a week, reset lines. */
export type DocKind = RowKind | 'visits' | 'messages' | 'reset';

/**
 * Reset documents: "everything synced, changed at or before this clock stamp, is deleted" (a wipe:
 * `reset:all`) and "every visit made at or before this stamp's wall time is deleted" (delete all
 * history: `reset:history`). Each holds the latest such stamp any machine wrote (the later wins).
 */
export const RESET_ALL = 'reset:all';
export const RESET_HISTORY = 'reset:history';
export const RESET_IDS = [RESET_ALL, RESET_HISTORY] as const;

/** One compact visit in a chunk: [url, title, visitedAt, transition, source]. */
export const chunkVisit = z.lazy(() => z.tuple([z.string(), z.string(), z.number().int().nonnegative(), z.enum(TRANSITIONS), z.enum(VISIT_SOURCES)]));

const stamped = () => ({ id: z.string().min(1).max(200), hlc: hlcStamp });
/** The plaintext of a data document (what the ciphertext holds). */
export const docBody = z.lazy(() => z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('thread'), ...stamped(), row: thread }),
  z.object({ kind: z.literal('task'), ...stamped(), row: task }),
  z.object({ kind: z.literal('taskEvent'), ...stamped(), row: taskEvent }),
  z.object({ kind: z.literal('memory'), ...stamped(), row: memory }),
  z.object({ kind: z.literal('page'), ...stamped(), row: page }),
  z.object({ kind: z.literal('blocklist'), ...stamped(), row: z.array(blockRule) }),
  // A chunk of visits: a grow-only set of visits minus a grow-only set of removed visit ids.
  z.object({ kind: z.literal('visits'), ...stamped(), visits: z.array(chunkVisit), deleted: z.array(z.string()) }),
  // A thread's messages of one week: a set of messages (by id; a later version replaces an
  // earlier one) minus a grow-only set of deleted message ids.
  z.object({ kind: z.literal('messages'), ...stamped(), rows: z.array(message), deleted: z.array(z.string().min(1).max(200)) }),
  // A deleted row: deletes win over edits, so a deleted row never comes back.
  z.object({ kind: z.literal('tombstone'), ...stamped() }),
  // A wipe or a clear of all history (RESET_ALL, RESET_HISTORY): its stamp is the line.
  z.object({ kind: z.literal('reset'), id: z.enum(RESET_IDS), hlc: hlcStamp }),
]));
export type DocBody = z.infer<typeof docBody>;

/** The logical id of a row's document: `<kind>:<row id>` (the blocklist is one document). */
export function rowDocId(kind: RowKind, rowId: string): string {
  return kind === 'blocklist' ? 'blocklist' : `${kind}:${rowId}`;
}

export function docKindOf(docId: string): DocKind | null {
  if ((RESET_IDS as readonly string[]).includes(docId)) return 'reset';
  const kind = docId === 'blocklist' ? 'blocklist' : docId.slice(0, docId.indexOf(':'));
  return (EDITED_KINDS as readonly string[]).includes(kind) || (APPEND_KINDS as readonly string[]).includes(kind) || kind === 'visits' || kind === 'messages' ? (kind as DocKind) : null;
}

/**
 * The document of a message: its thread's messages of the week (UTC, since the epoch, as visit
 * chunks) it was created in. A long thread is one document per week it was active in, so a change
 * sends that week's messages again, never the whole thread.
 */
export function messagesDocId(threadId: string, createdAt: number): string {
  return `messages:${Math.floor(createdAt / CHUNK_WEEK_MS)}:${threadId}`;
}

/** The thread and week of a `messages:` document id; its messages are created in [from, to). */
export function parseMessagesDocId(docId: string): { threadId: string; from: number; to: number } | null {
  const match = /^messages:(\d+):(.+)$/s.exec(docId);
  if (!match) return null;
  const week = Number(match[1]);
  return { threadId: match[2]!, from: week * CHUNK_WEEK_MS, to: (week + 1) * CHUNK_WEEK_MS };
}

/** Visits are grouped by week (UTC, since the epoch) and 8 buckets of URL: a year of history is at most 416 documents. */
export const CHUNK_WEEK_MS = 7 * DAY_MS;
export const CHUNK_BUCKETS = 8;

/** The chunk document of a visit by its URL key and time. */
export function chunkIdOf(urlKey: string, visitedAt: number): string {
  return `visits:${Math.floor(visitedAt / CHUNK_WEEK_MS)}:${chunkBucketOf(urlKey)}`;
}

/** The chunk document a visit belongs to, from its id (`${urlKey}@${visitedAt}`) alone. */
export function visitChunkId(visitId: string): string {
  const at = visitId.lastIndexOf('@');
  return chunkIdOf(visitId.slice(0, at), Number(visitId.slice(at + 1)));
}

/** The week and bucket of a chunk id. */
export function parseChunkId(docId: string): { week: number; bucket: number } | null {
  const match = /^visits:(\d+):(\d+)$/.exec(docId);
  return match ? { week: Number(match[1]), bucket: Number(match[2]) } : null;
}

export function chunkBucketOf(urlKey: string): number {
  return hash53(urlKey) % CHUNK_BUCKETS;
}
