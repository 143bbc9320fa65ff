/**
 * Bundle preview and import. Both first validate the whole file (manifest, hashes, counts, every
 * row; see shared/bundle/read.ts) and refuse it with a stable code before anything is written.
 * The import then writes component by component in batches; each batch and the job's cursor
 * (component, row, counts so far) commit in one transaction, so a killed worker resumes from the
 * cursor, and rows are deduplicated against the store, so nothing is ever written twice.
 */
import { z } from 'zod';
import { COMPONENTS, type BundleScope } from '../../shared/bundle/format';
import { openBundle, readRows, validateBundle } from '../../shared/bundle/read';
import type { ByteSource } from '../../shared/bundle/zip-read';
import { bundleFileRef, importReport, type BundleFileRef, type BundlePreview, type ImportReport } from '../../shared/commands/bundles';
import { CodedError, toAppError } from '../../shared/errors';
import type { Job } from '../../shared/schemas/entities';
import type { HydraDb } from '../db';
import { appendJobLog, createJob, failJob, finishJob, reportProgress, startJob } from '../jobs';
import { discardStaged, openSource, type BundleHost } from './files';
import { foreignRowSource } from './foreign';
import type { RowSource } from './row-source';
import { countBatch, prepareBatch, writePrepared, writeTables } from './stores';

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];

/** Opens and fully validates a file; throws a CodedError (4xx) when it must be refused. */
export async function openRowSource(source: ByteSource, options: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void } = {}): Promise<RowSource> {
  const head = await source.read(0, Math.min(4, source.size));
  if (head.length === 4 && ZIP_MAGIC.every((b, i) => head[i] === b)) {
    const bundle = await openBundle(source);
    const report = await validateBundle(bundle, options);
    return {
      format: bundle.manifest.formatName,
      schemaVersion: bundle.version,
      createdAt: bundle.manifest.createdAt,
      appVersion: bundle.manifest.appVersion,
      scope: bundle.manifest.scope as BundleScope,
      components: COMPONENTS.filter((c) => bundle.components.includes(c)),
      identity: bundle.manifestSha256,
      rows: report.rows,
      invalid: {},
      read: async function* (component, from) {
        for await (const batch of readRows(bundle, component, { from, batchRows: component === 'pages' ? 500 : 10_000 })) yield batch.rows;
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
    for await (const batch of rowSource.read(component, 0)) {
      const outcome = await countBatch(db, component, batch);
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
  /** The file the import started with; a resume refuses any other (BUNDLE_FILE_CHANGED). */
  file: z.object({ size: z.number().int().nonnegative(), sha256: z.string() }).optional(),
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
  options: { signal?: AbortSignal; save?: (cursor: ImportCursor, done: number, total: number) => Promise<void>; timing?: ImportTiming } = {},
): Promise<ImportReport> {
  const report = start.report ?? emptyReport(rowSource);
  const timing = options.timing ?? { read: 0, check: 0, store: 0, save: 0, commit: 0, tx: 0 };
  const total = rowSource.components.reduce((n, c) => n + (rowSource.rows[c] ?? 0), 0);
  let done = rowSource.components.slice(0, start.component).reduce((n, c) => n + (rowSource.rows[c] ?? 0), 0) + start.row;
  for (let index = start.component; index < rowSource.components.length; index++) {
    const component = rowSource.components[index]!;
    let row = index === start.component ? start.row : 0;
    const batches = rowSource.read(component, row)[Symbol.asyncIterator]();
    try {
      let t = performance.now();
      let next = batches.next();
      for (;;) {
        const step = await next;
        if (step.done) break;
        const batch = step.value;
        timing.read += performance.now() - t;
        // Decode the following batch (inflate, JSON, zod) while this one is checked and written:
        // the worker's CPU work overlaps IndexedDB's. Its failure surfaces when it is awaited.
        next = batches.next();
        next.catch(() => undefined);
        t = performance.now();
        if (options.signal?.aborted) throw new CodedError('CANCELLED', 'Import cancelled');
        const prepared = await prepareBatch(db, component, batch);
        timing.check += performance.now() - t;
        t = performance.now();
        let inside = 0;
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
          await options.save?.({ component: index, row, report }, done, total);
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

async function runImport(db: HydraDb, host: BundleHost, job: Job): Promise<void> {
  const controller = new AbortController();
  running.set(job.id, controller);
  let file: BundleFileRef | null = null;
  try {
    file = importParams.parse(job.params).file;
    let cursor = importCursor.parse(job.cursor);
    const source = await openSource(host, file);
    // Progress covers both passes: validating is the first half, writing the second.
    const started = Date.now();
    let lastReport = 0;
    const rowSource = await openRowSource(source, {
      signal: controller.signal,
      onProgress: (done, total) => {
        if (Date.now() - lastReport < 500) return;
        lastReport = Date.now();
        void reportProgress(db, job.id, { done, total: total * 2 });
      },
    });
    // The file's identity is kept with the cursor before the first write; a resume refuses another
    // file (which would otherwise skip the cursor's rows of a file it never read).
    const fingerprint = { size: source.size, sha256: rowSource.identity };
    if (!cursor.file) {
      cursor = { ...cursor, file: fingerprint };
      await db.jobs.update(job.id, { cursor });
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
      signal: controller.signal,
      save: (next, done) => reportProgress(db, job.id, { done: total + done, total: total * 2, cursor: { ...next, file: cursor.file } }),
    });
    const added = Object.values(report).reduce((n, c) => n + c.added, 0);
    await appendJobLog(db, job.id, `done: ${added} rows added; writing took ${Date.now() - writing} ms (${Object.entries(timing).map(([k, v]) => `${k} ${Math.round(v)}`).join(', ')})`);
    await finishJob(db, job.id, report);
    if (file.kind === 'staged') await discardStaged(file.id).catch(() => undefined);
  } catch (error) {
    await failJob(db, job.id, toAppError(error));
    if (file?.kind === 'staged') await discardStaged(file.id).catch(() => undefined);
  } finally {
    running.delete(job.id);
  }
}
