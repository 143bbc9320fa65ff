/** Commands of the jobs ledger: list with filters, one job, cancel, retry, prune. */
import { z } from 'zod';
import { job, timestamp } from '../schemas/entities';
import { JOB_STATUSES, JOB_TYPES } from '../schemas/statuses';
import { defineCommand, OWN_PAGES } from './define';

/** Statuses a prune may remove: never a queued or running job. */
export const PRUNABLE_JOB_STATUSES = ['succeeded', 'failed', 'cancelled'] as const;

export const jobFilter = z.lazy(() => z
  .object({
    statuses: z.array(z.enum(JOB_STATUSES)).max(JOB_STATUSES.length).optional(),
    types: z.array(z.enum(JOB_TYPES)).max(JOB_TYPES.length).optional(),
    /** Created at or after (ms). */
    from: timestamp.optional(),
    /** Created before (ms). */
    to: timestamp.optional(),
    limit: z.number().int().min(1).max(1000).default(200),
  })
  .refine((f) => f.from === undefined || f.to === undefined || f.from < f.to, { message: 'inverted range: from must be before to', path: ['from'] }));
export type JobFilter = z.input<typeof jobFilter>;

export const jobCommands = {
  'jobs.list': defineCommand({
    callers: OWN_PAGES,
    summary: 'Jobs, newest first, filtered by status, type and creation time; `matched` counts all that match.',
    params: () => jobFilter,
    result: () => z.object({ jobs: z.array(job), matched: z.number().int().nonnegative() }),
  }),
  'jobs.get': defineCommand({
    callers: OWN_PAGES,
    summary: 'One job with its log tail.',
    params: () => z.object({ jobId: z.string().min(1) }),
    result: () => z.object({ job }),
  }),
  'jobs.cancel': defineCommand({
    callers: OWN_PAGES,
    summary: 'Cancels a queued or running job (the operation stops at its next batch).',
    params: () => z.object({ jobId: z.string().min(1) }),
    result: () => z.object({ cancelled: z.boolean() }),
  }),
  'jobs.retry': defineCommand({
    callers: OWN_PAGES,
    summary: 'Starts a failed or cancelled job again with the same input, as a new job related to the old one.',
    params: () => z.object({ jobId: z.string().min(1) }),
    result: () => z.object({ jobId: z.string() }),
  }),
  'jobs.prune': defineCommand({
    callers: OWN_PAGES,
    summary: 'Removes finished jobs of the given statuses (default succeeded) finished more than N days ago (default 30).',
    params: () => z.object({
      statuses: z.array(z.enum(PRUNABLE_JOB_STATUSES)).min(1).max(3).default(['succeeded']),
      olderThanDays: z.number().min(0).max(36_500).default(30),
    }),
    result: () => z.object({ removed: z.number().int().nonnegative(), byStatus: z.record(z.string(), z.number().int().nonnegative()), before: z.number().int(), after: z.number().int() }),
  }),
};
