/**
 * The search box's pure parts: grouping hits by kind, the flat keyboard order, the query a
 * filter state asks for, and the debounced latest-only runner. No DOM, no browser API: unit-tested
 * in tests/unit/search/ui-*.test.ts.
 */
import type { SearchHit, SearchParams } from '../../../shared/commands/search';
import { err, type AppError, type Result } from '../../../shared/errors';
import { SEARCH_KINDS, type SearchKind } from '../../../shared/search/kinds';
import type { MessageKey } from '../i18n';

/** Each kind's name, as a message key (the page shows it through t()). */
export const KIND_LABELS: Record<SearchKind, MessageKey> = { visit: 'kindVisit', page: 'kindPage', thread: 'kindThread', message: 'kindMessage', task: 'kindTask', memory: 'kindMemory' };

export interface HitGroup {
  kind: SearchKind;
  label: MessageKey;
  hits: SearchHit[];
}

/**
 * Hits grouped by kind; groups ordered by their best hit (highest score, ties to the hit the
 * background ranked first), hits inside a group keep the background's order.
 */
export function groupHits(hits: readonly SearchHit[]): HitGroup[] {
  const groups = new Map<SearchKind, { group: HitGroup; best: number; firstAt: number }>();
  hits.forEach((hit, index) => {
    const entry = groups.get(hit.kind);
    if (entry) {
      entry.group.hits.push(hit);
      entry.best = Math.max(entry.best, hit.score);
    } else groups.set(hit.kind, { group: { kind: hit.kind, label: KIND_LABELS[hit.kind], hits: [hit] }, best: hit.score, firstAt: index });
  });
  return [...groups.values()].sort((a, b) => b.best - a.best || a.firstAt - b.firstAt).map((entry) => entry.group);
}

/** The hits in the order the keyboard walks them: group by group, as shown. */
export function flatHits(groups: readonly HitGroup[]): SearchHit[] {
  return groups.flatMap((group) => group.hits);
}

/** ArrowDown/ArrowUp over `count` hits from `current` (-1: none selected); wraps at both ends. */
export function moveSelection(current: number, count: number, step: 1 | -1): number {
  if (count === 0) return -1;
  if (current < 0) return step === 1 ? 0 : count - 1;
  return (current + step + count) % count;
}

/** A stable DOM id for a hit (aria-activedescendant points at it). */
export function hitDomId(prefix: string, hit: SearchHit): string {
  return `${prefix}-${hit.kind}-${hit.key}`.replace(/[^\w-]/g, '_');
}

export interface SearchFilters {
  /** Empty: every kind. */
  kinds: readonly SearchKind[];
  /** Local calendar days from <input type=date> (YYYY-MM-DD), '' when unset. */
  from: string;
  to: string;
  domain: string;
}

export const NO_FILTERS: SearchFilters = { kinds: [], from: '', to: '', domain: '' };

/** Start of a local calendar day in ms, or null for '' / an invalid day. `endOfDay`: the day's last millisecond. */
export function dayToMs(day: string, endOfDay = false): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return null;
  const [, y, m, d] = match.map(Number) as [number, number, number, number];
  const date = endOfDay ? new Date(y, m - 1, d, 23, 59, 59, 999) : new Date(y, m - 1, d);
  if (date.getFullYear() !== y || date.getMonth() !== m - 1 || date.getDate() !== d) return null;
  return date.getTime();
}

/** The search.query params for a typed text and filters; null when there is nothing to search. */
export function queryParams(q: string, filters: SearchFilters, limit = 40): SearchParams | null {
  const text = q.trim();
  if (!text) return null;
  const params: SearchParams = { q: text.slice(0, 500), limit };
  const kinds = SEARCH_KINDS.filter((kind) => filters.kinds.includes(kind));
  if (kinds.length > 0 && kinds.length < SEARCH_KINDS.length) params.kinds = kinds;
  const from = dayToMs(filters.from);
  const to = dayToMs(filters.to, true);
  if (from !== null) params.from = from;
  if (to !== null) params.to = to;
  const domain = normalizeDomain(filters.domain);
  if (domain) params.domain = domain;
  return params;
}

/** What the user typed in the domain filter as a bare host: "https://Docs.Example.com/x" → "docs.example.com". */
export function normalizeDomain(raw: string): string {
  const text = raw.trim().toLowerCase();
  if (!text) return '';
  const host = text.replace(/^[a-z][a-z0-9+.-]*:\/\//, '').split(/[/?#:]/)[0] ?? '';
  return host.replace(/^\*?\.+/, '').replace(/\.$/, '').slice(0, 253);
}

/** Host and path of a URL for display (no scheme, no query noise beyond 80 chars). */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (!/^(https?|ftp):$/.test(parsed.protocol)) return url.slice(0, 80);
    const path = parsed.pathname === '/' ? '' : parsed.pathname;
    const shown = `${parsed.host}${path}${parsed.search}`;
    return shown.length > 80 ? `${shown.slice(0, 79)}…` : shown;
  } catch {
    return url.slice(0, 80);
  }
}

export type SearchState =
  | { state: 'idle' }
  | { state: 'loading'; q: string; previous: SearchHit[] }
  | { state: 'ready'; q: string; hits: SearchHit[]; tookMs: number }
  | { state: 'failed'; q: string; error: AppError };

export interface SearchRunnerOptions<P, R> {
  delayMs: number;
  run: (params: P) => Promise<Result<R>>;
  /** Called only with the answer to the latest request; answers to superseded requests are dropped. */
  onReply: (params: P, reply: Result<R>) => void;
  schedule?: (fn: () => void, ms: number) => unknown;
  cancel?: (handle: unknown) => void;
}

/**
 * Debounces requests and keeps only the newest answer: typing "ab" then "abc" sends (at most)
 * both, but if "ab"'s reply arrives after "abc" was asked, it is dropped, so the list never shows
 * results for text no longer in the box.
 */
export function createSearchRunner<P, R>(options: SearchRunnerOptions<P, R>) {
  const schedule = options.schedule ?? ((fn, ms) => setTimeout(fn, ms));
  const cancel = options.cancel ?? ((handle) => clearTimeout(handle as ReturnType<typeof setTimeout>));
  let generation = 0;
  let timer: unknown = null;
  const stopTimer = () => {
    if (timer !== null) cancel(timer);
    timer = null;
  };
  return {
    /** Asks for `params` after the debounce delay (null: nothing to ask; pending work is dropped). */
    request(params: P | null, immediate = false): void {
      const mine = ++generation;
      stopTimer();
      if (params === null) return;
      const fire = () => {
        timer = null;
        void options.run(params).then(
          (reply) => mine === generation && options.onReply(params, reply),
          (error: unknown) => mine === generation && options.onReply(params, err('INTERNAL_ERROR', String(error))),
        );
      };
      if (immediate) fire();
      else timer = schedule(fire, options.delayMs);
    },
    /** Drops the pending request and any answer still on its way. */
    dispose(): void {
      generation++;
      stopTimer();
    },
  };
}
