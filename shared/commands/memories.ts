/** Commands of memories: short texts offered to the model as context. */
import { z } from 'zod';
import { id, memory } from '../schemas/entities';
import { MEMORY_SCOPES } from '../schemas/statuses';
import { defineCommand, OWN_PAGES } from './define';

export const memoryCommands = {
  'memories.create': defineCommand({
    callers: OWN_PAGES,
    summary: 'Remembers a text (deduplicated by scope, thread and text).',
    params: () => z.object({ text: z.string().trim().min(1).max(20_000), scope: z.enum(MEMORY_SCOPES), threadId: id.optional(), source: z.object({ kind: z.enum(['message', 'page', 'user']), id: z.string().nullable() }).default({ kind: 'user', id: null }) }),
    result: () => z.object({ memory, created: z.boolean() }),
  }),
  'memories.update': defineCommand({
    callers: OWN_PAGES,
    summary: 'Edits, pins or unpins a memory.',
    params: () => z.object({ memoryId: id, text: z.string().trim().min(1).max(20_000).optional(), pinned: z.boolean().optional() }),
    result: () => z.object({ memory }),
  }),
  'memories.forget': defineCommand({
    callers: OWN_PAGES,
    summary: 'Deletes a memory.',
    params: () => z.object({ memoryId: id }),
    result: () => z.object({ forgotten: z.boolean() }),
  }),
};
