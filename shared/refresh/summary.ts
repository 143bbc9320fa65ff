/**
 * The words a refresh leaves in its thread ("3 pages changed since last week"). Pure, so the
 * phrasing is tested on its own.
 */

import { DAY_MS } from '../time';

export interface RefreshCounts {
  fetched: number;
  changed: number;
  added: number;
  unchanged: number;
  failed: number;
  skipped: number;
}

export const EMPTY_COUNTS: RefreshCounts = { fetched: 0, changed: 0, added: 0, unchanged: 0, failed: 0, skipped: 0 };

/** "earlier today", "yesterday", "3 days ago", "last week", "3 weeks ago", "2 months ago". */
export function sinceLabel(then: number, now: number): string {
  const days = Math.floor((now - then) / DAY_MS);
  if (days < 1) return 'earlier today';
  if (days < 2) return 'yesterday';
  if (days < 7) return `${days} days ago`;
  if (days < 14) return 'last week';
  if (days < 60) return `${Math.floor(days / 7)} weeks ago`;
  return `${Math.floor(days / 30)} months ago`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * The thread message of a finished refresh. `changes` are the pages that got a new version, each
 * with the time of the version before it; the headline dates from the oldest of those.
 */
export function refreshSummary(counts: RefreshCounts, changes: readonly { title: string; url: string; previousAt: number }[], now: number): string {
  const oldest = changes.length ? Math.min(...changes.map((c) => c.previousAt)) : null;
  const headline =
    counts.changed === 0
      ? `No saved page changed (${plural(counts.fetched, 'page')} checked).`
      : `${plural(counts.changed, 'page')} changed since ${sinceLabel(oldest!, now)}.`;
  const detail = [`${counts.unchanged} unchanged`, counts.added ? `${counts.added} new` : '', counts.failed ? `${counts.failed} failed` : '', counts.skipped ? `${counts.skipped} not fetched (robots.txt or blocklist)` : ''].filter(Boolean).join(', ');
  const list = changes.slice(0, 20).map((c) => `• ${c.title || c.url} — ${c.url}`);
  const more = changes.length > 20 ? [`… and ${changes.length - 20} more`] : [];
  return [`Page refresh: ${headline} ${detail}.`, ...list, ...more].join('\n');
}
