/** Commands of tasks: a thread's tasks and their event log. */
import { z } from 'zod';
import { id, task, taskEvent, timestamp } from '../schemas/entities';
import { TASK_PRIORITIES, TASK_STATUSES } from '../schemas/statuses';
import { defineCommand, OWN_PAGES } from './define';

export const taskCommands = {
  'tasks.create': defineCommand({
    callers: OWN_PAGES,
    summary: 'Creates a task in a thread (event `created`).',
    params: () => z.object({ threadId: id, title: z.string().trim().min(1).max(1000), description: z.string().max(100_000).default(''), priority: z.enum(TASK_PRIORITIES).default('normal'), dueAt: timestamp.nullable().default(null) }),
    result: () => z.object({ task }),
  }),
  'tasks.update': defineCommand({
    callers: OWN_PAGES,
    summary: 'Changes status (event `status_changed`) and/or edits fields (event `edited`).',
    params: () => z.object({ taskId: id, status: z.enum(TASK_STATUSES).optional(), title: z.string().trim().min(1).max(1000).optional(), description: z.string().max(100_000).optional(), priority: z.enum(TASK_PRIORITIES).optional(), dueAt: timestamp.nullable().optional() }),
    result: () => z.object({ task, events: z.array(taskEvent) }),
  }),
  'tasks.events': defineCommand({
    callers: OWN_PAGES,
    summary: "A task's events in order.",
    params: () => z.object({ taskId: id }),
    result: () => z.object({ events: z.array(taskEvent) }),
  }),
};
