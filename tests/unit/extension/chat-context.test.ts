/**
 * The chat request as assembled in the worker, on a real database (fake-indexeddb) with the real
 * search index, and streamed to a real loopback OpenAI-compatible server: history passages found
 * and numbered, page text cut to its share, the window never exceeded; resend replaces the answer.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import Dexie from 'dexie';
import { createDatabase, type HydraDb } from '../../../extension/db';
import { assembleRequest, contextWindow, type ContextSources } from '../../../extension/chat/context';
import { resendChat, sendChat, setModelSettings } from '../../../extension/chat/service';
import { Indexer, searchQuestion } from '../../../extension/search';
import { storePageVersion } from '../../../extension/pages/versions';
import { createThread } from '../../../extension/threads/store';
import { estimateTokens, TRIM_MARKER } from '../../../shared/chat/context';

let db: HydraDb;
let n = 0;
const opened: HydraDb[] = [];
afterEach(async () => {
  for (const each of opened.splice(0)) {
    each.close();
    await Dexie.delete(each.name);
  }
});

let server: Server;
let baseUrl = '';
const bodies: { messages: { role: string; content: string }[] }[] = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      bodies.push(JSON.parse(body) as (typeof bodies)[number]);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(`data: ${JSON.stringify({ choices: [{ delta: { content: `answer ${bodies.length}` } }] })}\n\ndata: [DONE]\n\n`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function setup(): Promise<{ sources: ContextSources; pageText: string }> {
  db = createDatabase(`hydraflow-chat-context-${n++}`);
  opened.push(db);
  await db.open();
  const indexer = new Indexer(db);
  await storePageVersion(db, { url: 'https://old.example/notes', title: 'Old notes', byline: null, text: `${'Unrelated filler text. '.repeat(300)}The quillwort cipher is XK-7731. ${'More filler. '.repeat(300)}` });
  await storePageVersion(db, { url: 'https://other.example/', title: 'Other', byline: null, text: 'Gardening tips about tomatoes and basil.' });
  const pageText = 'Current page paragraph. '.repeat(5000);
  return {
    pageText,
    sources: {
      // The tab's text as Readability would return it (the browser part is covered by the e2e tests).
      readTab: async (tabId) => ({ url: `https://tab${tabId}.example/`, title: `Tab ${tabId}`, text: pageText }),
      searchHistory: (question, limit) => searchQuestion(db, indexer, question, { kinds: ['visit', 'page', 'message', 'task', 'memory'], limit }, null),
    },
  };
}

describe('the context window', () => {
  it('is the setting (else 8192), and for Ollama at most what /api/show says of the model', async () => {
    const show = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const { model: name } = JSON.parse(body) as { model: string };
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ model_info: { 'llama.context_length': name === 'small' ? 2048 : 131072 } }));
      });
    });
    await new Promise<void>((resolve) => show.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(show.address() as AddressInfo).port}`;
    try {
      expect(await contextWindow({ kind: 'openai', baseUrl: url, apiKey: '', model: 'm' })).toEqual({ tokens: 8192, from: 'default' });
      expect(await contextWindow({ kind: 'openai', baseUrl: url, apiKey: '', model: 'm', contextWindow: 32768 })).toEqual({ tokens: 32768, from: 'setting' });
      expect(await contextWindow({ kind: 'ollama', baseUrl: url, apiKey: '', model: 'small' })).toEqual({ tokens: 2048, from: 'endpoint' });
      expect(await contextWindow({ kind: 'ollama', baseUrl: url, apiKey: '', model: 'large' })).toEqual({ tokens: 8192, from: 'default' });
      expect(await contextWindow({ kind: 'ollama', baseUrl: url, apiKey: '', model: 'large', contextWindow: 65536 })).toEqual({ tokens: 65536, from: 'setting' });
    } finally {
      await new Promise<void>((resolve) => show.close(() => resolve()));
    }
  });
});

describe('chat request assembly', () => {
  it('numbers the history passage holding the answer, cuts the page to its share, and stays inside the window', async () => {
    const { sources } = await setup();
    const request = await assembleRequest(db, sources, {
      question: 'What was the quillwort cipher?',
      earlier: [{ role: 'user', content: 'earlier question' }, { role: 'assistant', content: 'earlier answer' }],
      memories: [],
      context: { pageTabId: 7, tabIds: [], history: true },
      window: 4096,
      threadId: 'none',
    });
    expect(request.sources).toEqual([{ n: 1, kind: 'page', title: 'Old notes', url: 'https://old.example/notes', threadId: null }]);
    const context = request.turns[1]!.content;
    expect(context).toContain('[1] Old notes (https://old.example/notes)');
    expect(context).toContain('The quillwort cipher is XK-7731.');
    expect(context).toContain(TRIM_MARKER);
    expect(request.parts).toEqual([expect.objectContaining({ kind: 'page', title: 'Tab 7', trimmed: true, missing: null })]);
    expect(request.turns.map((t) => t.role)).toEqual(['system', 'system', 'user', 'assistant', 'user']);
    expect(request.tokens).toBeLessThanOrEqual(4096 - 1024);
    expect(request.turns.reduce((sum, t) => sum + estimateTokens(t.content), 0)).toBeLessThanOrEqual(4096 - 1024);
  });

  it('shares the budget between two tabs, and says which tab could not be read', async () => {
    const { sources } = await setup();
    const failing: ContextSources = { ...sources, readTab: async (tabId) => (tabId === 9 ? Promise.reject(new Error('gone')) : sources.readTab(tabId)) };
    const request = await assembleRequest(db, failing, { question: 'Compare', earlier: [], memories: [], context: { pageTabId: null, tabIds: [3, 4, 9], history: false }, window: 8192, threadId: 'none' });
    expect(request.parts.map((p) => [p.kind, p.title, p.missing])).toEqual([
      ['tab', 'Tab 3', null],
      ['tab', 'Tab 4', null],
      ['tab', '', 'The tab could not be read'],
    ]);
    expect(request.parts[0]!.tokens).toBe(request.parts[1]!.tokens);
    expect(request.tokens).toBeLessThanOrEqual(8192 - 2048);
  });

  it('refuses a question that alone does not fit the window', async () => {
    const { sources } = await setup();
    const question = 'too long '.repeat(1000);
    await expect(assembleRequest(db, sources, { question, earlier: [], memories: [], context: { pageTabId: 1, tabIds: [], history: true }, window: 1024, threadId: 'none' })).rejects.toMatchObject({ code: 'CONTEXT_TOO_LARGE' });
  });

  it('resends an edited question: the old answer goes, the new question and answer stay, the endpoint gets the new text', async () => {
    const { sources } = await setup();
    await setModelSettings(db, { kind: 'openai', baseUrl, apiKey: '', model: 'fake' });
    const thread = await createThread(db, 'Chat', undefined);
    const context = { pageTabId: null, tabIds: [], history: false };
    const first = await sendChat(db, sources, thread.id, 'first question', context);
    await expect.poll(async () => (await db.messages.get(first.assistantMessageId))?.status).toBe('complete');
    const again = await resendChat(db, sources, first.userMessageId, 'edited question', context);
    await expect.poll(async () => (await db.messages.get(again.assistantMessageId))?.status).toBe('complete');
    const rows = await db.messages.where('[threadId+createdAt]').between([thread.id, -Infinity], [thread.id, Infinity]).toArray();
    expect(rows.map((m) => [m.role, m.content])).toEqual([
      ['user', 'edited question'],
      ['assistant', expect.stringMatching(/^answer \d+$/)],
    ]);
    expect(await db.messages.get(first.assistantMessageId)).toBeUndefined();
    expect(bodies.at(-1)!.messages.at(-1)).toEqual({ role: 'user', content: 'edited question' });
  });
});
