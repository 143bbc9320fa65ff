/**
 * Commands of the threads capability: tab ↔ thread binding and the threads themselves. Chat,
 * tasks, memories and capture have their own files, named like their commands.
 */
import { z } from 'zod';
import { id, message, thread } from '../schemas/entities';
import { defineCommand, OWN_PAGES } from './define';

const tabRef = z.lazy(() => z.object({ tabId: z.number().int(), url: z.string().max(2_097_152), title: z.string().max(10_000).default('') }));

export const deleteThreadCounts = z.lazy(() => z.object({ threads: z.number().int(), messages: z.number().int(), tasks: z.number().int(), taskEvents: z.number().int(), memories: z.number().int(), tabsUnbound: z.number().int() }));

export const threadCommands = {
  'threads.forTab': defineCommand({
    callers: OWN_PAGES,
    summary:
      "The tab's thread: its binding, else a thread bound to the same normalized URL; else none (an unsaved thread), or with `create` a new thread bound to the tab (the panel asks for that when something is written). Without url, the tab is looked up (incognito and blocked tabs refused).",
    params: () => z.object({ tabId: z.number().int(), url: z.string().max(2_097_152).optional(), title: z.string().max(10_000).optional(), create: z.boolean().default(false) }),
    /** `messages`: the thread's latest messages (up to 100), so the panel paints them before its own database connection is open. */
    result: () => z.object({ thread: thread.nullable(), resolvedBy: z.enum(['binding', 'url', 'created', 'none']), messages: z.array(message), tab: tabRef }),
  }),
  'threads.list': defineCommand({
    callers: OWN_PAGES,
    summary: 'Threads, pinned first then most recently updated; optional title search; archived hidden unless asked.',
    params: () => z.object({ query: z.string().max(500).default(''), includeArchived: z.boolean().default(false), limit: z.number().int().positive().max(1000).default(200) }),
    result: () => z.object({ threads: z.array(thread) }),
  }),
  'threads.create': defineCommand({
    callers: OWN_PAGES,
    summary: 'A fresh thread, bound to the tab when one is given.',
    params: () => z.object({ title: z.string().max(1000).optional(), tab: tabRef.optional() }),
    result: () => z.object({ thread }),
  }),
  'threads.bind': defineCommand({
    callers: OWN_PAGES,
    summary: 'Binds a tab (and its URL) to a thread the user chose.',
    params: () => z.object({ tab: tabRef, threadId: id }),
    result: () => z.object({ thread }),
  }),
  'threads.unbind': defineCommand({
    callers: OWN_PAGES,
    summary: 'Unbinds a tab and its URL from their thread.',
    params: () => z.object({ tab: tabRef }),
    result: () => z.object({ unbound: z.boolean() }),
  }),
  'threads.update': defineCommand({
    callers: OWN_PAGES,
    summary: 'Renames, pins or archives a thread.',
    params: () => z.object({ threadId: id, title: z.string().trim().min(1).max(1000).optional(), pinned: z.boolean().optional(), archived: z.boolean().optional() }),
    result: () => z.object({ thread }),
  }),
  'threads.delete': defineCommand({
    callers: OWN_PAGES,
    summary: 'Deletes a thread with its messages, tasks and their events, thread memories; unbinds its tabs. Reports the counts.',
    params: () => z.object({ threadId: id }),
    result: () => deleteThreadCounts,
  }),
};
