/**
 * Memories: short texts offered to the model as context. Deduplicated by (scope, thread, text
 * hash); strength is reset to 1 when a memory is used (see shared/memory.ts for the decay).
 */
import { CodedError } from '../../shared/errors';
import { newId } from '../../shared/ids';
import { sha256Text } from '../../shared/sha256-text';
import { contextMemories } from '../../shared/memory';
import type { Memory } from '../../shared/schemas/entities';
import type { MemoryScope } from '../../shared/schemas/statuses';
import type { HydraDb } from '../db';

/** The dedupe hash of a memory's (or page version's) text: SHA-256 of the trimmed text. */
export function textHash(text: string): Promise<string> {
  return sha256Text(text.trim());
}

export async function createMemory(
  db: HydraDb,
  input: { text: string; scope: MemoryScope; threadId?: string; source: Memory['source'] },
  now = Date.now(),
): Promise<{ memory: Memory; created: boolean }> {
  const text = input.text.trim();
  const threadId = input.scope === 'thread' ? (input.threadId ?? '') : '';
  if (input.scope === 'thread' && !threadId) throw new CodedError('INVALID_COMMAND', 'A thread memory needs a threadId');
  const hash = await textHash(text);
  return db.transaction('rw', db.memories, async () => {
    // A doc memory belongs to its page: the same text on another page is another memory.
    const existing = await db.memories
      .where('[scope+threadId+textHash]')
      .equals([input.scope, threadId, hash])
      .filter((m) => input.scope !== 'doc' || m.source.id === input.source.id)
      .first();
    if (existing) {
      const refreshed = { ...existing, strength: 1, lastUsedAt: now };
      await db.memories.put(refreshed);
      return { memory: refreshed, created: false };
    }
    const memory: Memory = { id: newId(), text, textHash: hash, scope: input.scope, threadId, source: input.source, strength: 1, pinned: 0, lastUsedAt: now, createdAt: now, updatedAt: now };
    await db.memories.add(memory);
    return { memory, created: true };
  });
}

export async function updateMemory(db: HydraDb, memoryId: string, change: { text?: string; pinned?: boolean }, now = Date.now()): Promise<Memory> {
  const hash = change.text !== undefined ? await textHash(change.text) : undefined;
  return db.transaction('rw', db.memories, async () => {
    const memory = await db.memories.get(memoryId);
    if (!memory) throw new CodedError('MEMORY_NOT_FOUND', `No memory ${memoryId}`);
    const next: Memory = {
      ...memory,
      ...(change.text !== undefined ? { text: change.text.trim(), textHash: hash!, strength: 1, lastUsedAt: now } : {}),
      ...(change.pinned !== undefined ? { pinned: change.pinned ? 1 : 0 } : {}),
      updatedAt: now,
    };
    await db.memories.put(next);
    return next;
  });
}

export async function forgetMemory(db: HydraDb, memoryId: string): Promise<boolean> {
  const existing = await db.memories.get(memoryId);
  await db.memories.delete(memoryId);
  return Boolean(existing);
}

/**
 * Picks the memories sent with a thread's next model request — global, user, the thread's own and
 * the doc memories of its pages — and marks them used (a write: strength back to 1, lastUsedAt now).
 */
export async function recallContextMemories(db: HydraDb, threadId: string, now = Date.now()): Promise<Memory[]> {
  const candidates = await db.memories.where('scope').anyOf(['global', 'user']).toArray();
  candidates.push(...(await db.memories.where('threadId').equals(threadId).filter((m) => m.scope === 'thread').toArray()));
  const pages = new Set((await db.threads.get(threadId))?.urlKeys ?? []);
  if (pages.size > 0) candidates.push(...(await db.memories.where('scope').equals('doc').toArray()));
  const chosen = contextMemories(candidates, threadId, now, 20, pages);
  await db.memories.bulkPut(chosen.map((m) => ({ ...m, strength: 1, lastUsedAt: now })));
  return chosen;
}
