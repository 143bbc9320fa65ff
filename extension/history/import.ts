/**
 * History import jobs. A host import pulls pages of visits (`history.read` with `after`), writes
 * each `items` event in one transaction together with the job's cursor, so the stored cursor is
 * always exactly "everything up to here is in the database". A killed service worker therefore
 * resumes from the cursor and ends with exactly the file's visits (the visit id dedupes any
 * overlap). A re-import of a source reads only the days whose summary changed since what was
 * imported from it (`history.summary`, shared/history/summary.ts; recorded in `settings` with
 * each batch). A Takeout drop is parsed here, with the same shared mapping as the host.
 */
import { z } from 'zod';
import { bytesToBase64 } from '../../shared/bundle/base64';
import type { ImportCounts } from '../../shared/commands/history';
import { CodedError, ERRORS, toAppError, type Result } from '../../shared/errors';
import { takeoutVisit } from '../../shared/history/takeout';
import { TakeoutScanner } from '../../shared/history/takeout-stream';
import { rowsOfColumns } from '../../shared/history/columns';
import { inflateJson } from '../../shared/history/inflate';
import type { HostStatus } from '../../shared/commands/host';
import { HISTORY_INFLATED_MAX_BYTES, HISTORY_READ_COLUMNS, HISTORY_READ_DEFLATE, HISTORY_READ_SUMMARY, historyItemsEvent, historyVisitColumns, historyPosition, historyProgressEvent, type HistoryPositionValue } from '../../shared/protocol/history';
import { changedDays, dayRanges, historySummary, positionDay, recordedSummary, withBlockDays, type DayRange, type HistorySummary } from '../../shared/history/summary';
import { fileName, folderId } from '../../shared/protocol/bundle';
import type { MethodParams, MethodResult } from '../../shared/protocol/methods';
import type { Job, Visit } from '../../shared/schemas/entities';
import { ensureDiskHeadroom, writeTransaction, type HydraDb } from '../db';
import type { RequestOptions } from '../host/connection';
import { appendJobLog, createJob, failJob, finishJob, reportProgress, startJob } from '../jobs';
import { urlDeriver, visitMaker } from '../../shared/history/visit';
import { exclusionMatcher, IMPORT_EXCLUSIONS_KEY, importExclusions } from './exclusions';
import { addVisits, makeVisit } from './visits';
import { visitTables } from '../visits';

/** The part of the host connection an import needs (the real HostConnection in the background). */
export interface HistoryHost {
  /** The connected host's state: its capabilities say whether it takes `encoding: "columns"`. */
  status(): Promise<HostStatus>;
  request(method: 'history.read', params: MethodParams<'history.read'>, options?: RequestOptions): Promise<Result<MethodResult<'history.read'>>>;
  request(method: 'history.summary', params: MethodParams<'history.summary'>, options?: RequestOptions): Promise<Result<MethodResult<'history.summary'>>>;
}

/** The host methods that hand it a picked history file as bytes. */
export interface HistoryUploadHost extends HistoryHost {
  request(method: 'history.read', params: MethodParams<'history.read'>, options?: RequestOptions): Promise<Result<MethodResult<'history.read'>>>;
  request(method: 'history.summary', params: MethodParams<'history.summary'>, options?: RequestOptions): Promise<Result<MethodResult<'history.summary'>>>;
  request(method: 'history.uploadOpen', params: MethodParams<'history.uploadOpen'>, options?: RequestOptions): Promise<Result<MethodResult<'history.uploadOpen'>>>;
  request(method: 'history.uploadChunk', params: MethodParams<'history.uploadChunk'>, options?: RequestOptions): Promise<Result<MethodResult<'history.uploadChunk'>>>;
}

/** Bytes per `history.uploadChunk` (base64 in the frame: well under the 64 MiB browser → host limit). */
const UPLOAD_CHUNK_BYTES = 4 * 1024 * 1024;

async function unwrap<T>(reply: Promise<Result<T>>): Promise<T> {
  const result = await reply;
  if (!result.ok) throw new CodedError(result.error.code, result.error.message);
  return result.result;
}

/**
 * A History / places.sqlite file the user picked in the browser: the page staged it (Cache
 * Storage), this reads it with the File API and hands the host its bytes (the host never takes a
 * path), then imports it like a profile. The bytes live in the host process until it exits.
 */
export async function startUploadImport(db: HydraDb, host: HistoryUploadHost, file: Blob, sizes: ImportSizes = defaultSizes): Promise<string> {
  const { uploadId } = await unwrap(host.request('history.uploadOpen', {}));
  for (let offset = 0; offset < file.size; offset += UPLOAD_CHUNK_BYTES) {
    const slice = new Uint8Array(await file.slice(offset, offset + UPLOAD_CHUNK_BYTES).arrayBuffer());
    await unwrap(host.request('history.uploadChunk', { uploadId, offset, data: bytesToBase64(slice) }, { timeoutMs: 120_000 }));
  }
  // A fresh upload has no stored cursor: every visit is read (duplicates are still skipped).
  return startHostImport(db, host, { uploadId }, true, sizes);
}

/** Visits per host page: bounds the worker's memory whatever the file's size. */
export const IMPORT_PAGE_VISITS = 20_000;
const TAKEOUT_BATCH = 5000;
/** Most visits written in one transaction. */
export const WRITE_BATCH_VISITS = 10_000;

/** Page and batch sizes; tests make them small to cover many pages and batches with few rows. */
export interface ImportSizes {
  pageVisits: number;
  writeBatchVisits: number;
}
const defaultSizes: ImportSizes = { pageVisits: IMPORT_PAGE_VISITS, writeBatchVisits: WRITE_BATCH_VISITS };

const hostTarget = z.lazy(() => z.union([z.object({ profileId: z.string() }), z.object({ file: z.object({ folderId, name: fileName }) }), z.object({ uploadId: z.string() })]));
export type HistoryHostTarget = z.infer<typeof hostTarget>;
export const importParams = z.lazy(() => z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('host'), target: hostTarget, sourceKey: z.string(), full: z.boolean() }),
  z.object({ kind: z.literal('takeout'), fileName: z.string() }),
]));
export type HistoryImportParams = z.infer<typeof importParams>;

const importCursor = z.lazy(() => z.object({
  position: historyPosition.nullable(),
  read: z.number().int(),
  added: z.number().int(),
  duplicates: z.number().int(),
  invalid: z.number().int(),
  /** False until the job has asked the host for the file's summary and chosen the days to read (absent in jobs of older versions: they read as before). */
  planned: z.boolean().optional(),
  /** The file's summary when the job started (null: the host could not summarize it). */
  summary: historySummary.nullable().optional(),
  /** The days the job reads (null: every day). */
  days: dayRanges.nullable().optional(),
  /** The day up to which the source's recorded summary was last brought up to date. */
  recordedThrough: z.number().int().optional(),
  /** Visits skipped because a privacy delete removed them since (extension/history/exclusions.ts). */
  deleted: z.number().int().optional(),
  /**
   * The file's summary comes with the job's first page (`history.read` with `summary: true`: the
   * summary of that page's snapshot) instead of before it. Until it has arrived `summary` is
   * absent; a job resumed after rows were stored without it records no summary (see runHostImport).
   */
  summaryFromRead: z.boolean().optional(),
}));
type ImportCursor = z.infer<typeof importCursor>;

const sourceCursorValue = z.lazy(() => z.object({ position: historyPosition }));

/** Jobs running in this worker, for cancel. Lost on restart, which recovery handles. */
const running = new Map<string, AbortController>();

/** The last position read from a source, as versions before the summaries kept it (read, no longer written). */
export function sourceCursorKey(sourceKey: string): string {
  return `${SOURCE_CURSOR_PREFIX}${sourceKey}`;
}
const SOURCE_CURSOR_PREFIX = 'history.sourceCursor:';

/** The summary of what was imported from a source (per block of days: visits and digest). */
export function sourceSummaryKey(sourceKey: string): string {
  return `${SOURCE_SUMMARY_PREFIX}${sourceKey}`;
}
const SOURCE_SUMMARY_PREFIX = 'history.sourceSummary:';

async function storedSummary(db: HydraDb, sourceKey: string): Promise<HistorySummary | null> {
  const parsed = historySummary.safeParse((await db.settings.get(sourceSummaryKey(sourceKey)))?.value);
  return parsed.success ? parsed.data : null;
}

/**
 * Forgets what was imported from every source (summaries and old cursors), so the next import of
 * any source reads it whole again: "Delete all history" does this (docs/history.md, "Re-import").
 */
export async function forgetImportedSources(db: HydraDb): Promise<void> {
  await db.transaction('rw', db.settings, async () => {
    await db.settings.where('key').startsWith(SOURCE_SUMMARY_PREFIX).delete();
    await db.settings.where('key').startsWith(SOURCE_CURSOR_PREFIX).delete();
    await db.settings.delete(IMPORT_EXCLUSIONS_KEY);
  });
}

function countsOf(cursor: ImportCursor): ImportCounts {
  return { read: cursor.read, added: cursor.added, duplicates: cursor.duplicates, invalid: cursor.invalid, ...(cursor.deleted ? { deleted: cursor.deleted } : {}) };
}

/** Creates and starts a host import job; returns once the job row exists. */
export async function startHostImport(db: HydraDb, host: HistoryHost, target: HistoryHostTarget, full: boolean, sizes: ImportSizes = defaultSizes): Promise<string> {
  const sourceKey = 'profileId' in target ? `profile:${target.profileId}` : 'file' in target ? `file:${target.file.folderId}/${target.file.name}` : `upload:${target.uploadId}`;
  const stored = full ? null : sourceCursorValue.safeParse((await db.settings.get(sourceCursorKey(sourceKey)))?.value);
  const params: HistoryImportParams = { kind: 'host', target, sourceKey, full };
  const job = await createJob(db, { type: 'history_import', params });
  const cursor: ImportCursor = { position: stored?.success ? stored.data.position : null, read: 0, added: 0, duplicates: 0, invalid: 0, planned: false };
  // The cursor exists from the start, so a worker killed before the first batch still resumes.
  await db.jobs.update(job.id, { cursor });
  await startJob(db, job.id);
  void runHostImport(db, host, { ...job, cursor, status: 'running' }, sizes);
  return job.id;
}

/** The resumer for 'history_import': picks a job up from its stored cursor. */
export function resumeHistoryImport(db: HydraDb, host: HistoryHost, job: Job): void {
  void runHostImport(db, host, job);
}

/** A host `items` event, validated and already turned into stored rows when it arrived. */
interface PreparedItems {
  rows: Visit[];
  invalid: number;
  /** Visits of the event skipped as deleted since (not in `rows`). */
  deleted: number;
  position: HistoryPositionValue;
}

export async function runHostImport(db: HydraDb, host: HistoryHost, job: Job, sizes: ImportSizes = defaultSizes): Promise<void> {
  const controller = new AbortController();
  running.set(job.id, controller);
  try {
    const params = importParams.parse(job.params);
    if (params.kind !== 'host') throw new CodedError('JOB_INTERRUPTED', 'A Takeout import cannot resume; drop the file again.');
    let cursor = importCursor.parse(job.cursor);
    // What this host takes beyond the methods (docs/protocol.md, "Handshake and compatibility").
    const status = await host.status();
    const capabilities: readonly string[] = status.state === 'connected' ? status.capabilities : [];
    if (cursor.planned === false) cursor = await planImport(db, host, job.id, params, cursor, controller.signal, capabilities.includes(HISTORY_READ_SUMMARY));
    const sourceKey = 'uploadId' in params.target ? null : params.sourceKey;
    // Reading and writing overlap: rows are validated and built as events arrive (while the last
    // batch commits), and the next page is asked for as soon as a page ends, not when its rows
    // are stored. The stored cursor still only moves with the rows it covers (see writeBatch).
    const queue: PreparedItems[] = [];
    let queuedRows = 0;
    let failure: unknown = null;
    const fail = (error: unknown) => {
      failure ??= error;
      controller.abort();
    };
    // Job-wide total, from the host's first progress event of each page.
    let total: number | undefined;
    let writing: Promise<void> | null = null;
    let wake: (() => void) | null = null;
    const drain = async () => {
      // Not a step before `writing` holds this call: a drain that ended at once (a failure already
      // set) would clear it first, then be stored as a settled `writing` that never clears.
      await Promise.resolve();
      while (queue.length && !failure && !controller.signal.aborted) {
        // Everything that arrived while the last write ran goes into the next one (up to the
        // batch size): batches grow to what IndexedDB absorbs, in fewer, larger transactions.
        const take: PreparedItems[] = [];
        let size = 0;
        while (queue.length && size < sizes.writeBatchVisits) {
          const next = queue.shift()!;
          take.push(next);
          size += next.rows.length;
        }
        queuedRows -= size;
        try {
          const batch = {
            rows: take.length === 1 ? take[0]!.rows : take.flatMap((items) => items.rows),
            invalid: take.reduce((sum, items) => sum + items.invalid, 0),
            deleted: take.reduce((sum, items) => sum + items.deleted, 0),
            position: take[take.length - 1]!.position,
          };
          if (fileSummary && !cursor.summary) cursor = { ...cursor, summary: fileSummary };
          cursor = await writeBatch(db, job.id, cursor, batch, { total, sourceKey, skipTombstoned: !params.full });
        } catch (error) {
          fail(error);
        }
        wake?.();
      }
      writing = null;
      wake?.();
    };
    const writerProgress = () => new Promise<void>((resolve) => (wake = resolve));
    const derive = urlDeriver();
    const toRow = visitMaker();
    // A host that lists the columns encoding gets asked for it (less to send, parse and check); an
    // older one sends objects (docs/protocol.md, "history.read encodings").
    const encoding = capabilities.includes(HISTORY_READ_COLUMNS) ? ('columns' as const) : null;
    // …and deflated when it can: native messaging costs Chromium about as much per byte as the import's writes.
    const compression = encoding && capabilities.includes(HISTORY_READ_DEFLATE) ? ('deflate-raw' as const) : null;
    // The summary comes with the first page when nothing of the file is stored by this job yet;
    // it describes that page's snapshot, which every later page's snapshot follows.
    let askSummary = cursor.summaryFromRead === true && !cursor.summary && cursor.read === 0;
    let fileSummary: HistorySummary | null = cursor.summary ?? null;
    // Visits a privacy delete removed since stay out, unless the user asked to re-read everything.
    const excluded = params.full ? null : exclusionMatcher(await importExclusions(db));
    let after = cursor.position;
    let received = cursor.read;
    let hostError: CodedError | null = null;
    /** The deflated events being inflated, in order (a host that lists HISTORY_READ_DEFLATE). */
    let inflating: Promise<void> = Promise.resolve();
    /** An event's rows (and what it skipped) join the write queue; the next page starts after it. */
    const take = (made: Visit[], invalid: number, position: HistoryPositionValue) => {
      const rows = excluded ? made.filter((row) => !excluded(row)) : made;
      queue.push({ rows, invalid, deleted: made.length - rows.length, position });
      queuedRows += rows.length;
      received += made.length + invalid;
      after = position;
      writing ??= drain();
    };
    // A re-import whose every block matches what was imported reads nothing.
    for (;;) {
      if (cursor.days?.length === 0) break;
      const pageStart = received;
      let pageTotalKnown = false;
      const reply = await host.request(
        'history.read',
        { ...params.target, after, limit: sizes.pageVisits, ...(cursor.days ? { days: cursor.days } : {}), ...(encoding ? { encoding } : {}), ...(compression ? { compression } : {}), ...(askSummary ? { summary: true } : {}) },
        {
          timeoutMs: 0,
          signal: controller.signal,
          onEvent: (event, data) => {
            if (event === 'progress' && !pageTotalKnown) {
              const progress = historyProgressEvent.safeParse(data);
              if (progress.success) {
                total = pageStart + progress.data.remaining;
                pageTotalKnown = true;
              }
            }
            if (event !== 'items' || failure) return;
            const items = historyItemsEvent.safeParse(data);
            if (!items.success) {
              // A union names no branch's reason: for columns, say what is wrong with them.
              const columns = typeof data === 'object' && data !== null && 'columns' in data ? historyVisitColumns.safeParse(data.columns).error : undefined;
              fail(new CodedError('INVALID_RESULT', `The host sent a malformed items event: ${(columns ?? items.error).issues[0]?.message ?? ''}`));
              return;
            }
            const { invalid, position } = items.data;
            if ('deflated' in items.data) {
              // Inflated off the event (it is asynchronous), one event after another: the rows
              // still reach the queue in the host's order.
              const { deflated } = items.data;
              inflating = inflating
                .then(async () => {
                  if (failure) return;
                  const columns = historyVisitColumns.safeParse(await inflateJson(deflated, HISTORY_INFLATED_MAX_BYTES));
                  if (failure) return;
                  if (!columns.success) throw new CodedError('INVALID_RESULT', `The host sent a malformed items event: ${columns.error.issues[0]?.message ?? ''}`);
                  take(rowsOfColumns(columns.data, derive), invalid, position);
                })
                .catch(fail);
            } else take('columns' in items.data ? rowsOfColumns(items.data.columns, derive) : items.data.visits.map(toRow), invalid, position);
          },
        },
      );
      await inflating;
      if (failure) break;
      if (controller.signal.aborted) throw new CodedError('CANCELLED', 'Import cancelled');
      if (!reply.ok) {
        // What arrived before the error is still written (the cursor covers it): less to read again.
        hostError = new CodedError(reply.error.code, reply.error.message);
        break;
      }
      if (askSummary) {
        askSummary = false;
        // The next batch written stores it with its cursor (drain), and records what it covers.
        fileSummary = reply.result.summary?.summary ?? null;
      }
      if (reply.result.done || reply.result.read === 0) break;
      // Back-pressure: the worker holds at most about one page beyond the batch being written.
      while (queuedRows > sizes.writeBatchVisits && writing && !failure) await writerProgress();
    }
    while (writing) await writing;
    if (failure) throw failure;
    if (controller.signal.aborted) throw new CodedError('CANCELLED', 'Import cancelled');
    if (hostError) throw hostError;
    await reportProgress(db, job.id, { done: cursor.read, total: total ?? cursor.read });
    const summary = cursor.summary ?? fileSummary;
    if (summary && sourceKey) {
      // Every day the import reads is stored: what it records is the file's summary.
      await db.transaction('rw', db.settings, async () => {
        await db.settings.put({ key: sourceSummaryKey(sourceKey), value: recordedSummary(summary, null, null, Infinity), updatedAt: Date.now() });
        await db.settings.delete(sourceCursorKey(sourceKey));
      });
    } else if (cursor.position && sourceKey && !cursor.summaryFromRead) await db.settings.put({ key: sourceCursorKey(sourceKey), value: { position: cursor.position }, updatedAt: Date.now() });
    // (A job resumed without its first page's summary records nothing: the next import of the
    // source reads the whole file again, adding only what is new.)
    await appendJobLog(db, job.id, `done: read ${cursor.read}, added ${cursor.added}, duplicates ${cursor.duplicates}, invalid ${cursor.invalid}${cursor.deleted ? `, deleted here before ${cursor.deleted}` : ''}`);
    await finishJob(db, job.id, countsOf(cursor));
  } catch (error) {
    // The job itself: a row gone with the database is written back, failed (DATABASE_RESET).
    await failJob(db, job, toAppError(error));
  } finally {
    running.delete(job.id);
  }
}

/**
 * Chooses what to read. On a re-import of a source with a recorded summary, asks the host for the
 * file's summary and reads only the days of the blocks that differ (none: nothing to read).
 * Otherwise it reads everything (or, for a source an older version imported, what follows its
 * stored position), and a host that can (HISTORY_READ_SUMMARY) hands the summary over with the
 * first page instead of before it: the import starts at once, and the summary describes the
 * snapshot the first page was read from, which is no later than any page's (docs/history.md,
 * "Re-import").
 */
async function planImport(db: HydraDb, host: HistoryHost, jobId: string, params: Extract<HistoryImportParams, { kind: 'host' }>, cursor: ImportCursor, signal: AbortSignal, readTakesSummary: boolean): Promise<ImportCursor> {
  let next: ImportCursor;
  let note: string;
  const stored = params.full || 'uploadId' in params.target ? null : await storedSummary(db, params.sourceKey);
  const withFirstPage = !stored && readTakesSummary && !('uploadId' in params.target);
  const reply = 'uploadId' in params.target || withFirstPage ? null : await host.request('history.summary', params.target, { timeoutMs: 0, signal });
  if (reply && !reply.ok && reply.error.code !== 'UNKNOWN_METHOD') throw new CodedError(reply.error.code, reply.error.message);
  const changed = reply?.ok && stored ? changedDays(stored, reply.result.summary) : null;
  if (reply?.ok && changed) {
    const summary = withBlockDays(reply.result.summary, changed.blockDays);
    next = { ...cursor, position: null, planned: true, summary, days: changed.ranges, recordedThrough: -1 };
    const days = changed.ranges.reduce((sum, [from, to]) => sum + (to - from), 0);
    note = `re-import: reading ${days} day(s) whose visits changed since the last import (${summary.blocks.length} block(s) of ${summary.blockDays} day(s) in the file)`;
  } else {
    // Another kind of file than the one summarized before: read it whole (not after an old position).
    next = { ...cursor, position: stored ? null : cursor.position, planned: true, summary: reply?.ok ? reply.result.summary : null, days: null, recordedThrough: -1, ...(withFirstPage ? { summaryFromRead: true } : {}) };
    if (withFirstPage) delete next.summary;
    note = params.full ? 'full import: reading every visit' : next.position ? 'incremental import: reading visits after the last import' : 'first import: reading every visit';
    if (reply && !reply.ok) note += ' (this host cannot summarize history files: update it)';
  }
  await db.jobs.update(jobId, { cursor: next });
  await appendJobLog(db, jobId, note);
  return next;
}

/**
 * One transaction: the visits and the cursor that says they are stored (and, for a source, the
 * summary of what it now holds from the file). Refused with QUOTA_EXCEEDED, before anything is
 * written, when less than the disk headroom is left.
 */
async function writeBatch(
  db: HydraDb,
  jobId: string,
  cursor: ImportCursor,
  batch: { rows: Visit[]; invalid: number; deleted?: number; position: HistoryPositionValue | null },
  options: { total?: number | undefined; sourceKey?: string | null; skipTombstoned?: boolean } = {},
): Promise<ImportCursor> {
  const { invalid, position } = batch;
  let { rows } = batch;
  let deleted = batch.deleted ?? 0;
  const { total, sourceKey = null } = options;
  // Never the write that fills the disk (extension/db/disk-space.ts); checked outside the transaction.
  await ensureDiskHeadroom();
  return writeTransaction(db, [...new Set([...visitTables(db), db.jobs, db.settings, db.syncTombstones])], async () => {
    // The job's row is gone with the database (Chromium deletes one it cannot read after a full
    // disk, and the next open starts it empty): the cursor is meaningless there, write nothing.
    if (!(await db.jobs.get(jobId))) throw new CodedError('DATABASE_RESET', ERRORS.DATABASE_RESET.message);
    if (options.skipTombstoned) rows = await withoutTombstoned(db, rows);
    deleted += batch.rows.length - rows.length;
    const { added, duplicates } = await addVisits(db, rows);
    const next: ImportCursor = {
      ...cursor,
      position: position ?? cursor.position,
      read: cursor.read + rows.length + invalid + deleted,
      added: cursor.added + added,
      duplicates: cursor.duplicates + duplicates,
      invalid: cursor.invalid + invalid,
      ...(deleted || cursor.deleted ? { deleted: (cursor.deleted ?? 0) + deleted } : {}),
    };
    if (sourceKey && next.summary && next.position) await recordProgress(db, sourceKey, next, next.summary);
    await reportProgress(db, jobId, { done: next.read, cursor: next, ...(total === undefined ? {} : { total }) });
    return next;
  });
}

/**
 * The rows whose visit sync has not deleted: a visit deleted on another machine arrives as a
 * tombstone (extension/sync/visits.ts) and is not in this machine's import exclusions, which only
 * local deletes write, so without this a re-import of a changed day brought it back here. One read
 * when no tombstone exists (sync never used, or no visit ever deleted).
 */
async function withoutTombstoned(db: HydraDb, rows: Visit[]): Promise<Visit[]> {
  if (rows.length === 0 || !(await db.syncTombstones.limit(1).count())) return rows;
  const found = await db.syncTombstones.bulkGet(rows.map((row) => row.id));
  return found.some((tombstone) => tombstone !== undefined) ? rows.filter((_, i) => found[i] === undefined) : rows;
}

/**
 * Brings the source's recorded summary up to date once the import has passed the end of a block:
 * the days before the last row read are stored (rows come in time order), so a killed or failed
 * import still counts what it stored, and the next re-import does not read those days again.
 */
async function recordProgress(db: HydraDb, sourceKey: string, cursor: ImportCursor, summary: HistorySummary): Promise<void> {
  const through = positionDay(summary.kind, cursor.position!);
  const blockDays = summary.blockDays;
  if (Math.floor(through / blockDays) <= Math.floor((cursor.recordedThrough ?? -1) / blockDays)) return;
  const days: DayRange[] | null = cursor.days ?? null;
  await db.settings.put({ key: sourceSummaryKey(sourceKey), value: recordedSummary(summary, await storedSummary(db, sourceKey), days, through), updatedAt: Date.now() });
  cursor.recordedThrough = through;
}

export async function startTakeoutImport(db: HydraDb, fileName: string, file: Blob, done?: () => Promise<void>): Promise<string> {
  const params: HistoryImportParams = { kind: 'takeout', fileName };
  const job = await createJob(db, { type: 'history_import', params });
  await startJob(db, job.id);
  void runTakeoutImport(db, job.id, file).finally(() => done?.());
  return job.id;
}

/**
 * Streams the file through the Takeout scanner: the worker holds one piece of text and one batch
 * of visits at a time, whatever the file's size (it once parsed the whole text, several hundred
 * MB of heap for a large Takeout file). Batches are written as they fill, with the file's order.
 */
async function runTakeoutImport(db: HydraDb, jobId: string, file: Blob): Promise<void> {
  const controller = new AbortController();
  running.set(jobId, controller);
  try {
    const scanner = new TakeoutScanner();
    let cursor: ImportCursor = { position: null, read: 0, added: 0, duplicates: 0, invalid: 0 };
    let batch: ReturnType<typeof makeVisit>[] = [];
    let invalid = 0;
    const flush = async () => {
      const oversized = scanner.oversized;
      scanner.oversized = 0;
      cursor = await writeBatch(db, jobId, cursor, { rows: batch, invalid: invalid + oversized, position: null });
      batch = [];
      invalid = 0;
    };
    const reader = file.stream().pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      if (controller.signal.aborted) {
        await reader.cancel();
        throw new CodedError('CANCELLED', 'Import cancelled');
      }
      const { value, done } = await reader.read();
      if (done) break;
      for (const text of scanner.push(value)) {
        let entry: unknown;
        try {
          entry = JSON.parse(text);
        } catch {
          invalid++;
          continue;
        }
        const visit = takeoutVisit(entry);
        if (visit) batch.push(makeVisit(visit));
        else invalid++;
        if (batch.length >= TAKEOUT_BATCH) await flush();
      }
    }
    scanner.finish();
    await flush();
    // Not resumable (the staged copy is dropped when the job ends): no cursor is kept.
    await db.jobs.update(jobId, { cursor: null });
    await finishJob(db, jobId, countsOf(cursor));
  } catch (error) {
    await failJob(db, jobId, toAppError(error));
  } finally {
    running.delete(jobId);
  }
}

/** Cancels a running import; a job left active by a dead worker is marked cancelled directly. */
export async function cancelImport(db: HydraDb, jobId: string): Promise<boolean> {
  const controller = running.get(jobId);
  if (controller) {
    controller.abort();
    return true;
  }
  const job = await db.jobs.get(jobId);
  if (!job || job.type !== 'history_import' || (job.status !== 'running' && job.status !== 'queued')) return false;
  await failJob(db, jobId, { code: 'CANCELLED', message: 'Import cancelled' });
  return true;
}
