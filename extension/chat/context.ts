/**
 * What a question carries, assembled in the service worker: the page chips' readable text (read
 * now from the tabs by Readability, trimmed to each chip's share of the budget), passages from the
 * user's history found by HydraFlow's own search (numbered, so the reply can cite them), memories
 * and the conversation — the whole request kept inside the model's context window (docs/threads.md).
 * It reads; it never writes (the caller stores what was sent on the messages).
 */
import { CodedError } from '../../shared/errors';
import type { ModelSettings } from '../../shared/commands/chat';
import type { SearchHit } from '../../shared/commands/search';
import {
  contextMessage,
  DEFAULT_CONTEXT_WINDOW,
  estimateTokens,
  passageOf,
  planBudget,
  trimToTokens,
  CHARS_PER_TOKEN,
  type ChatContext,
  type ContextPart,
  type ContextSource,
  type Passage,
  type TabText,
} from '../../shared/chat/context';
import { latestPage } from '../../shared/pages/latest';
import type { QueryTerms } from '../../shared/search/tokenize';
import type { Memory } from '../../shared/schemas/entities';
import type { HydraDb } from '../db';
import { apiBase, endpointHeaders, type ChatTurn } from './endpoint';

/** What the context needs from other capabilities (the worker passes the real ones; see background/main.ts). */
export interface ContextSources {
  /** The tab's readable text now (Readability in the tab). */
  readTab(tabId: number): Promise<{ url: string; title: string; text: string }>;
  /** The best documents of the user's history for a question. */
  searchHistory(question: string, limit: number): Promise<{ hits: SearchHit[]; terms: QueryTerms }>;
}

/** How many history hits a question looks at (the best ones that fit the history share are sent). */
const HISTORY_HITS = 8;

export const SYSTEM_INSTRUCTIONS = 'You are HydraFlow, a research assistant in the user\'s browser. Answer from the attached context when it helps; say so when it does not hold the answer.';

const windows = new Map<string, number>();

/**
 * The window a request is fitted to. OpenAI-compatible: the setting, else 8192. Ollama: what
 * `/api/show` says (`<arch>.context_length`; remembered per endpoint and model while the worker
 * lives), capped by the setting (else 8192) — the request sets `num_ctx` to it, and Ollama holds
 * memory for all of it, so a model's 128k maximum is not asked for unless the user set it.
 */
export async function contextWindow(settings: ModelSettings): Promise<{ tokens: number; from: 'endpoint' | 'setting' | 'default' }> {
  const configured = settings.contextWindow ? { tokens: settings.contextWindow, from: 'setting' as const } : { tokens: DEFAULT_CONTEXT_WINDOW, from: 'default' as const };
  if (settings.kind === 'ollama') {
    const key = `${settings.baseUrl}|${settings.model}`;
    let known = windows.get(key);
    if (known === undefined) {
      known = await ollamaContextLength(settings).catch(() => 0);
      if (known > 0) windows.set(key, known);
    }
    if (known > 0 && known < configured.tokens) return { tokens: known, from: 'endpoint' };
  }
  return configured;
}

async function ollamaContextLength(settings: ModelSettings): Promise<number> {
  const response = await fetch(`${apiBase(settings)}/api/show`, { method: 'POST', headers: endpointHeaders(settings), body: JSON.stringify({ model: settings.model }), credentials: 'omit' });
  if (!response.ok) return 0;
  const body = (await response.json().catch(() => null)) as { model_info?: Record<string, unknown> } | null;
  for (const [name, value] of Object.entries(body?.model_info ?? {})) {
    if (name.endsWith('.context_length') && typeof value === 'number' && Number.isInteger(value) && value > 0) return value;
  }
  return 0;
}

export interface AssembledRequest {
  turns: ChatTurn[];
  /** The page chips as sent (kept on the user message). */
  parts: ContextPart[];
  /** The numbered history sources (kept on the assistant message). */
  sources: ContextSource[];
  /** The window the request was fitted to. */
  window: number;
  /** Estimated tokens of the request. */
  tokens: number;
}

/**
 * The request for a question: instructions and memories, the context message (page chips, then
 * numbered history passages), the earlier conversation (newest kept), then the question. Each part
 * is cut to its share of the window (shared/chat/context.ts `planBudget`).
 */
export async function assembleRequest(
  db: HydraDb,
  sources: ContextSources,
  input: { question: string; earlier: ChatTurn[]; memories: Memory[]; context: ChatContext; window: number; threadId: string },
): Promise<AssembledRequest> {
  const memoryText = input.memories.length ? `Things to remember:\n${input.memories.map((m) => `- ${m.text}`).join('\n')}` : null;
  const fixed = estimateTokens(SYSTEM_INSTRUCTIONS) + estimateTokens(memoryText ?? '') + estimateTokens(input.question) + 16;
  const tabIds = [...(input.context.pageTabId !== null ? [input.context.pageTabId] : []), ...input.context.tabIds.filter((id) => id !== input.context.pageTabId)];
  const budget = planBudget(input.window, fixed, tabIds.length, input.context.history);
  if (budget.context + budget.conversation <= 0 && fixed > input.window - budget.reply) {
    throw new CodedError('CONTEXT_TOO_LARGE', `The question does not fit the model's context window (${input.window} tokens)`);
  }

  const [tabs, history] = await Promise.all([
    Promise.all(tabIds.map((tabId, i) => readChip(sources, tabId, i === 0 && input.context.pageTabId !== null ? 'page' : 'tab', budget.perTab))),
    input.context.history ? historyPassages(db, sources, input.question, budget.history, input.threadId) : Promise.resolve([]),
  ]);
  const sent = tabs.filter((tab): tab is { part: ContextPart; text: TabText } => tab.text !== null);
  const context = contextMessage(
    sent.map((tab) => tab.text),
    history,
  );

  // The conversation, newest first, as far as its share goes (what the chips left unused is added).
  const unused = Math.max(0, budget.context - estimateTokens(context ?? '') - 8);
  let left = budget.conversation + unused;
  const earlier: ChatTurn[] = [];
  for (const turn of [...input.earlier].reverse()) {
    left -= estimateTokens(turn.content) + 4;
    if (left < 0) break;
    earlier.unshift(turn);
  }
  const system = [SYSTEM_INSTRUCTIONS, memoryText].filter(Boolean).join('\n\n');
  const turns: ChatTurn[] = [{ role: 'system', content: system }, ...(context ? [{ role: 'system' as const, content: context }] : []), ...earlier, { role: 'user', content: input.question }];
  const tokens = turns.reduce((sum, turn) => sum + estimateTokens(turn.content) + 4, 0);
  return { turns, parts: tabs.map((tab) => tab.part), sources: history.map((p) => p.source), window: input.window, tokens };
}

async function readChip(sources: ContextSources, tabId: number, kind: 'page' | 'tab', tokens: number): Promise<{ part: ContextPart; text: TabText | null }> {
  try {
    const read = await sources.readTab(tabId);
    const cut = trimToTokens(read.text, Math.max(0, tokens - estimateTokens(`${read.title}${read.url}`) - 16));
    return {
      part: { kind, title: read.title, url: read.url, tokens: estimateTokens(cut.text), trimmed: cut.trimmed, missing: null },
      text: { kind, title: read.title, url: read.url, text: cut.text },
    };
  } catch (error) {
    const missing = error instanceof CodedError ? error.message : 'The tab could not be read';
    return { part: { kind, title: '', url: '', tokens: 0, trimmed: false, missing }, text: null };
  }
}

/** Numbered passages of the best history hits that fit `tokens`; the thread's own messages are already in the conversation. */
async function historyPassages(db: HydraDb, sources: ContextSources, question: string, tokens: number, threadId: string): Promise<Passage[]> {
  if (tokens <= 0) return [];
  const { hits, terms } = await sources.searchHistory(question, HISTORY_HITS);
  const useful = hits.filter((hit) => !(hit.kind === 'message' && hit.threadId === threadId));
  if (useful.length === 0) return [];
  // Each passage gets an even share; a short one leaves its rest to the next.
  let left = tokens;
  const passages: Passage[] = [];
  for (const [i, hit] of useful.entries()) {
    const share = Math.floor(left / (useful.length - i));
    const text = await passageText(db, hit, terms, Math.max(0, share - estimateTokens(`${hit.title}${hit.url ?? ''}`) - 8) * CHARS_PER_TOKEN);
    if (!text) continue;
    const source: ContextSource = { n: passages.length + 1, kind: hit.kind, title: hit.title, url: hit.url, threadId: hit.threadId };
    passages.push({ source, text });
    left -= estimateTokens(`[${source.n}] ${source.title} (${source.url ?? ''})\n${text}`) + 2;
  }
  return passages;
}

async function passageText(db: HydraDb, hit: SearchHit, terms: QueryTerms, maxChars: number): Promise<string> {
  if (maxChars < 40) return '';
  switch (hit.kind) {
    case 'page': {
      const page = latestPage(await db.pages.where('urlKey').equals(hit.key).toArray());
      return page ? passageOf(page.text, terms, maxChars) : '';
    }
    case 'message': {
      const message = await db.messages.get(hit.key);
      return message ? passageOf(message.content, terms, maxChars) : '';
    }
    case 'task': {
      const task = await db.tasks.get(hit.key);
      return task ? passageOf(`${task.title}. ${task.description}`, terms, maxChars) : '';
    }
    case 'memory': {
      const memory = await db.memories.get(hit.key);
      return memory ? passageOf(memory.text, terms, maxChars) : '';
    }
    case 'visit':
    case 'thread':
      return passageOf(`Visited: ${hit.title} — ${hit.snippet.text}`, terms, maxChars);
  }
}
