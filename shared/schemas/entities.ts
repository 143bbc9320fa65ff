/**
 * The zod schema of every stored entity. The Dexie stores (extension/db), bundle rows
 * (shared/bundle) and host replies are all checked against these. Times are `…At`, integer ms
 * since the Unix epoch. Booleans that are indexed are stored as 0/1 (IndexedDB cannot index
 * booleans).
 */
import { z } from 'zod';
import { contextPart, contextSource } from '../chat/context';
import { errorBody } from '../protocol/envelope';
import {
  JOB_STATUSES,
  JOB_TYPES,
  MEMORY_SCOPES,
  MESSAGE_ROLES,
  MESSAGE_STATUSES,
  TASK_EVENT_TYPES,
  TASK_PRIORITIES,
  TASK_STATUSES,
  TRANSITIONS,
  VISIT_SOURCES,
} from './statuses';

export const id = z.lazy(() => z.string().min(1).max(100));
export const timestamp = z.lazy(() => z.number().int().min(0).max(8_640_000_000_000_000));
export const flag = z.lazy(() => z.union([z.literal(0), z.literal(1)]));
/** URLs can be long (data: URLs); they are stored but never indexed. */
export const urlText = z.lazy(() => z.string().max(2_097_152));

export const thread = z.lazy(() => z.object({
  id,
  title: z.string().max(1000),
  titleSource: z.enum(['auto', 'user']),
  pinned: flag,
  archived: flag,
  /** Normalized-URL keys of the pages this thread is bound to (index: find a page's thread). */
  urlKeys: z.array(z.string()),
  /** The URL the thread was started on, for display; null for free-standing threads. */
  url: urlText.nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
}));
export type Thread = z.infer<typeof thread>;

export const message = z.lazy(() => z.object({
  id,
  threadId: id,
  role: z.enum(MESSAGE_ROLES),
  content: z.string(),
  status: z.enum(MESSAGE_STATUSES),
  model: z.string().nullable(),
  error: errorBody.nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
  /** On a user message: the page chips sent with it (title, URL, tokens, trimmed). Absent on older rows. */
  context: z.array(contextPart).optional(),
  /** On an assistant message: the numbered history sources offered to it, shown as links. */
  sources: z.array(contextSource).optional(),
}));
export type Message = z.infer<typeof message>;

/** A live (or last known) browser tab and the thread bound to it. Keyed by the browser's tab id. */
export const tab = z.lazy(() => z.object({
  tabId: z.number().int(),
  windowId: z.number().int(),
  index: z.number().int(),
  url: urlText,
  urlKey: z.string(),
  title: z.string(),
  active: flag,
  open: flag,
  threadId: id.nullable(),
  openedAt: timestamp,
  updatedAt: timestamp,
}));
export type Tab = z.infer<typeof tab>;

/** One committed navigation of a tab: which URL and title it showed, and when. */
export const tabSnapshot = z.lazy(() => z.object({
  id,
  tabId: z.number().int(),
  url: urlText,
  urlKey: z.string(),
  hostRev: z.string(),
  title: z.string(),
  threadId: id.nullable(),
  capturedAt: timestamp,
}));
export type TabSnapshot = z.infer<typeof tabSnapshot>;

/** A history visit. `id` is `${urlKey}@${visitedAt}`: the same visit from any source is one row. */
export const visit = z.lazy(() => z.object({
  id,
  url: urlText,
  urlKey: z.string(),
  hostRev: z.string(),
  title: z.string(),
  visitedAt: timestamp,
  transition: z.enum(TRANSITIONS),
  source: z.enum(VISIT_SOURCES),
}));
export type Visit = z.infer<typeof visit>;

/** A readable snapshot of a page. A new version is stored only when `contentHash` changes. */
export const page = z.lazy(() => z.object({
  id,
  url: urlText,
  urlKey: z.string(),
  hostRev: z.string(),
  title: z.string(),
  byline: z.string().nullable(),
  text: z.string(),
  contentHash: z.string().regex(/^[0-9a-f]{64}$/),
  version: z.number().int().positive(),
  capturedAt: timestamp,
}));
export type Page = z.infer<typeof page>;

export const task = z.lazy(() => z.object({
  id,
  threadId: id,
  title: z.string().min(1).max(1000),
  description: z.string(),
  status: z.enum(TASK_STATUSES),
  priority: z.enum(TASK_PRIORITIES),
  dueAt: timestamp.nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
}));
export type Task = z.infer<typeof task>;

export const taskEvent = z.lazy(() => z.object({
  id,
  taskId: id,
  threadId: id,
  type: z.enum(TASK_EVENT_TYPES),
  /** Per-task sequence number: events of one task are totally ordered even within one ms. */
  seq: z.number().int().nonnegative(),
  at: timestamp,
  data: z.record(z.string(), z.unknown()),
}));
export type TaskEvent = z.infer<typeof taskEvent>;

export const memory = z.lazy(() => z.object({
  id,
  text: z.string().min(1),
  /** SHA-256 hex of the trimmed text: memories dedupe on (scope, threadId, textHash). */
  textHash: z.string(),
  scope: z.enum(MEMORY_SCOPES),
  /** '' unless scope is 'thread' (IndexedDB cannot index null inside a compound key). */
  threadId: z.string(),
  source: z.object({ kind: z.enum(['message', 'page', 'user']), id: z.string().nullable() }),
  strength: z.number().min(0).max(1),
  pinned: flag,
  lastUsedAt: timestamp,
  createdAt: timestamp,
  updatedAt: timestamp,
}));
export type Memory = z.infer<typeof memory>;

export const jobProgress = z.lazy(() => z.object({
  done: z.number().nonnegative(),
  total: z.number().nonnegative().nullable(),
  /** Items per second over the recent window, when known. */
  rate: z.number().nonnegative().nullable(),
}));

export const job = z.lazy(() => z.object({
  id,
  type: z.enum(JOB_TYPES),
  status: z.enum(JOB_STATUSES),
  createdAt: timestamp,
  startedAt: timestamp.nullable(),
  finishedAt: timestamp.nullable(),
  progress: jobProgress,
  params: z.unknown(),
  result: z.unknown().nullable(),
  error: errorBody.nullable(),
  parentId: id.nullable(),
  relatedIds: z.array(z.string()),
  /** Where to resume after a service-worker restart; null when the job cannot resume. */
  cursor: z.unknown().nullable(),
  /**
   * Set by start-up recovery: how many workers in a row died running this job at this same cursor
   * (JSON). A second death there fails the job with JOB_POISONED instead of a third run. Absent
   * until the first death (not indexed: older rows need no migration).
   */
  deaths: z.object({ count: z.number().int().nonnegative(), at: z.string(), replays: z.number().int().nonnegative().optional() }).optional(),
  /**
   * Set by a resumed job while it redoes work done before its cursor (re-reading a file up to
   * it), to the cursor (JSON); cleared once new work begins. A worker that dies then did not die
   * of the job's new work: recovery counts it in `deaths.replays` (a bound of its own), not `count`.
   */
  replaying: z.string().optional(),
  logTail: z.array(z.string()),
  origin: z.enum(['extension', 'host']),
}));
export type Job = z.infer<typeof job>;

export const setting = z.lazy(() => z.object({ key: z.string().min(1), value: z.unknown(), updatedAt: timestamp }));
export type Setting = z.infer<typeof setting>;
