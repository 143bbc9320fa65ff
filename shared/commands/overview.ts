/** The overview: what HydraFlow holds and does, in one answer (the options page shows exactly this). */
import { z } from 'zod';
import { timestamp } from '../schemas/entities';
import { JOB_STATUSES, TASK_STATUSES } from '../schemas/statuses';
import { defineCommand, OWN_PAGES } from './define';

const count = z.lazy(() => z.number().int().nonnegative());
export const VISIT_CHART_DAYS = 90;

export const hostDiskUse = z.lazy(() => z.object({
  bundles: count,
  ledger: count,
  logs: count,
  measuredAt: timestamp,
}));

export const overview = z.lazy(() => z.object({
  at: timestamp,
  tabs: z.object({ open: count, bound: count }),
  visits: z.object({ total: count, lastVisitAt: timestamp.nullable() }),
  pages: count,
  tabSnapshots: count,
  threads: count,
  messages: count,
  memories: count,
  taskEvents: count,
  tasks: z.record(z.enum(TASK_STATUSES), count),
  jobs: z.record(z.enum(JOB_STATUSES), count),
  storage: z.object({
    /** navigator.storage.estimate(), bytes; null where the browser does not say. */
    usage: count.nullable(),
    quota: count.nullable(),
    /** Estimated bytes per store (row count × mean size of sampled rows), refreshed in the background. */
    stores: z.record(z.string(), count).nullable(),
    storesMeasuredAt: timestamp.nullable(),
    /** Bytes the native host keeps on disk; null when it was never reached. */
    host: hostDiskUse.nullable(),
  }),
  health: z.object({
    jobsFailedLastDay: count,
    interruptedJobs: count,
    /** Search index health, once search exists; null until then. */
    index: z.object({ indexed: count, stored: count, pending: count, lastVerifiedAt: timestamp.nullable() }).nullable(),
  }),
  /** Visits per UTC day, oldest first, the last VISIT_CHART_DAYS days including today. */
  visitsPerDay: z.array(z.object({ day: z.number().int(), count })),
}));
export type Overview = z.infer<typeof overview>;

export const overviewCommands = {
  'overview.get': defineCommand({
    callers: OWN_PAGES,
    summary: 'Counts of every store (exact, from the counters), storage used, health and visits per day.',
    params: () => z.object({}),
    result: () => overview,
  }),
  'overview.recount': defineCommand({
    callers: OWN_PAGES,
    summary: 'Rebuilds every counter from the rows (repair); returns how long it took.',
    params: () => z.object({}),
    result: () => z.object({ tookMs: z.number().nonnegative() }),
  }),
  'overview.refreshSizes': defineCommand({
    callers: OWN_PAGES,
    summary: 'Re-estimates bytes per store and the host disk use now, instead of waiting for the background refresh.',
    params: () => z.object({}),
    result: () => z.object({ storesMeasuredAt: timestamp, hostMeasured: z.boolean() }),
  }),
};
