/** History capability: list importable browser profiles and stream a history file's visits. */
import { z } from 'zod';
import { dayRanges, historySummary } from '../history/summary';
import { historyVisit } from '../history/visit';
import { timestamp } from '../schemas/entities';
import { VISIT_SOURCES } from '../schemas/statuses';
import { fileName, folderId } from './bundle';
import { defineMethod } from './define';

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

export const historyItemsEvent = z.lazy(() => z.object({
  visits: z.array(historyVisit),
  invalid: z.number().int().nonnegative(),
  /** Position of the last row covered by this event: continue after it. */
  position: historyPosition,
}));
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
      })
      .refine(...namesOneHistoryFile),
    result: () => z.object({
      kind: z.enum(['chromium', 'firefox', 'takeout']),
      source: z.enum(VISIT_SOURCES),
      /** Rows (valid or not) matching since/after when the call started: what remains to read. */
      remaining: z.number().int().nonnegative(),
      read: z.number().int().nonnegative(),
      invalid: z.number().int().nonnegative(),
      position: historyPosition.nullable(),
      done: z.boolean(),
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
