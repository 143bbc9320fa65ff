/** Which stored version of a page is its current text. Pure: search indexing and the chat context both use it. */
import type { Page } from '../schemas/entities';

/** The latest version of a page among its rows (highest version; on a tie, the latest capture). */
export function latestPage(rows: readonly Page[]): Page | null {
  let latest: Page | null = null;
  for (const row of rows) if (!latest || row.version > latest.version || (row.version === latest.version && row.capturedAt > latest.capturedAt)) latest = row;
  return latest;
}
