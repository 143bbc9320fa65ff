/**
 * The options app's hash routes: one per page (`#overview`, `#history`, … `#privacy`; no hash is
 * the overview), `#search=<query>` (the search page with a query) and `#thread=<id>&focus=<row id>`
 * (the Threads page showing one thread read-only, which is how a thread, message, task or memory
 * hit opens: the side panel shows threads by tab, not by id).
 */
import type { SearchHit } from '../commands/search';

export const OPTIONS_PAGES = ['overview', 'search', 'history', 'threads', 'jobs', 'bundles', 'repos', 'settings', 'privacy'] as const;
export type OptionsPage = (typeof OPTIONS_PAGES)[number];

export type OptionsRoute = { kind: 'home' } | { kind: 'page'; page: OptionsPage } | { kind: 'search'; q: string } | { kind: 'thread'; threadId: string; focus: string | null };

/** The page a route shows (its navigation entry). */
export function routePage(route: OptionsRoute): OptionsPage {
  if (route.kind === 'page') return route.page;
  if (route.kind === 'search') return 'search';
  if (route.kind === 'thread') return 'threads';
  return 'overview';
}

export function parseOptionsHash(hash: string): OptionsRoute {
  const bare = hash.replace(/^#\/?/, '');
  if ((OPTIONS_PAGES as readonly string[]).includes(bare) && bare !== 'search') return { kind: 'page', page: bare as OptionsPage };
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const threadId = params.get('thread');
  if (threadId) return { kind: 'thread', threadId, focus: params.get('focus') || null };
  const q = params.get('search');
  if (q !== null) return { kind: 'search', q };
  return { kind: 'home' };
}

export function threadHash(threadId: string, focus?: string | null): string {
  const params = new URLSearchParams({ thread: threadId });
  if (focus) params.set('focus', focus);
  return `#${params.toString()}`;
}

export function searchHash(q: string): string {
  return `#${new URLSearchParams({ search: q }).toString()}`;
}

/**
 * Where a hit without a web page goes: its thread (focused on the row the hit is about), or, for a
 * memory kept outside any thread, the search page with its text.
 */
export function hitHash(hit: SearchHit): string {
  if (hit.threadId) return threadHash(hit.threadId, hit.kind === 'thread' ? null : hit.kind === 'task' ? (hit.taskId ?? hit.key) : hit.key);
  return searchHash(hit.title.slice(0, 200));
}
