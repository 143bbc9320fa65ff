/**
 * Bundle export jobs: the rows a scope selects, streamed store by store into the bundle writer,
 * and from there to a file through the host or to a Cache Storage entry the options page saves
 * as a download. An export is not resumable (a zip stream cannot be continued): a worker killed
 * mid-export leaves a failed job (JOB_INTERRUPTED) and the host deletes the unfinished file.
 */
import { COMPONENTS, type BundleScope } from '../../shared/bundle/format';
import { BundleWriter, type BundleSink } from '../../shared/bundle/write';
import type { ExportResult, ExportScope } from '../../shared/commands/bundles';
import { CodedError, toAppError } from '../../shared/errors';
import type { HydraDb } from '../db';
import { appendJobLog, createJob, failJob, finishJob, reportProgress, startJob } from '../jobs';
import { cacheSink, exportKey, hostSink, type BundleHost, type ClosableSink } from './files';
import { exportRows, exportTotal, threadsOfScope } from './stores';

export type ExportDestination = { kind: 'host'; folderId?: string } | { kind: 'download' };

const running = new Map<string, AbortController>();

export function cancelRunning(jobId: string): boolean {
  const controller = running.get(jobId);
  controller?.abort();
  return Boolean(controller);
}

function stamp(now: number): string {
  return new Date(now).toISOString().replace(/\..*$/, '').replace(/[:T]/g, '-');
}

export function exportFileName(scope: ExportScope, now: number): string {
  return `hydraflow-${scope.kind === 'all' ? 'all' : scope.kind}-${stamp(now)}.hydraflow`;
}

function bundleScopeOf(scope: ExportScope): BundleScope {
  return scope.kind === 'history' ? { kind: 'history', from: scope.from, to: scope.to } : scope.kind === 'threads' ? { kind: 'threads', threadIds: scope.threadIds } : { kind: 'all' };
}

/**
 * Writes the bundle of a scope to a sink; the pure core of an export (unit-tested with a memory
 * sink). Returns the rows written per component.
 */
export async function writeScope(db: HydraDb, scope: ExportScope, sink: BundleSink, options: { signal?: AbortSignal; onProgress?: (done: number, total: number | null) => Promise<void>; now?: number } = {}): Promise<Record<string, number>> {
  const threads = await threadsOfScope(db, scope);
  const total = await exportTotal(db, scope, COMPONENTS);
  const writer = new BundleWriter(sink);
  const rows: Record<string, number> = {};
  let done = 0;
  for (const component of COMPONENTS) {
    await writer.begin(component);
    rows[component] = 0;
    for await (const batch of exportRows(db, component, scope, threads)) {
      if (options.signal?.aborted) throw new CodedError('CANCELLED', 'Export cancelled');
      await writer.rows(batch);
      rows[component] += batch.length;
      done += batch.length;
      await options.onProgress?.(done, total);
    }
  }
  await writer.finish({ scope: bundleScopeOf(scope), ...(options.now === undefined ? {} : { createdAt: options.now }) });
  return rows;
}

export async function startExport(db: HydraDb, host: BundleHost, scope: ExportScope, destination: ExportDestination): Promise<string> {
  // A history range names at least one end: "everything" is the `all` scope, chosen as such.
  if (scope.kind === 'history') {
    if (scope.from === null && scope.to === null) throw new CodedError('FILTER_REQUIRED', 'A history export needs a start date, an end date or both (or export everything)');
    if (scope.from !== null && scope.to !== null && scope.from > scope.to) throw new CodedError('FILTER_INVALID', 'The start of the range must be before its end');
  }
  const job = await createJob(db, { type: 'bundle_export', params: { scope, destination } });
  await startJob(db, job.id);
  void runExport(db, host, job.id, scope, destination);
  return job.id;
}

async function runExport(db: HydraDb, host: BundleHost, jobId: string, scope: ExportScope, destination: ExportDestination): Promise<void> {
  const controller = new AbortController();
  running.set(jobId, controller);
  const now = Date.now();
  const fileName = exportFileName(scope, now);
  let sink: ClosableSink | null = null;
  try {
    sink = destination.kind === 'host' ? await hostSink(host, { fileName, ...(destination.folderId ? { folderId: destination.folderId } : {}) }) : await cacheSink(exportKey(jobId, fileName));
    let lastReport = 0;
    const rows = await writeScope(db, scope, sink, {
      signal: controller.signal,
      now,
      onProgress: async (done, total) => {
        if (Date.now() - lastReport < 250) return;
        lastReport = Date.now();
        await reportProgress(db, jobId, { done, total });
      },
    });
    const place = await sink.close();
    sink = null;
    const result: ExportResult = { destination: destination.kind, path: place.path, cacheKey: place.cacheKey, fileName, bytes: place.bytes, rows };
    const count = Object.values(rows).reduce((a, b) => a + b, 0);
    await reportProgress(db, jobId, { done: count, total: count });
    await appendJobLog(db, jobId, `exported ${count} rows, ${place.bytes} bytes${place.path ? ` to ${place.path}` : ''}`);
    await finishJob(db, jobId, result);
  } catch (error) {
    await sink?.abort().catch(() => undefined);
    await failJob(db, jobId, toAppError(error));
  } finally {
    running.delete(jobId);
  }
}
