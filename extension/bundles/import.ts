/**
 * Bundle preview and import. Both first validate the whole file (manifest, hashes, counts, every
 * row; see shared/bundle/read.ts) and refuse it with a stable code before anything is written.
 * The import then writes component by component in batches; each batch and the job's cursor
 * (component, row, counts so far) commit in one transaction, so a killed worker resumes from the
 * cursor, and rows are deduplicated against the store, so nothing is ever written twice.
 */
import { z } from 'zod';
import { COMPONENTS, type BundleScope } from '../../shared/bundle/format';
import { openBundle, readRows, validateBundle, type RowsAnchor, type ValidateOptions, type ValidationCheckpoint } from '../../shared/bundle/read';
import type { ByteSource } from '../../shared/bundle/zip-read';
import { bundleFileRef, importReport, type BundleFileRef, type BundlePreview, type ImportReport } from '../../shared/commands/bundles';
import { CodedError, toAppError } from '../../shared/errors';
import type { Job } from '../../shared/schemas/entities';
import { ensureDiskHeadroom, type HydraDb } from '../db';
import { appendJobLog, createJob, failJob, finishJob, replayed, replaying, reportProgress, startJob } from '../jobs';
import { copiedSource, discardCopy, discardStaged, inflatedCopy, openSource, type BundleHost, type InflatedCopy } from './files';
import { foreignRowSource } from './foreign';
import type { RowSource } from './row-source';
import { countBatch, prepareBatch, writePrepared, writeTables } from './stores';

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];

export interface OpenOptions {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  /** Validation of a bundle: go on from this checkpoint, and save checkpoints (an import cut off while validating resumes). */
  resume?: ValidationCheckpoint | null;
  checkpoint?: (state: ValidationCheckpoint) => Promise<void>;
  /** Awaited once a resumed validation has read again what its checkpoint covers. */
  onResumed?: () => Promise<void>;
  /**
   * The bundle was validated whole by an earlier run of this import (its manifest's SHA-256): it is
   * not validated again, and each component's rows are hashed again as they are read, so a file
   * changed since fails with BUNDLE_FILE_CHANGED.
   */
  validated?: string;
  /**
   * The job's inflated copy of the bundle: validation keeps each component's inflated bytes there,
   * and a read from an anchor seeks in them instead of inflating the bundle from its start.
   */
  inflated?: InflatedCopy;
}

/** Opens and fully validates a file (or checks it is the one validated); throws a CodedError (4xx) when it must be refused. */
export async function openRowSource(source: ByteSource, options: OpenOptions = {}): Promise<RowSource> {
  const head = await source.read(0, Math.min(4, source.size));
  if (head.length === 4 && ZIP_MAGIC.every((b, i) => head[i] === b)) {
    const bundle = await openBundle(source);
    let rows: Record<string, number>;
    if (options.validated !== undefined) {
      if (bundle.manifestSha256 !== options.validated) throw new CodedError('BUNDLE_FILE_CHANGED', `The file is not the one this import validated (identity ${bundle.manifestSha256.slice(0, 12)}…; it was ${options.validated.slice(0, 12)}…)`);
      rows = Object.fromEntries(bundle.components.map((c) => [c, bundle.manifest.components[c]!.rows]));
    } else {
      const validating: ValidateOptions = {};
      if (options.signal) validating.signal = options.signal;
      if (options.onProgress) validating.onProgress = options.onProgress;
      if (options.resume) validating.resume = options.resume;
      if (options.checkpoint) validating.checkpoint = options.checkpoint;
      if (options.onResumed) validating.onResumed = options.onResumed;
      if (options.inflated) validating.keep = options.inflated.keep;
      rows = (await validateBundle(bundle, validating)).rows;
    }
    // Hashing as it reads also gives each batch an anchor for the cursor: with the job's inflated
    // copy, even the run that validated hashes (a later resume seeks to the anchor).
    const verify = options.validated !== undefined || options.resume != null || options.inflated !== undefined;
    return {
      format: bundle.manifest.formatName,
      schemaVersion: bundle.version,
      createdAt: bundle.manifest.createdAt,
      appVersion: bundle.manifest.appVersion,
      scope: bundle.manifest.scope as BundleScope,
      components: COMPONENTS.filter((c) => bundle.components.includes(c)),
      identity: bundle.manifestSha256,
      rows,
      invalid: {},
      read: async function* (component, from, onReached, anchor) {
        // The first batch small: a worker restarted mid-import commits within moments of starting
        // (the poison rule counts two deaths without a commit).
        const batchRows = component === 'pages' ? 500 : 10_000;
        const inflated = options.inflated;
        const seek = anchor && inflated ? { anchor, read: (offset: number) => inflated.read(component, offset) } : null;
        for await (const batch of readRows(bundle, component, { from, batchRows, firstBatchRows: Math.min(batchRows, 200), verify, ...(seek ? { seek } : {}), ...(onReached ? { onReached } : {}) })) yield { rows: batch.rows, anchor: batch.anchor };
      },
    };
  }
  const foreign = await foreignRowSource(source);
  if (foreign === 'binary') throw new CodedError('BUNDLE_NOT_ZIP', 'The file is not a zip archive, nor the text export of another tool');
  if (foreign === null) throw new CodedError('BUNDLE_FOREIGN_UNRECOGNIZED', 'The text is not a Tab Session Manager, OneTab, Session Buddy, browserexport or Page Assist export');
  return foreign;
}

function emptyReport(rowSource: RowSource): ImportReport {
  const report: ImportReport = {};
  for (const component of rowSource.components) report[component] = { rows: rowSource.rows[component] ?? 0, added: 0, present: 0, invalid: rowSource.invalid[component] ?? 0 };
  return report;
}

/** What a file holds and what importing it would add; writes nothing. */
export async function previewSource(db: HydraDb, rowSource: RowSource): Promise<BundlePreview> {
  const components = emptyReport(rowSource);
  for (const component of rowSource.components) {
    for await (const { rows } of rowSource.read(component, 0)) {
      const outcome = await countBatch(db, component, rows);
      components[component]!.added += outcome.added;
      components[component]!.present += outcome.present;
      components[component]!.invalid += outcome.invalid;
    }
  }
  return { format: rowSource.format, schemaVersion: rowSource.schemaVersion, createdAt: rowSource.createdAt, appVersion: rowSource.appVersion, scope: rowSource.scope, components };
}

export async function previewFile(db: HydraDb, host: BundleHost, file: BundleFileRef): Promise<BundlePreview> {
  return previewSource(db, await openRowSource(await openSource(host, file)));
}

/** Where the write pass's time went (ms), for the job log. */
export interface ImportTiming {
  read: number;
  check: number;
  store: number;
  save: number;
  commit: number;
  tx: number;
}

const importCursor = z.lazy(() => z.object({
  component: z.number().int().nonnegative(),
  row: z.number().int().nonnegative(),
  report: importReport.nullable(),
  /**
   * The file the import started with, set once it validated whole (nothing is written before); a
   * resume refuses any other (BUNDLE_FILE_CHANGED) and does not validate it again.
   */
  file: z.object({ size: z.number().int().nonnegative(), sha256: z.string() }).optional(),
  /** While validating: how far the last saved checkpoint (a settings row) reached. Moves with each checkpoint: progress for the poison rule. */
  validated: z.object({ component: z.number().int().nonnegative(), row: z.number().int().nonnegative() }).optional(),
  /**
   * Where the component at `component` can be read on from, at or before `row`: the inflated
   * offset of a line's end, its row and the hash so far. A resume seeks there in the job's inflated
   * copy instead of inflating and hashing the bundle from its start (readRows `seek`).
   */
  anchor: z
    .object({
      offset: z.number().int().nonnegative(),
      row: z.number().int().nonnegative(),
      sha: z.object({ words: z.array(z.number().int()).length(8), pending: z.array(z.number().int().min(0).max(255)).max(63), bytes: z.number().int().nonnegative() }),
    })
    .optional(),
}));
type ImportCursor = z.infer<typeof importCursor>;
export const importParams = z.lazy(() => z.object({ file: bundleFileRef }));

/**
 * Writes a validated source from a cursor; `save` commits each batch's cursor in the batch's
 * transaction (the job row in the real import). Returns the report.
 */
export async function importRows(
  db: HydraDb,
  rowSource: RowSource,
  start: ImportCursor,
  options: { signal?: AbortSignal; save?: (cursor: ImportCursor, done: number, total: number) => Promise<void>; timing?: ImportTiming; onReached?: () => Promise<void> } = {},
): Promise<ImportReport> {
  const report = start.report ?? emptyReport(rowSource);
  const timing = options.timing ?? { read: 0, check: 0, store: 0, save: 0, commit: 0, tx: 0 };
  const total = rowSource.components.reduce((n, c) => n + (rowSource.rows[c] ?? 0), 0);
  let done = rowSource.components.slice(0, start.component).reduce((n, c) => n + (rowSource.rows[c] ?? 0), 0) + start.row;
  for (let index = start.component; index < rowSource.components.length; index++) {
    const component = rowSource.components[index]!;
    let row = index === start.component ? start.row : 0;
    const resumed = index === start.component;
    const batches = rowSource.read(component, row, resumed ? options.onReached : undefined, resumed ? (start.anchor ?? null) : null)[Symbol.asyncIterator]();
    try {
      let t = performance.now();
      let next: ReturnType<typeof batches.next> | null = batches.next();
      let first = true;
      for (;;) {
        const step = await (next ?? batches.next());
        if (step.done) break;
        const batch = step.value.rows;
        const anchor: RowsAnchor | null = step.value.anchor;
        timing.read += performance.now() - t;
        // Decode the following batch (inflate, JSON, zod) while this one is checked and written:
        // the worker's CPU work overlaps IndexedDB's. Its failure surfaces when it is awaited. Not
        // while the run's first (small) batch commits: a restarted worker's first commit comes first.
        next = first ? null : batches.next();
        next?.catch(() => undefined);
        first = false;
        t = performance.now();
        if (options.signal?.aborted) throw new CodedError('CANCELLED', 'Import cancelled');
        const prepared = await prepareBatch(db, component, batch);
        timing.check += performance.now() - t;
        t = performance.now();
        let inside = 0;
        // Never the write that fills the disk (extension/db/disk-space.ts): a batch is up to 10,000 rows.
        await ensureDiskHeadroom();
        await db.transaction('rw', [...writeTables(db, component), db.jobs], async () => {
          const t0 = performance.now();
          const outcome = await writePrepared(db, prepared);
          timing.store += performance.now() - t0;
          report[component]!.added += outcome.added;
          report[component]!.present += outcome.present;
          report[component]!.invalid += outcome.invalid;
          row += batch.length;
          done += batch.length;
          const t1 = performance.now();
          await options.save?.({ component: index, row, report, ...(anchor ? { anchor } : {}) }, done, total);
          timing.save += performance.now() - t1;
          inside = performance.now();
        });
        timing.commit += performance.now() - inside;
        timing.tx += performance.now() - t;
        t = performance.now();
      }
    } finally {
      // Stops the reader (and its prefetch) when a batch fails or the import is cancelled.
      await batches.return?.(undefined).catch(() => undefined);
    }
  }
  return report;
}

const running = new Map<string, AbortController>();

export function cancelRunningImport(jobId: string): boolean {
  const controller = running.get(jobId);
  controller?.abort();
  return Boolean(controller);
}

export async function startImport(db: HydraDb, host: BundleHost, file: BundleFileRef): Promise<string> {
  const job = await createJob(db, { type: 'bundle_import', params: { file } });
  const cursor: ImportCursor = { component: 0, row: 0, report: null };
  // The cursor exists from the start, so a worker killed during validation still resumes.
  await db.jobs.update(job.id, { cursor });
  await startJob(db, job.id);
  void runImport(db, host, { ...job, cursor, status: 'running' });
  return job.id;
}

/** The resumer for 'bundle_import': validates the file again, then continues from the cursor. */
export function resumeBundleImport(db: HydraDb, host: BundleHost, job: Job): void {
  void runImport(db, host, job);
}

/** Where a validation cut off keeps its checkpoint: one settings row per import job, gone when the validation ends. */
export const CHECKPOINT_PREFIX = 'bundles.validation:';
const checkpointKey = (jobId: string) => `${CHECKPOINT_PREFIX}${jobId}`;

/** The checkpoint a cut-off validation saved, when it is the one the cursor names. */
async function savedCheckpoint(db: HydraDb, jobId: string, cursor: ImportCursor): Promise<ValidationCheckpoint | null> {
  if (!cursor.validated) return null;
  const saved = (await db.settings.get(checkpointKey(jobId)))?.value as ValidationCheckpoint | undefined;
  return saved && saved.component === cursor.validated.component && saved.count === cursor.validated.row && saved.keys instanceof Float64Array ? saved : null;
}

async function runImport(db: HydraDb, host: BundleHost, job: Job): Promise<void> {
  const controller = new AbortController();
  running.set(job.id, controller);
  let file: BundleFileRef | null = null;
  try {
    file = importParams.parse(job.params).file;
    let cursor = importCursor.parse(job.cursor);
    // A host file through a copy kept for this job: a resume reads what was read already from here.
    const source = file.kind === 'host' ? await copiedSource(await openSource(host, file), job.id) : await openSource(host, file);
    // Its inflated components, kept while validating: a resume seeks to its cursor's row there.
    const inflated = await inflatedCopy(job.id);
    // Progress covers both passes: validating is the first half, writing the second.
    const started = Date.now();
    let lastReport = 0;
    const resume = cursor.file ? null : await savedCheckpoint(db, job.id, cursor);
    // Reading the file again up to the cursor redoes work done before: a worker stopped meanwhile
    // is not the file killing it (the poison rule counts such deaths apart, ledger.ts).
    const redoes = resume !== null || cursor.component > 0 || cursor.row > 0;
    if (redoes) await replaying(db, job.id, cursor);
    const reached = redoes ? () => replayed(db, job.id) : undefined;
    const rowSource = await openRowSource(source, {
      signal: controller.signal,
      inflated,
      onProgress: (done, total) => {
        if (Date.now() - lastReport < 500) return;
        lastReport = Date.now();
        void reportProgress(db, job.id, { done, total: total * 2 });
      },
      ...(cursor.file ? { validated: cursor.file.sha256 } : { resume, ...(resume && reached ? { onResumed: reached } : {}) }),
      // Each checkpoint commits with the cursor naming it: a worker stopped while validating goes
      // on from there, and every checkpoint is progress, so only a validation that cannot get past
      // one point fails the job as poisoned.
      checkpoint: (state) =>
        db.transaction('rw', db.settings, db.jobs, async () => {
          await db.settings.put({ key: checkpointKey(job.id), value: state, updatedAt: Date.now() });
          cursor = { ...cursor, validated: { component: state.component, row: state.count } };
          await db.jobs.update(job.id, { cursor });
        }),
    });
    // The file's identity is kept with the cursor before the first write; a resume refuses another
    // file (which would otherwise skip the cursor's rows of a file it never read).
    const fingerprint = { size: source.size, sha256: rowSource.identity };
    if (!cursor.file) {
      const { validated: _done, ...rest } = cursor;
      cursor = { ...rest, file: fingerprint };
      await db.transaction('rw', db.settings, db.jobs, async () => {
        await db.jobs.update(job.id, { cursor });
        await db.settings.delete(checkpointKey(job.id));
      });
    } else if (cursor.file.size !== fingerprint.size || cursor.file.sha256 !== fingerprint.sha256) {
      throw new CodedError('BUNDLE_FILE_CHANGED', `The file is not the one this import started with (${fingerprint.size} bytes, identity ${fingerprint.sha256.slice(0, 12)}…; it was ${cursor.file.size} bytes, ${cursor.file.sha256.slice(0, 12)}…)`);
    }
    const total = rowSource.components.reduce((n, c) => n + (rowSource.rows[c] ?? 0), 0);
    await appendJobLog(db, job.id, `${rowSource.format}${rowSource.schemaVersion ? ` v${rowSource.schemaVersion}` : ''}: ${total} rows validated in ${Date.now() - started} ms`);
    const writing = Date.now();
    await reportProgress(db, job.id, { done: total, total: total * 2 });
    const timing: ImportTiming = { read: 0, check: 0, store: 0, save: 0, commit: 0, tx: 0 };
    const report = await importRows(db, rowSource, cursor, {
      timing,
      ...(reached && cursor.file && (cursor.component > 0 || cursor.row > 0) ? { onReached: reached } : {}),
      signal: controller.signal,
      save: (next, done) => reportProgress(db, job.id, { done: total + done, total: total * 2, cursor: { ...next, file: cursor.file } }),
    });
    const added = Object.values(report).reduce((n, c) => n + c.added, 0);
    await appendJobLog(db, job.id, `done: ${added} rows added; writing took ${Date.now() - writing} ms (${Object.entries(timing).map(([k, v]) => `${k} ${Math.round(v)}`).join(', ')})`);
    await finishJob(db, job.id, report);
    await discardCopy(job.id).catch(() => undefined);
    if (file.kind === 'staged') await discardStaged(file.id).catch(() => undefined);
  } catch (error) {
    await failJob(db, job.id, toAppError(error));
    await db.settings.delete(checkpointKey(job.id)).catch(() => undefined);
    await discardCopy(job.id).catch(() => undefined);
    if (file?.kind === 'staged') await discardStaged(file.id).catch(() => undefined);
  } finally {
    running.delete(job.id);
  }
}
