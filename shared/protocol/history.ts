/** History capability: list importable browser profiles and stream a history file's visits. */
import { z } from 'zod';
import { dayRanges, historySummary } from '../history/summary';
import { historyVisit } from '../history/visit';
import { timestamp, urlText } from '../schemas/entities';
import { TRANSITIONS, VISIT_SOURCES } from '../schemas/statuses';
import { fileName, folderId } from './bundle';
import { defineMethod } from './define';
import { STREAM_PART_BYTES } from './limits';

export const historyProfile = z.lazy(() => z.object({
  id: z.string().min(1).max(300),
  browser: z.enum(VISIT_SOURCES),
  name: z.string(),
  profileDir: z.string(),
  historyPath: z.string(),
  historySize: z.number().int().nonnegative(),
  modifiedAt: timestamp,
}));
export type HistoryProfileInfo = z.infer<typeof historyProfile>;

/** The last visit read from a file: its time in the source's own unit and its row id. */
export const historyPosition = z.lazy(() => z.object({ time: z.string().regex(/^-?\d+$/), id: z.number().int() }));
export type HistoryPositionValue = z.infer<typeof historyPosition>;

/** Visits per `history.read` call: bounds the extension's memory whatever the file's size. */
export const HISTORY_READ_MAX_LIMIT = 100_000;

/**
 * Encodings of an `items` event's visits: `objects` (one `{url, title, visitedAt, transition,
 * source}` per visit, the default every host speaks) or `columns` (HistoryVisitColumns: a host that
 * lists HISTORY_READ_COLUMNS in its hello capabilities; docs/protocol.md, "history.read encodings").
 */
export const HISTORY_READ_ENCODINGS = ['objects', 'columns'] as const;
export type HistoryReadEncoding = (typeof HISTORY_READ_ENCODINGS)[number];
/** The capability (in `hello`'s list, beside the method names) of a host that takes `encoding: "columns"`. */
export const HISTORY_READ_COLUMNS = 'history.read:columns';
/** The capability of a host that takes `summary: true` (the file's summary of the snapshot the call read, in its result). */
export const HISTORY_READ_SUMMARY = 'history.read:summary';
/**
 * The capability of a host that takes `compression: "deflate-raw"` with the columns encoding: each
 * `items` event then carries its columns as the base64 of their JSON, deflated (RFC 1951). Native
 * messaging costs Chromium about as much per byte as the whole import's writing, and the stream
 * deflates ~6× (docs/protocol.md, "history.read encodings").
 */
export const HISTORY_READ_DEFLATE = 'history.read:deflate';
/** Capabilities a host lists in `hello` beyond its method names: features of a method added within a protocol version. */
export const HOST_FEATURES = [HISTORY_READ_COLUMNS, HISTORY_READ_SUMMARY, HISTORY_READ_DEFLATE] as const;
/** The compressions of `history.read` (only with `encoding: "columns"`). */
export const HISTORY_READ_COMPRESSIONS = ['deflate-raw'] as const;
/**
 * Most bytes a deflated event's columns may inflate to: the host cuts events at STREAM_PART_BYTES
 * (estimated at three bytes a character; a character JSON escapes takes six), so a real event
 * stays far below; more is refused as hostile (a small deflated text can inflate to gigabytes).
 */
export const HISTORY_INFLATED_MAX_BYTES = 4 * STREAM_PART_BYTES;

/** The latest time a Date holds (ms): `timestamp`'s bound. */
const MAX_VISITED_AT = 8_640_000_000_000_000;
/** An array of safe integers, checked in one loop (a zod schema per element cost ~0.2 µs each); built on first use. */
const integers = () => z.custom<number[]>((value) => Array.isArray(value) && value.every((n) => Number.isSafeInteger(n)), { message: 'expected an array of integers' });

/**
 * The visits of one `items` event as columns: `source` once; the distinct (URL, title) pairs the
 * event's visits have (`urls[i]` with `titles[i]`) and the distinct transitions; per visit
 * (`page`, `transition` and `at` have one entry each, in order) the index of its pair, the index
 * of its transition, and its `visitedAt` — the first absolute, every next one as the difference to
 * the one before (visits come in time order: a few digits instead of thirteen). Every field is
 * checked as `historyVisit` checks a visit (URL length, title, transition and source names, each
 * decoded time a `timestamp`), plus equal lengths and indexes in range: anything else fails the
 * whole event.
 */
export const historyVisitColumns = z.lazy(() => z
  .object({
    source: z.enum(VISIT_SOURCES),
    urls: z.array(urlText),
    titles: z.array(z.string()),
    transitions: z.array(z.enum(TRANSITIONS)),
    page: integers(),
    transition: integers(),
    at: integers(),
  })
  .superRefine((columns, ctx) => {
    const problem = columnsProblem(columns);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }));
export type HistoryVisitColumns = z.infer<typeof historyVisitColumns>;

/** What makes columns unusable beyond their fields' types (lengths, indexes, times), or null. */
function columnsProblem(columns: { urls: readonly string[]; titles: readonly string[]; transitions: readonly string[]; page: readonly number[]; transition: readonly number[]; at: readonly number[] }): string | null {
  const n = columns.page.length;
  if (columns.transition.length !== n || columns.at.length !== n) return 'page, transition and at must have one entry per visit';
  if (columns.titles.length !== columns.urls.length) return 'urls and titles must be pairs';
  const pages = columns.urls.length;
  const transitions = columns.transitions.length;
  let visitedAt = 0;
  for (let i = 0; i < n; i++) {
    const page = columns.page[i]!;
    const transition = columns.transition[i]!;
    if (page < 0 || page >= pages) return `visit ${i}: no page ${page}`;
    if (transition < 0 || transition >= transitions) return `visit ${i}: no transition ${transition}`;
    visitedAt = i === 0 ? columns.at[0]! : visitedAt + columns.at[i]!;
    if (!(visitedAt >= 0 && visitedAt <= MAX_VISITED_AT)) return `visit ${i}: time out of range`;
  }
  return null;
}
const itemsEnvelope = () => ({
  invalid: z.number().int().nonnegative(),
  /** Position of the last row covered by this event: continue after it. */
  position: historyPosition,
});
/**
 * An `items` event of either encoding: `visits` (objects) or `columns`, the columns deflated
 * (`deflated`: base64, checked as columns once inflated: shared/history/inflate.ts) when asked.
 */
export const historyItemsEvent = z.lazy(() => z.union([
  z.object({ columns: historyVisitColumns, ...itemsEnvelope() }),
  z.object({ deflated: z.string().max(STREAM_PART_BYTES * 2), ...itemsEnvelope() }),
  z.object({ visits: z.array(historyVisit), ...itemsEnvelope() }),
]));
export type HistoryItemsEvent = z.infer<typeof historyItemsEvent>;

/** done/total of one `history.read` call; `remaining` = rows after `after` in the whole file. */
export const historyProgressEvent = z.lazy(() => z.object({ done: z.number().int(), total: z.number().int(), remaining: z.number().int() }));

const uploadIdSchema = z.lazy(() => z.string().regex(/^u[0-9a-f]{16}$/));
const uploadId = z.lazy(() => uploadIdSchema.optional());
/** Largest slice `history.uploadChunk` accepts (as bundle.writeChunk). */
export const HISTORY_UPLOAD_CHUNK_BYTES = 8 * 1024 * 1024;

/** Which history file a call names: exactly one of a profile, a file in an allowed folder, or an upload (built on first use). */
const historyFileFields = () => ({
  profileId: z.string().min(1).max(300).optional(),
  /** A history file in an allowed folder (bundle.list's folders), by plain name. */
  file: z.strictObject({ folderId, name: fileName }).optional(),
  /** A history file the user picked in the browser, handed over as bytes (history.uploadOpen). */
  uploadId,
});
const namesOneHistoryFile = [
  (p: { profileId?: unknown; file?: unknown; uploadId?: unknown }) => [p.profileId, p.file, p.uploadId].filter((v) => v !== undefined).length === 1,
  { message: 'give exactly one of profileId, file or uploadId' },
] as const;

export const historyMethods = {
  'history.profiles': defineMethod({
    summary: 'Lists Chrome/Chromium/Edge/Brave/Vivaldi and Firefox profiles with a history file (name, path, size, mtime).',
    params: () => z.strictObject({}),
    result: () => z.object({ profiles: z.array(historyProfile) }),
  }),
  'history.read': defineMethod({
    summary:
      'Streams up to `limit` visits of a profile found by history.profiles (or of a file in an allowed folder, by name) after `after`, as `items` events (< 512 KiB each) with `progress`; cancellable. Result says where it stopped and whether the file is exhausted.',
    params: () => z
      .strictObject({
        ...historyFileFields(),
        since: timestamp.optional(),
        after: historyPosition.nullable().default(null),
        /** Only visits of these UTC days: [from, to) ranges, ascending and disjoint (a re-import's changed blocks, from history.summary). */
        days: dayRanges.optional(),
        limit: z.number().int().positive().max(HISTORY_READ_MAX_LIMIT).default(20_000),
        /** How `items` events carry their visits (HISTORY_READ_ENCODINGS; absent: objects). Only a host listing HISTORY_READ_COLUMNS takes this field: an older one refuses it (strict params). */
        encoding: z.enum(HISTORY_READ_ENCODINGS).optional(),
        /** Deflate each event's columns (HISTORY_READ_COMPRESSIONS; with `encoding: "columns"` only). Only a host listing HISTORY_READ_DEFLATE takes this field. */
        compression: z.enum(HISTORY_READ_COMPRESSIONS).optional(),
        /** Also summarize the file (as history.summary) from the snapshot this call read, after its items: the result's `summary`. Only a host listing HISTORY_READ_SUMMARY takes this field. */
        summary: z.boolean().optional(),
      })
      .refine(...namesOneHistoryFile)
      .refine((p) => p.compression === undefined || p.encoding === 'columns', { message: 'compression needs encoding "columns"' }),
    result: () => z.object({
      kind: z.enum(['chromium', 'firefox', 'takeout']),
      source: z.enum(VISIT_SOURCES),
      /** Rows (valid or not) matching since/after when the call started: what remains to read. */
      remaining: z.number().int().nonnegative(),
      read: z.number().int().nonnegative(),
      invalid: z.number().int().nonnegative(),
      position: historyPosition.nullable(),
      done: z.boolean(),
      /** With `summary: true`: the file's summary, of the very snapshot this call's visits came from. */
      summary: z.object({ summary: historySummary, visits: z.number().int().nonnegative() }).optional(),
    }),
    events: () => ({
      items: historyItemsEvent,
      progress: historyProgressEvent,
    }),
  }),
  'history.summary': defineMethod({
    summary:
      'Summarizes a history file (named as for history.read) per block of UTC days of visit time: visits and an order-independent digest of their (URL, time) identities, so a re-import reads only the days whose block changed.',
    params: () => z.strictObject(historyFileFields()).refine(...namesOneHistoryFile),
    result: () => z.object({
      source: z.enum(VISIT_SOURCES),
      summary: historySummary,
      /** Visits summarized (those with a time a Date holds; URL validity is checked when read). */
      visits: z.number().int().nonnegative(),
    }),
  }),
  'history.uploadOpen': defineMethod({
    summary: 'Starts handing the host a history file the user picked in the browser, as bytes (never a path); it lives as long as this host process.',
    params: () => z.strictObject({}),
    result: () => z.object({ uploadId: uploadIdSchema }),
  }),
  'history.uploadChunk': defineMethod({
    summary: 'Appends base64 bytes at `offset` (must equal the bytes sent so far) to an uploaded history file.',
    params: () => z.strictObject({ uploadId: uploadIdSchema, offset: z.number().int().nonnegative(), data: z.string().max(Math.ceil(HISTORY_UPLOAD_CHUNK_BYTES / 3) * 4) }),
    result: () => z.object({ bytes: z.number().int().nonnegative() }),
  }),
  'history.uploadDrop': defineMethod({
    summary: 'Deletes an uploaded history file.',
    params: () => z.strictObject({ uploadId: uploadIdSchema }),
    result: () => z.object({ dropped: z.boolean() }),
  }),
};
