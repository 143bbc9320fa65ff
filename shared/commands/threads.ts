/**
 * Commands of the threads capability: tab ↔ thread binding, threads, messages and chat, tasks,
 * memories, page capture and the capture blocklist.
 */
import { z } from 'zod';
import { blockRule } from '../blocklist';
import { chatContext } from '../chat/context';
import { id, memory, message, page, task, taskEvent, thread, timestamp } from '../schemas/entities';
import { MEMORY_SCOPES, TASK_PRIORITIES, TASK_STATUSES } from '../schemas/statuses';
import { defineCommand } from './define';

export const modelSettings = z.object({
  kind: z.enum(['openai', 'ollama']),
  /** e.g. http://127.0.0.1:11434 (Ollama) or https://api.example.com (OpenAI-compatible, `/v1` added). */
  baseUrl: z.url().max(2000),
  apiKey: z.string().max(1000).default(''),
  model: z.string().max(300).default(''),
  /** Tokens a request may fill (default 8192); for Ollama capped by what /api/show says of the model (extension/chat/context.ts). */
  contextWindow: z.number().int().min(512).max(10_000_000).optional(),
});
export type ModelSettings = z.infer<typeof modelSettings>;

const tabRef = z.object({ tabId: z.number().int(), url: z.string().max(2_097_152), title: z.string().max(10_000).default('') });

export const deleteThreadCounts = z.object({ threads: z.number().int(), messages: z.number().int(), tasks: z.number().int(), taskEvents: z.number().int(), memories: z.number().int(), tabsUnbound: z.number().int() });

export const threadCommands = {
  'threads.forTab': defineCommand({
    summary:
      "The tab's thread: its binding, else a thread bound to the same normalized URL; else none (an unsaved thread), or with `create` a new thread bound to the tab (the panel asks for that when something is written). Without url, the tab is looked up (incognito and blocked tabs refused).",
    params: z.object({ tabId: z.number().int(), url: z.string().max(2_097_152).optional(), title: z.string().max(10_000).optional(), create: z.boolean().default(false) }),
    /** `messages`: the thread's latest messages (up to 100), so the panel paints them before its own database connection is open. */
    result: z.object({ thread: thread.nullable(), resolvedBy: z.enum(['binding', 'url', 'created', 'none']), messages: z.array(message), tab: tabRef }),
  }),
  'threads.list': defineCommand({
    summary: 'Threads, pinned first then most recently updated; optional title search; archived hidden unless asked.',
    params: z.object({ query: z.string().max(500).default(''), includeArchived: z.boolean().default(false), limit: z.number().int().positive().max(1000).default(200) }),
    result: z.object({ threads: z.array(thread) }),
  }),
  'threads.create': defineCommand({
    summary: 'A fresh thread, bound to the tab when one is given.',
    params: z.object({ title: z.string().max(1000).optional(), tab: tabRef.optional() }),
    result: z.object({ thread }),
  }),
  'threads.bind': defineCommand({
    summary: 'Binds a tab (and its URL) to a thread the user chose.',
    params: z.object({ tab: tabRef, threadId: id }),
    result: z.object({ thread }),
  }),
  'threads.unbind': defineCommand({
    summary: 'Unbinds a tab and its URL from their thread.',
    params: z.object({ tab: tabRef }),
    result: z.object({ unbound: z.boolean() }),
  }),
  'threads.update': defineCommand({
    summary: 'Renames, pins or archives a thread.',
    params: z.object({ threadId: id, title: z.string().trim().min(1).max(1000).optional(), pinned: z.boolean().optional(), archived: z.boolean().optional() }),
    result: z.object({ thread }),
  }),
  'threads.delete': defineCommand({
    summary: 'Deletes a thread with its messages, tasks and their events, thread memories; unbinds its tabs. Reports the counts.',
    params: z.object({ threadId: id }),
    result: deleteThreadCounts,
  }),
  'messages.note': defineCommand({
    summary: 'Adds a note (a message the model does not answer) to a thread.',
    params: z.object({ threadId: id, content: z.string().trim().min(1).max(1_000_000) }),
    result: z.object({ message }),
  }),
  'chat.send': defineCommand({
    summary: 'Adds the user message and streams the model reply into an assistant message (stored as it arrives). `context`: page chips (tab ids whose readable text goes with the question) and "From my history".',
    params: z.object({ threadId: id, content: z.string().trim().min(1).max(1_000_000), context: chatContext.default({ pageTabId: null, tabIds: [], history: false }) }),
    result: z.object({ userMessageId: id, assistantMessageId: id }),
  }),
  'chat.resend': defineCommand({
    summary: 'Asks again from a user message: the messages after it go, its text is replaced when `content` is given (edit and resend), and a new reply streams (retry, regenerate).',
    params: z.object({ userMessageId: id, content: z.string().trim().min(1).max(1_000_000).optional(), context: chatContext.default({ pageTabId: null, tabIds: [], history: false }) }),
    result: z.object({ userMessageId: id, assistantMessageId: id }),
  }),
  'chat.stop': defineCommand({
    summary: 'Stops a streaming reply; the text so far is kept (status `stopped`).',
    params: z.object({ messageId: id }),
    result: z.object({ stopped: z.boolean() }),
  }),
  'chat.getSettings': defineCommand({
    summary: 'The model endpoint settings (null: none configured).',
    params: z.object({}),
    result: z.object({ settings: modelSettings.nullable() }),
  }),
  'chat.setSettings': defineCommand({
    summary: 'Saves (or, with null, removes) the model endpoint settings.',
    params: z.object({ settings: modelSettings.nullable() }),
    result: z.object({ settings: modelSettings.nullable() }),
  }),
  'chat.models': defineCommand({
    summary: "The endpoint's model list (`/v1/models` or Ollama `/api/tags`), for the given or the saved settings.",
    params: z.object({ settings: modelSettings.optional() }),
    result: z.object({ models: z.array(z.string()) }),
  }),
  'tasks.create': defineCommand({
    summary: 'Creates a task in a thread (event `created`).',
    params: z.object({ threadId: id, title: z.string().trim().min(1).max(1000), description: z.string().max(100_000).default(''), priority: z.enum(TASK_PRIORITIES).default('normal'), dueAt: timestamp.nullable().default(null) }),
    result: z.object({ task }),
  }),
  'tasks.update': defineCommand({
    summary: 'Changes status (event `status_changed`) and/or edits fields (event `edited`).',
    params: z.object({ taskId: id, status: z.enum(TASK_STATUSES).optional(), title: z.string().trim().min(1).max(1000).optional(), description: z.string().max(100_000).optional(), priority: z.enum(TASK_PRIORITIES).optional(), dueAt: timestamp.nullable().optional() }),
    result: z.object({ task, events: z.array(taskEvent) }),
  }),
  'tasks.events': defineCommand({
    summary: "A task's events in order.",
    params: z.object({ taskId: id }),
    result: z.object({ events: z.array(taskEvent) }),
  }),
  'memories.create': defineCommand({
    summary: 'Remembers a text (deduplicated by scope, thread and text).',
    params: z.object({ text: z.string().trim().min(1).max(20_000), scope: z.enum(MEMORY_SCOPES), threadId: id.optional(), source: z.object({ kind: z.enum(['message', 'page', 'user']), id: z.string().nullable() }).default({ kind: 'user', id: null }) }),
    result: z.object({ memory, created: z.boolean() }),
  }),
  'memories.update': defineCommand({
    summary: 'Edits, pins or unpins a memory.',
    params: z.object({ memoryId: id, text: z.string().trim().min(1).max(20_000).optional(), pinned: z.boolean().optional() }),
    result: z.object({ memory }),
  }),
  'memories.forget': defineCommand({
    summary: 'Deletes a memory.',
    params: z.object({ memoryId: id }),
    result: z.object({ forgotten: z.boolean() }),
  }),
  'capture.page': defineCommand({
    summary: "Stores the tab's readable text (Readability) as a page snapshot; unchanged text is not stored again.",
    params: z.object({ tabId: z.number().int() }),
    result: z.object({ page, stored: z.boolean() }),
  }),
  'capture.getBlocklist': defineCommand({
    summary: 'Domains never captured.',
    params: z.object({}),
    result: z.object({ rules: z.array(blockRule) }),
  }),
  'capture.setBlocklist': defineCommand({
    summary: 'Replaces the blocklist (domains are checked and normalized).',
    params: z.object({ rules: z.array(blockRule).max(10_000) }),
    result: z.object({ rules: z.array(blockRule) }),
  }),
};
