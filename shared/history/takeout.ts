/**
 * Google Takeout `BrowserHistory.json` ({"Browser History": [{page_transition, title, url,
 * time_usec, client_id, favicon_url}]}) to visits. Pure, so the host (CLI, profile import) and the
 * extension (file dropped on the Import page, no host needed) produce identical rows.
 */
import { z } from 'zod';
import { unixMicrosToUnixMs } from '../time';
import { takeoutTransition } from './transition';
import type { HistoryVisit } from './visit';
import { isWebUrl } from '../url';

const takeoutEntry = z.lazy(() => z.object({
  url: z.string(),
  title: z.string().optional(),
  time_usec: z.union([z.number(), z.string().regex(/^-?\d+$/)]),
  page_transition: z.string().optional(),
}));

export const takeoutFile = z.lazy(() => z.object({ 'Browser History': z.array(z.unknown()) }));

/** True when a parsed JSON value has the Takeout shape (used for content detection). */
export function isTakeoutJson(value: unknown): boolean {
  return takeoutFile.safeParse(value).success;
}

/**
 * Maps every entry; entries without a valid URL or time are counted as invalid, not dropped
 * silently. Output is ordered by time (then file order), as the other readers are.
 */
export function takeoutVisits(value: unknown): { visits: HistoryVisit[]; invalid: number } | null {
  const file = takeoutFile.safeParse(value);
  if (!file.success) return null;
  const visits: (HistoryVisit & { order: number })[] = [];
  let invalid = 0;
  file.data['Browser History'].forEach((raw, order) => {
    const visit = takeoutVisit(raw);
    if (visit) visits.push({ ...visit, order });
    else invalid++;
  });
  visits.sort((a, b) => a.visitedAt - b.visitedAt || a.order - b.order);
  return { visits: visits.map(({ order: _order, ...visit }) => visit), invalid };
}

/** One entry of the list as a visit, or null when it has no importable URL or no valid time. */
export function takeoutVisit(raw: unknown): HistoryVisit | null {
  const entry = takeoutEntry.safeParse(raw);
  if (!entry.success || !isImportableUrl(entry.data.url)) return null;
  const visitedAt = unixMicrosToUnixMs(typeof entry.data.time_usec === 'number' ? Math.trunc(entry.data.time_usec) : entry.data.time_usec);
  if (!(visitedAt >= 0)) return null;
  return { url: entry.data.url, title: entry.data.title ?? '', visitedAt, transition: takeoutTransition(entry.data.page_transition), source: 'takeout' };
}

/**
 * Longest URL we import. Chrome keeps URLs up to 2 MiB (data: URLs), but one visit must fit in a
 * native-messaging event under 512 KiB; longer rows are counted as invalid, never silently cut.
 */
export const MAX_IMPORTED_URL_LENGTH = 131_072;

/** An http(s) URL that parses; other history rows cannot be opened safely or keyed (isWebUrl). */
export function isImportableUrl(url: string): boolean {
  return url.length > 0 && url.length <= MAX_IMPORTED_URL_LENGTH && isWebUrl(url);
}
