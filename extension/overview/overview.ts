/**
 * The overview's numbers. Counts come from the `counters` rows (exact, kept in the same
 * transaction as every write: extension/db/counters.ts), so the answer costs a handful of indexed
 * reads however much is stored. Byte estimates per store and the host's disk use are costly, so
 * they are measured in the background, kept in the settings row `overview.sizes` with the time
 * they were measured, and refreshed when older than SIZES_MAX_AGE_MS.
 */
import { VISIT_CHART_DAYS, type Overview } from '../../shared/commands/overview';
import { JOB_STATUSES, TASK_STATUSES, type JobStatus, type TaskStatus } from '../../shared/schemas/statuses';
import { COUNTED_STORES, recountAll, storeCounterKey, visitDayKey, visitDayOf, type CountedStore, type HydraDb } from '../db';
import type { HostConnection } from '../host';
import { newestVisitAt } from '../visits';
import { DAY_MS } from '../../shared/time';

export const SIZES_SETTING = 'overview.sizes';
export const SIZES_MAX_AGE_MS = 10 * 60_000;
const SAMPLE_ROWS = 100;

interface StoredSizes {
  stores: Record<string, number>;
  measuredAt: number;
  host: Overview['storage']['host'];
}

export async function getOverview(db: HydraDb, now = Date.now()): Promise<{ overview: Overview; sizesStale: boolean }> {
  const today = visitDayOf(now);
  const days = Array.from({ length: VISIT_CHART_DAYS }, (_, i) => today - VISIT_CHART_DAYS + 1 + i);
  const counterKeys = [...COUNTED_STORES.map(storeCounterKey), ...days.map(visitDayKey)];
  const countBy = <S extends string>(table: 'tasks' | 'jobs', statuses: readonly S[]) =>
    Promise.all(statuses.map(async (status) => [status, await db.table(table).where('status').equals(status).count()] as const)).then((pairs) => Object.fromEntries(pairs) as Record<S, number>);

  const [counters, openTabs, tasks, jobs, lastVisit, failedLastDay, interrupted, sizes, estimate] = await Promise.all([
    db.counters.bulkGet(counterKeys),
    db.tabs.where('open').equals(1).toArray(),
    countBy<TaskStatus>('tasks', TASK_STATUSES),
    countBy<JobStatus>('jobs', JOB_STATUSES),
    newestVisitAt(db),
    db.jobs.where('[status+finishedAt]').between(['failed', now - DAY_MS], ['failed', Infinity]).count(),
    db.jobs
      .where('status')
      .equals('failed')
      .filter((job) => job.error?.code === 'JOB_INTERRUPTED')
      .count(),
    db.settings.get(SIZES_SETTING).then((row) => (row?.value ?? null) as StoredSizes | null),
    typeof navigator !== 'undefined' && navigator.storage?.estimate ? navigator.storage.estimate().catch(() => null) : Promise.resolve(null),
  ]);
  const byKey = new Map(counters.map((row, i) => [counterKeys[i]!, row?.n ?? 0]));
  const stored = (store: CountedStore) => byKey.get(storeCounterKey(store)) ?? 0;
  const overview: Overview = {
    at: now,
    tabs: { open: openTabs.length, bound: openTabs.filter((tab) => tab.threadId !== null).length },
    visits: { total: stored('visits'), lastVisitAt: lastVisit },
    pages: stored('pages'),
    tabSnapshots: stored('tabSnapshots'),
    threads: stored('threads'),
    messages: stored('messages'),
    memories: stored('memories'),
    taskEvents: stored('taskEvents'),
    tasks,
    jobs,
    storage: {
      usage: estimate?.usage ?? null,
      quota: estimate?.quota ?? null,
      stores: sizes?.stores ?? null,
      storesMeasuredAt: sizes?.measuredAt ?? null,
      host: sizes?.host ?? null,
    },
    health: { jobsFailedLastDay: failedLastDay, interruptedJobs: interrupted, index: null },
    visitsPerDay: days.map((day) => ({ day, count: byKey.get(visitDayKey(day)) ?? 0 })),
  };
  return { overview, sizesStale: !sizes || now - sizes.measuredAt > SIZES_MAX_AGE_MS };
}

/** Mean structured size of up to SAMPLE_ROWS rows × the row count: an estimate, never a full read. */
async function estimateStoreBytes(db: HydraDb, store: CountedStore, rows: number): Promise<number> {
  if (rows === 0) return 0;
  if (store === 'visits') {
    // Visits live many to a chunk row (docs/storage.md): bytes per visit from a sample of chunks.
    const chunks = await db.visitChunks.limit(Math.max(1, Math.floor(SAMPLE_ROWS / 50))).toArray();
    const visits = chunks.reduce((sum, chunk) => sum + chunk.n, 0);
    if (visits === 0) return 0;
    return Math.round((chunks.reduce((sum, chunk) => sum + JSON.stringify(chunk).length * 2, 0) / visits) * rows);
  }
  const sample = await db.table(store).limit(SAMPLE_ROWS).toArray();
  if (sample.length === 0) return 0;
  // JSON length in UTF-16 code units × 2 ≈ what the browser keeps for strings; a fair, cheap proxy.
  const bytes = sample.reduce((sum, row) => sum + JSON.stringify(row).length * 2, 0);
  return Math.round((bytes / sample.length) * rows);
}

/** Measures store sizes and (when the host answers) its disk use; stores them with the time. */
export async function refreshSizes(db: HydraDb, host: HostConnection | null, now = Date.now()): Promise<{ storesMeasuredAt: number; hostMeasured: boolean }> {
  const previous = (await db.settings.get(SIZES_SETTING))?.value as StoredSizes | undefined;
  const counts = await db.counters.bulkGet(COUNTED_STORES.map(storeCounterKey));
  const stores: Record<string, number> = {};
  for (const [i, store] of COUNTED_STORES.entries()) stores[store] = await estimateStoreBytes(db, store, counts[i]?.n ?? 0);
  let hostUse = previous?.host ?? null;
  let hostMeasured = false;
  if (host) {
    const reply = await host.request('storage.usage', {}, { timeoutMs: 10_000 });
    if (reply.ok) {
      hostUse = { ...reply.result, measuredAt: now };
      hostMeasured = true;
    }
  }
  const value: StoredSizes = { stores, measuredAt: now, host: hostUse };
  await db.settings.put({ key: SIZES_SETTING, value, updatedAt: now });
  return { storesMeasuredAt: now, hostMeasured };
}

/** Rebuilds every counter from the rows (a repair; also used after raw writes in benches). */
export async function recount(db: HydraDb): Promise<{ tookMs: number }> {
  const started = performance.now();
  await db.transaction('rw', db.tables, (tx) => recountAll(tx));
  return { tookMs: Math.round(performance.now() - started) };
}
