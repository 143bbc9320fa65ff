/** Commands of focused crawl refresh (docs/refresh.md). */
import { z } from 'zod';
import { id } from '../schemas/entities';
import { REFRESH_DEFAULT_INTERVAL_MS, REFRESH_DEFAULT_PAGES, REFRESH_DEFAULT_TIMEOUT_MS, REFRESH_MAX_DEPTH, REFRESH_MAX_PAGES, refreshScope } from '../refresh/scope';
import { defineCommand, OWN_PAGES } from './define';

export const refreshParams = z.lazy(() => z.object({
  scope: refreshScope,
  /** Same-site links followed from each refreshed page: 0 (only the saved pages) to 2. */
  depth: z.number().int().min(0).max(REFRESH_MAX_DEPTH).default(0),
  /** At most this many pages fetched in all (saved pages first). */
  pageCap: z.number().int().min(1).max(REFRESH_MAX_PAGES).default(REFRESH_DEFAULT_PAGES),
  /** The thread that hears about the changes (a thread scope reports to its own thread). */
  threadId: id.optional(),
  /** Minimum time between two requests to one host (a larger robots.txt Crawl-delay wins). */
  minIntervalMs: z.number().int().min(100).max(60_000).default(REFRESH_DEFAULT_INTERVAL_MS),
  /** Time limit of one page fetch. */
  timeoutMs: z.number().int().min(500).max(120_000).default(REFRESH_DEFAULT_TIMEOUT_MS),
}));
export type RefreshParams = z.infer<typeof refreshParams>;

export const refreshCommands = {
  'refresh.start': defineCommand({
    callers: OWN_PAGES,
    summary: 'Refreshes the saved pages of a thread, a topic query or domains (optionally following same-site links); a `page_refresh` job. The same normalized scope while one is queued or running returns that job.',
    params: () => refreshParams,
    result: () => z.object({ jobId: id, deduplicated: z.boolean() }),
  }),
};
