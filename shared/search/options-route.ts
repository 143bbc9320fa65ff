/**
 * The options page's hash routes for search: `#search=<query>` (the full search page with a
 * query) and `#thread=<id>&focus=<row id>` (a read-only view of one thread, which is how a thread,
 * message, task or memory hit opens: the side panel shows threads by tab, not by id).
 */
import type { SearchHit } from '../commands/search';

export type OptionsRoute = { kind: 'home' } | { kind: 'search'; q: string } | { kind: 'thread'; threadId: string; focus: string | null };

export function parseOptionsHash(hash: string): OptionsRoute {
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
