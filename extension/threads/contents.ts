/**
 * What deleting a thread takes with it: its messages, its tasks and their events, its thread
 * memories, and the tabs bound to it (unbound, not deleted). One reader for the delete itself and
 * for the side panel's confirmation, so the dialog counts exactly what the delete removes.
 */
import type { HydraDb } from '../db';

export async function threadContents(db: HydraDb, threadId: string) {
  return {
    messages: await db.messages.where('[threadId+createdAt]').between([threadId, -Infinity], [threadId, Infinity]).primaryKeys(),
    tasks: await db.tasks.where('threadId').equals(threadId).primaryKeys(),
    taskEvents: await db.taskEvents.where('threadId').equals(threadId).primaryKeys(),
    memories: await db.memories.where('threadId').equals(threadId).filter((m) => m.scope === 'thread').primaryKeys(),
    tabs: await db.tabs.where('threadId').equals(threadId).primaryKeys(),
  };
}
