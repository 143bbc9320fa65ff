/**
 * History import jobs. A host import pulls pages of visits (`history.read` with `after`), writes
 * each `items` event in one transaction together with the job's cursor, so the stored cursor is
 * always exactly "everything up to here is in the database". A killed service worker therefore
 * resumes from the cursor and ends with exactly the file's visits (the visit id dedupes any
 * overlap). A Takeout drop is parsed here, with the same shared mapping as the host.
 */
import { z } from 'zod';
import { bytesToBase64 } from '../../shared/bundle/base64';
import type { ImportCounts } from '../../shared/commands/history';
import { CodedError, toAppError, type Result } from '../../shared/errors';
import { takeoutVisit } from '../../shared/history/takeout';
import { TakeoutScanner } from '../../shared/history/takeout-stream';
import { historyItemsEvent, historyPosition, historyProgressEvent, type HistoryPositionValue } from '../../shared/protocol/history';
import { fileName, folderId } from '../../shared/protocol/bundle';
import type { MethodParams, MethodResult } from '../../shared/protocol/methods';
import type { Job, Visit } from '../../shared/schemas/entities';
import { writeTransaction, type HydraDb } from '../db';
import type { RequestOptions } from '../host/connection';
import { appendJobLog, createJob, failJob, finishJob, reportProgress, startJob } from '../jobs';
import { visitMaker } from '../../shared/history/visit';
import { addVisits, makeVisit } from './visits';
import { visitTables } from '../visits';

/** The part of the host connection an import needs (the real HostConnection in the background). */
export interface HistoryHost {
  request(method: 'history.read', params: MethodParams<'history.read'>, options?: RequestOptions): Promise<Result<MethodResult<'history.read'>>>;
}

/** The host methods that hand it a picked history file as bytes. */
export interface HistoryUploadHost extends HistoryHost {
  request(method: 'history.read', params: MethodParams<'history.read'>, options?: RequestOptions): Promise<Result<MethodResult<'history.read'>>>;
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
}));
type ImportCursor = z.infer<typeof importCursor>;

const sourceCursorValue = z.lazy(() => z.object({ position: historyPosition }));

/** Jobs running in this worker, for cancel. Lost on restart, which recovery handles. */
const running = new Map<string, AbortController>();

export function sourceCursorKey(sourceKey: string): string {
  return `history.sourceCursor:${sourceKey}`;
}

function countsOf(cursor: ImportCursor): ImportCounts {
  return { read: cursor.read, added: cursor.added, duplicates: cursor.duplicates, invalid: cursor.invalid };
}

/** Creates and starts a host import job; returns once the job row exists. */
export async function startHostImport(db: HydraDb, host: HistoryHost, target: HistoryHostTarget, full: boolean, sizes: ImportSizes = defaultSizes): Promise<string> {
  const sourceKey = 'profileId' in target ? `profile:${target.profileId}` : 'file' in target ? `file:${target.file.folderId}/${target.file.name}` : `upload:${target.uploadId}`;
  const stored = full ? null : sourceCursorValue.safeParse((await db.settings.get(sourceCursorKey(sourceKey)))?.value);
  const params: HistoryImportParams = { kind: 'host', target, sourceKey, full };
  const job = await createJob(db, { type: 'history_import', params });
  const cursor: ImportCursor = { position: stored?.success ? stored.data.position : null, read: 0, added: 0, duplicates: 0, invalid: 0 };
  // The cursor exists from the start, so a worker killed before the first batch still resumes.
  await db.jobs.update(job.id, { cursor });
  await startJob(db, job.id);
  await appendJobLog(db, job.id, full ? 'full import: reading every visit' : cursor.position ? 'incremental import: reading visits after the last import' : 'first import: reading every visit');
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
  position: HistoryPositionValue;
}

export async function runHostImport(db: HydraDb, host: HistoryHost, job: Job, sizes: ImportSizes = defaultSizes): Promise<void> {
  const controller = new AbortController();
  running.set(job.id, controller);
  try {
    const params = importParams.parse(job.params);
    if (params.kind !== 'host') throw new CodedError('JOB_INTERRUPTED', 'A Takeout import cannot resume; drop the file again.');
    let cursor = importCursor.parse(job.cursor);
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
          cursor = await writeBatch(db, job.id, cursor, take.length === 1 ? take[0]!.rows : take.flatMap((items) => items.rows), take.reduce((sum, items) => sum + items.invalid, 0), take[take.length - 1]!.position, total);
        } catch (error) {
          fail(error);
        }
        wake?.();
      }
      writing = null;
      wake?.();
    };
    const writerProgress = () => new Promise<void>((resolve) => (wake = resolve));
    const toRow = visitMaker();
    let after = cursor.position;
    let received = cursor.read;
    let hostError: CodedError | null = null;
    for (;;) {
      const pageStart = received;
      let pageTotalKnown = false;
      const reply = await host.request(
        'history.read',
        { ...params.target, after, limit: sizes.pageVisits },
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
              fail(new CodedError('INVALID_RESULT', `The host sent a malformed items event: ${items.error.issues[0]?.message ?? ''}`));
              return;
            }
            const rows = items.data.visits.map(toRow);
            queue.push({ rows, invalid: items.data.invalid, position: items.data.position });
            queuedRows += rows.length;
            received += rows.length + items.data.invalid;
            after = items.data.position;
            writing ??= drain();
          },
        },
      );
      if (failure) break;
      if (controller.signal.aborted) throw new CodedError('CANCELLED', 'Import cancelled');
      if (!reply.ok) {
        // What arrived before the error is still written (the cursor covers it): less to read again.
        hostError = new CodedError(reply.error.code, reply.error.message);
        break;
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
    if (cursor.position) await db.settings.put({ key: sourceCursorKey(params.sourceKey), value: { position: cursor.position }, updatedAt: Date.now() });
    await appendJobLog(db, job.id, `done: read ${cursor.read}, added ${cursor.added}, duplicates ${cursor.duplicates}, invalid ${cursor.invalid}`);
    await finishJob(db, job.id, countsOf(cursor));
  } catch (error) {
    await failJob(db, job.id, toAppError(error));
  } finally {
    running.delete(job.id);
  }
}

/** One transaction: the visits and the cursor that says they are stored. */
async function writeBatch(
  db: HydraDb,
  jobId: string,
  cursor: ImportCursor,
  rows: Visit[],
  invalid: number,
  position: HistoryPositionValue | null,
  total?: number,
): Promise<ImportCursor> {
  return writeTransaction(db, [...visitTables(db), db.jobs], async () => {
    const { added, duplicates } = await addVisits(db, rows);
    const next: ImportCursor = {
      position: position ?? cursor.position,
      read: cursor.read + rows.length + invalid,
      added: cursor.added + added,
      duplicates: cursor.duplicates + duplicates,
      invalid: cursor.invalid + invalid,
    };
    await reportProgress(db, jobId, { done: next.read, cursor: next, ...(total === undefined ? {} : { total }) });
    return next;
  });
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
      cursor = await writeBatch(db, jobId, cursor, batch, invalid + oversized, null);
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
