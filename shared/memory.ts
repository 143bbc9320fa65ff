/**
 * Memory strength: 1 when a memory is made or used, then ×0.9 per day since its last use
 * (continuously: half a day is ×0.9^0.5). Pinned memories do not fade. Stored `strength` is the
 * value at `lastUsedAt`; what the UI shows and what ranks context is `currentStrength`.
 */
import type { Memory } from './schemas/entities';
import { DAY_MS } from './time';

export const DAILY_DECAY = 0.9;

export function currentStrength(memory: Pick<Memory, 'strength' | 'lastUsedAt' | 'pinned'>, now: number): number {
  if (memory.pinned) return 1;
  const days = Math.max(0, now - memory.lastUsedAt) / DAY_MS;
  return memory.strength * DAILY_DECAY ** days;
}

/**
 * Memories offered to the model with a thread: the thread's own, the doc memories of its pages
 * (`pages`: the URL keys of the thread; a doc memory's source is its page) and the global/user
 * ones, strongest first.
 */
export function contextMemories<M extends Pick<Memory, 'strength' | 'lastUsedAt' | 'pinned' | 'scope' | 'threadId'> & { source?: Memory['source'] }>(
  memories: readonly M[],
  threadId: string,
  now: number,
  limit = 20,
  pages: ReadonlySet<string> = new Set(),
): M[] {
  return memories
    .filter((m) => m.scope === 'global' || m.scope === 'user' || (m.scope === 'thread' && m.threadId === threadId) || (m.scope === 'doc' && m.source?.kind === 'page' && m.source.id !== null && pages.has(m.source.id)))
    .map((m) => ({ m, s: currentStrength(m, now) }))
    .filter(({ s }) => s >= 0.05)
    .sort((a, b) => b.s - a.s)
    .slice(0, limit)
    .map(({ m }) => m);
}
