/** Privacy commands: delete history everywhere it was copied, forget a tab, wipe, retention. */
import { z } from 'zod';
import { timestamp } from '../schemas/entities';
import { defineCommand, OWN_PAGES } from './define';

const count = z.lazy(() => z.number().int().nonnegative());

/**
 * Which history to delete. At least one of from/to, domain, url, or `everything: true` (checked by
 * the background with FILTER_REQUIRED, not by this schema, so the code is stable). Filters combine
 * with AND: a domain inside a time range.
 */
export const historyFilter = z.lazy(() => z.object({
  /** At or after (ms). */
  from: timestamp.optional(),
  /** Before (ms). */
  to: timestamp.optional(),
  /** Exact host; with includeSubdomains every host under it, by whole labels (never a substring). */
  domain: z.string().max(253).optional(),
  includeSubdomains: z.boolean().default(false),
  url: z.string().max(2_097_152).optional(),
  everything: z.literal(true).optional(),
}));
export type HistoryFilter = z.input<typeof historyFilter>;

export const deletionCounts = z.lazy(() => z.object({
  visits: count,
  pages: count,
  tabSnapshots: count,
  memories: count,
  /** Tabs whose current URL and title were cleared (the tab and its thread binding stay). */
  tabsCleared: count,
  /** Threads whose link to a deleted page (URL, page keys, auto title) was removed. */
  threadsUnlinked: count,
}));
export type DeletionCounts = z.infer<typeof deletionCounts>;

export const retentionSettings = z.lazy(() => z.object({
  /** Remove succeeded jobs finished more than N days ago. */
  jobsOlderThanDays: z.number().int().min(1).max(36_500).nullable(),
  /** Keep at most N versions of each page (newest kept). */
  pageVersionsPerPage: z.number().int().min(1).max(10_000).nullable(),
  /** Cap on the host's log files, MiB (oldest rotated logs removed first). */
  hostLogMiB: z.number().min(1).max(100_000).nullable(),
  /** Cap on the repo ledgers' pre-images, MiB (oldest changes lose the ability to be reverted first). */
  hostPreimageMiB: z.number().min(1).max(1_000_000).nullable(),
}));
export type RetentionSettings = z.infer<typeof retentionSettings>;
export const DEFAULT_RETENTION: RetentionSettings = { jobsOlderThanDays: null, pageVersionsPerPage: null, hostLogMiB: null, hostPreimageMiB: null };

export const retentionReport = z.lazy(() => z.object({
  jobsRemoved: count,
  pageVersionsRemoved: count,
  host: z.object({ logBytesRemoved: count, preimageBytesRemoved: count, changesNoLongerRevertible: count }).nullable(),
}));
export type RetentionReport = z.infer<typeof retentionReport>;

export const WIPE_CONFIRMATION = 'WIPE';

export const privacyCommands = {
  'privacy.deleteHistory': defineCommand({
    callers: OWN_PAGES,
    summary: 'Deletes history matching the filter from every store that holds a copy; counts per store.',
    params: () => historyFilter,
    result: () => z.object({ jobId: z.string(), deleted: deletionCounts }),
  }),
  'privacy.countHistory': defineCommand({
    callers: OWN_PAGES,
    summary: 'What privacy.deleteHistory would delete with this filter, counted per store (nothing is deleted): the confirmation a person reads first.',
    params: () => historyFilter,
    result: () => z.object({ visits: count, pages: count, tabSnapshots: count }),
  }),
  'privacy.forgetTab': defineCommand({
    callers: OWN_PAGES,
    summary: "Forgets a tab: its row (and thread binding) and every snapshot of its navigations.",
    params: () => z.object({ tabId: z.number().int() }),
    result: () => z.object({ tabs: count, tabSnapshots: count }),
  }),
  'privacy.wipe': defineCommand({
    callers: OWN_PAGES,
    summary: `Deletes everything: every store, every setting and (with host) the native host's data. Needs confirm: "${WIPE_CONFIRMATION}".`,
    params: () => z.object({ confirm: z.string().max(20), host: z.boolean().default(true) }),
    result: () => z.object({ stores: z.record(z.string(), count), host: z.object({ removedBytes: count }).nullable() }),
  }),
  'privacy.getRetention': defineCommand({
    callers: OWN_PAGES,
    summary: 'The automatic clean-up rules and when they last ran.',
    params: () => z.object({}),
    result: () => z.object({ settings: retentionSettings, lastRun: z.object({ at: timestamp, jobId: z.string(), report: retentionReport }).nullable() }),
  }),
  'privacy.setRetention': defineCommand({
    callers: OWN_PAGES,
    summary: 'Sets the automatic clean-up rules (null turns a rule off).',
    params: () => z.object({ settings: retentionSettings }),
    result: () => z.object({ settings: retentionSettings }),
  }),
  'privacy.runRetention': defineCommand({
    callers: OWN_PAGES,
    summary: 'Runs the clean-up rules now, as a prune job; returns its report.',
    params: () => z.object({}),
    result: () => z.object({ jobId: z.string(), report: retentionReport }),
  }),
};
