/**
 * Tasks of a thread and their event log. Every create, status change and edit appends an event
 * with the task's next sequence number, in the same transaction as the change, so the log is
 * complete and totally ordered.
 */
import { CodedError } from '../../shared/errors';
import { newId } from '../../shared/ids';
import type { Task, TaskEvent } from '../../shared/schemas/entities';
import type { TaskEventType, TaskPriority, TaskStatus } from '../../shared/schemas/statuses';
import type { HydraDb } from '../db';
import { getThread } from '../threads/store';

async function appendEvent(db: HydraDb, task: Task, type: TaskEventType, data: Record<string, unknown>, now: number): Promise<TaskEvent> {
  const last = await db.taskEvents.where('[taskId+seq]').between([task.id, -Infinity], [task.id, Infinity]).last();
  const event: TaskEvent = { id: newId(), taskId: task.id, threadId: task.threadId, type, seq: (last?.seq ?? -1) + 1, at: now, data };
  await db.taskEvents.add(event);
  return event;
}

export async function createTask(db: HydraDb, input: { threadId: string; title: string; description: string; priority: TaskPriority; dueAt: number | null }, now = Date.now()): Promise<Task> {
  return db.transaction('rw', db.threads, db.tasks, db.taskEvents, async () => {
    await getThread(db, input.threadId);
    const task: Task = { id: newId(), ...input, status: 'pending', createdAt: now, updatedAt: now };
    await db.tasks.add(task);
    await appendEvent(db, task, 'created', { title: task.title, status: task.status, priority: task.priority }, now);
    await db.threads.update(input.threadId, { updatedAt: now });
    return task;
  });
}

export async function updateTask(
  db: HydraDb,
  taskId: string,
  change: { status?: TaskStatus; title?: string; description?: string; priority?: TaskPriority; dueAt?: number | null },
  now = Date.now(),
): Promise<{ task: Task; events: TaskEvent[] }> {
  return db.transaction('rw', db.tasks, db.taskEvents, async () => {
    const task = await db.tasks.get(taskId);
    if (!task) throw new CodedError('TASK_NOT_FOUND', `No task ${taskId}`);
    const events: TaskEvent[] = [];
    let next = task;
    if (change.status !== undefined && change.status !== task.status) {
      next = { ...next, status: change.status, updatedAt: now };
      events.push(await appendEvent(db, next, 'status_changed', { from: task.status, to: change.status }, now));
    }
    const edits: Record<string, { from: unknown; to: unknown }> = {};
    for (const field of ['title', 'description', 'priority', 'dueAt'] as const) {
      if (change[field] !== undefined && change[field] !== task[field]) edits[field] = { from: task[field], to: change[field] };
    }
    if (Object.keys(edits).length > 0) {
      next = { ...next, ...Object.fromEntries(Object.entries(edits).map(([k, v]) => [k, v.to])), updatedAt: now };
      events.push(await appendEvent(db, next, 'edited', edits, now));
    }
    if (events.length > 0) await db.tasks.put(next);
    return { task: next, events };
  });
}

export async function taskEvents(db: HydraDb, taskId: string): Promise<TaskEvent[]> {
  return db.taskEvents.where('[taskId+seq]').between([taskId, -Infinity], [taskId, Infinity]).toArray();
}
