import type { Transaction } from 'dexie';
import type { Migration } from './types';

/*
 * A released migration is frozen: it imports nothing that can change later (only the Migration
 * type). What it needs is copied here as it was at version 4: the fields of a thread row it reads
 * and the store and key of the threads counter (extension/db/counters.ts).
 */
type ThreadRow = { id: string; titleSource: 'auto' | 'user'; pinned: boolean };
const COUNTERS_STORE = 'counters';
const THREADS_COUNTER_KEY = 'store:threads';

/**
 * v4: threads are made only when something is written in them (a note, a question, a task, a
 * memory, "Save page", a pin). Before, every tab the side panel looked at got a thread; this
 * removes those that hold nothing: titled automatically, not pinned, no messages, no tasks, no
 * thread memories. Their tabs are unbound and their tab snapshots forget them, as a delete does.
 * An upgrade bypasses the counters and the search journal middlewares, so it moves the thread
 * counter and journals the removed thread documents itself. No store changes shape.
 */
export async function removeEmptyAutoThreads(tx: Transaction): Promise<number> {
  const threads = tx.table<ThreadRow, string>('threads');
  const candidates = await threads.filter((t) => t.titleSource === 'auto' && !t.pinned).toArray();
  const empty: string[] = [];
  for (const thread of candidates) {
    const holds =
      (await tx.table('messages').where('[threadId+createdAt]').between([thread.id, -Infinity], [thread.id, Infinity]).count()) > 0 ||
      (await tx.table('tasks').where('threadId').equals(thread.id).count()) > 0 ||
      (await tx.table('memories').where('threadId').equals(thread.id).count()) > 0;
    if (!holds) empty.push(thread.id);
  }
  if (empty.length === 0) return 0;
  await tx.table('tabs').where('threadId').anyOf(empty).modify({ threadId: null });
  await tx.table('tabSnapshots').where('threadId').anyOf(empty).modify({ threadId: null });
  await threads.bulkDelete(empty);
  const counter = await tx.table(COUNTERS_STORE).get(THREADS_COUNTER_KEY);
  if (counter) await tx.table(COUNTERS_STORE).put({ key: counter.key, n: Math.max(0, counter.n - empty.length) });
  await tx.table('searchJournal').add({ kind: 'thread', keys: empty });
  return empty.length;
}

export const migration0004: Migration = {
  version: 4,
  description: 'remove threads made automatically that hold nothing',
  stores: {},
  upgrade: async (tx) => void (await removeEmptyAutoThreads(tx)),
};
