/** Commands of chat: notes and model replies in a thread, and the model endpoint settings. */
import { z } from 'zod';
import { chatContext } from '../chat/context';
import { id, message } from '../schemas/entities';
import { defineCommand, OWN_PAGES } from './define';

export const modelSettings = z.lazy(() => z.object({
  kind: z.enum(['openai', 'ollama']),
  /** e.g. http://127.0.0.1:11434 (Ollama) or https://api.example.com (OpenAI-compatible, `/v1` added). */
  baseUrl: z.url().max(2000),
  apiKey: z.string().max(1000).default(''),
  model: z.string().max(300).default(''),
  /** Tokens a request may fill (default 8192); for Ollama capped by what /api/show says of the model (extension/chat/context.ts). */
  contextWindow: z.number().int().min(512).max(10_000_000).optional(),
}));
export type ModelSettings = z.infer<typeof modelSettings>;

/** Local model servers on their default loopback ports: what the welcome page offers (chat.findLocal). */
export const LOCAL_MODEL_SERVERS = [
  { name: 'Ollama', kind: 'ollama', baseUrl: 'http://127.0.0.1:11434' },
  { name: 'LM Studio', kind: 'openai', baseUrl: 'http://127.0.0.1:1234' },
  { name: 'llama.cpp', kind: 'openai', baseUrl: 'http://127.0.0.1:8080' },
] as const;

export const chatCommands = {
  'chat.note': defineCommand({
    callers: OWN_PAGES,
    summary: 'Adds a note (a message the model does not answer) to a thread.',
    params: () => z.object({ threadId: id, content: z.string().trim().min(1).max(1_000_000) }),
    result: () => z.object({ message }),
  }),
  'chat.send': defineCommand({
    callers: OWN_PAGES,
    summary: 'Adds the user message and streams the model reply into an assistant message (stored as it arrives). `context`: page chips (tab ids whose readable text goes with the question) and "From my history".',
    params: () => z.object({ threadId: id, content: z.string().trim().min(1).max(1_000_000), context: chatContext.default({ pageTabId: null, tabIds: [], history: false }) }),
    result: () => z.object({ userMessageId: id, assistantMessageId: id }),
  }),
  'chat.resend': defineCommand({
    callers: OWN_PAGES,
    summary: 'Asks again from a user message: the messages after it go, its text is replaced when `content` is given (edit and resend), and a new reply streams (retry, regenerate).',
    params: () => z.object({ userMessageId: id, content: z.string().trim().min(1).max(1_000_000).optional(), context: chatContext.default({ pageTabId: null, tabIds: [], history: false }) }),
    result: () => z.object({ userMessageId: id, assistantMessageId: id }),
  }),
  'chat.stop': defineCommand({
    callers: OWN_PAGES,
    summary: 'Stops a streaming reply; the text so far is kept (status `stopped`).',
    params: () => z.object({ messageId: id }),
    result: () => z.object({ stopped: z.boolean() }),
  }),
  'chat.getSettings': defineCommand({
    callers: OWN_PAGES,
    summary: 'The model endpoint settings (null: none configured).',
    params: () => z.object({}),
    result: () => z.object({ settings: modelSettings.nullable() }),
  }),
  'chat.setSettings': defineCommand({
    callers: OWN_PAGES,
    summary: 'Saves (or, with null, removes) the model endpoint settings.',
    params: () => z.object({ settings: modelSettings.nullable() }),
    result: () => z.object({ settings: modelSettings.nullable() }),
  }),
  'chat.models': defineCommand({
    callers: OWN_PAGES,
    summary: "The endpoint's model list (`/v1/models` or Ollama `/api/tags`), for the given or the saved settings.",
    params: () => z.object({ settings: modelSettings.optional() }),
    result: () => z.object({ models: z.array(z.string()) }),
  }),
  'chat.findLocal': defineCommand({
    callers: OWN_PAGES,
    summary: "Looks for a model server on its default loopback port (LOCAL_MODEL_SERVERS) and lists each one that answers, with its models.",
    params: () => z.object({}),
    result: () => z.object({ servers: z.array(z.object({ name: z.string(), kind: z.enum(['openai', 'ollama']), baseUrl: z.string(), models: z.array(z.string()) })) }),
  }),
};
