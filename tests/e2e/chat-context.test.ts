/**
 * What a question carries, in real Chromium with loopback OpenAI-compatible and Ollama servers
 * that record every request: the page's text (gone once its chip is removed), other tabs added as
 * chips, "From my history" retrieving a page saved earlier and citing it as a source that opens
 * it, the request fitted to Ollama's context window; model markdown rendered as elements with
 * `javascript:` links and raw HTML inert. And the panel following the data: no thread until
 * something is written, chat the moment a model is saved on the options page, the empty state at
 * once after a wipe.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchWithExtension, openExtensionPage, serviceWorkerTarget, type LaunchedBrowser } from '../support/chromium';
import { readStore } from '../support/idb';

interface Recorder {
  server: Server;
  url: string;
  requests: { path: string; body: string }[];
}

async function listen(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void | Promise<void>): Promise<Recorder> {
  const requests: Recorder['requests'] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      requests.push({ path: req.url ?? '', body });
      void handler(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Each page's unique phrase: it is in that page's text and nowhere else. */
const PHRASE: Record<string, string> = {
  '/article': 'periwinkle lighthouse ledger',
  '/second': 'tangerine abacus voyage',
  '/third': 'cobalt harmonica orchard',
  '/old': 'quillwort cipher is XK-7731',
};
const LONG_WORDS = 'A very long page that goes on and on with words. ';

/** The model's markdown reply: code, a list, a table, a link, and what must stay inert. */
const MARKDOWN = [
  'Here is what I found [1].',
  '',
  '```js',
  'const answer = 42;',
  '```',
  '',
  '- first point',
  '- second point',
  '',
  '| name | value |',
  '| --- | --- |',
  '| alpha | 1 |',
  '',
  'See [the docs](https://example.com/docs) and [do not click](javascript:window.__pwned=1).',
  '',
  '<img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script>',
].join('\n');

let site: Recorder;
let openai: Recorder;
let ollama: Recorder;

beforeAll(async () => {
  site = await listen((req, res) => {
    const path = req.url ?? '/';
    const phrase = PHRASE[path] ?? `plain page ${path}`;
    const body = path === '/long' ? LONG_WORDS.repeat(2000) : `${phrase}. ${'This paragraph has enough words to be readable. '.repeat(15)}`;
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(`<!doctype html><html><head><title>Page ${path}</title></head><body><article><h1>Page ${path}</h1><p>${body}</p></article></body></html>`);
  });
  openai = await listen((req, res) => {
    if (req.url === '/v1/models') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: [{ id: 'fake-gpt' }] }));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(`data: ${JSON.stringify({ choices: [{ delta: { content: MARKDOWN } }] })}\n\n`);
    res.end('data: [DONE]\n\n');
  });
  ollama = await listen((req, res) => {
    if (req.url === '/api/show') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ model_info: { 'general.architecture': 'llama', 'llama.context_length': 2048 } }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    res.write(`${JSON.stringify({ message: { role: 'assistant', content: 'Short.' }, done: false })}\n`);
    res.end(`${JSON.stringify({ message: { role: 'assistant', content: '' }, done: true })}\n`);
  });
});

afterAll(async () => {
  for (const fake of [site, openai, ollama]) {
    fake.server.closeAllConnections();
    await new Promise((resolve) => fake.server.close(resolve));
  }
});

type Sent = { model: string; messages: { role: string; content: string }[]; options?: { num_ctx?: number } };
const chatRequests = (fake: Recorder) => fake.requests.filter((r) => r.path === '/v1/chat/completions' || r.path === '/api/chat').map((r) => JSON.parse(r.body) as Sent);
const requestText = (sent: Sent) => sent.messages.map((m) => m.content).join('\n');

describe('chat context and a panel that follows the data, in real Chromium', () => {
  let launched: LaunchedBrowser | undefined;
  const dirs: string[] = [];
  afterEach(async () => {
    await launched?.close();
    launched = undefined;
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  async function start(): Promise<{ browser: Browser; helper: Page }> {
    const dir = mkdtempSync(join(tmpdir(), 'hf-context-'));
    dirs.push(dir);
    launched = await launchWithExtension({ userDataDir: dir });
    await serviceWorkerTarget(launched.browser);
    const helper = await openExtensionPage(launched.browser, 'options.html');
    return { browser: launched.browser, helper };
  }

  async function openSite(browser: Browser, helper: Page, path: string): Promise<{ page: Page; tabId: number }> {
    const page = await browser.newPage();
    await page.goto(`${site.url}${path}`, { waitUntil: 'load' });
    const tabId = await helper.evaluate(async (url) => (await chrome.tabs.query({ url }))[0]?.id ?? -1, `${site.url}${path}`);
    expect(tabId).toBeGreaterThan(0);
    return { page, tabId };
  }

  async function command<T = unknown>(page: Page, method: string, params: unknown): Promise<{ ok: boolean; result: T; error?: { code: string } }> {
    return page.evaluate((m, p) => chrome.runtime.sendMessage({ type: 'hydraflow/command', method: m, params: p }), method, params as never);
  }

  async function ask(panel: Page, fake: Recorder, text: string): Promise<Sent> {
    const before = chatRequests(fake).length;
    const shown = await panel.$$eval('[data-testid=message][data-role=assistant][data-status=complete]', (els) => els.length);
    await panel.bringToFront();
    await panel.type('[data-testid=composer-input]', text);
    await panel.click('[data-testid=composer-send]');
    await waitFor(() => chatRequests(fake).length > before, 15_000);
    await panel.waitForFunction((n) => document.querySelectorAll('[data-testid=message][data-role=assistant][data-status=complete]').length >= n, { timeout: 15_000 }, shown + 1);
    return chatRequests(fake).at(-1)!;
  }

  it('sends the page, then not once its chip is removed, two added tabs, and history cited as a source that opens; markdown renders safely; Ollama gets a request that fits its window', async () => {
    const { browser, helper } = await start();
    // A page saved earlier, then closed: its phrase is only in the saved page text.
    const old = await openSite(browser, helper, '/old');
    expect((await command(helper, 'capture.page', { tabId: old.tabId })).ok).toBe(true);
    await old.page.close();
    await command(helper, 'chat.setSettings', { settings: { kind: 'openai', baseUrl: openai.url, model: 'fake-gpt' } });
    const article = await openSite(browser, helper, '/article');
    await openSite(browser, helper, '/second');
    await openSite(browser, helper, '/third');
    const panel = await openExtensionPage(browser, `sidepanel.html?tabId=${article.tabId}`);
    await panel.waitForSelector('[data-testid=chip-page]', { timeout: 20_000 });

    // The page's readable text goes with the question.
    const first = await ask(panel, openai, 'What is this page about?');
    expect(requestText(first)).toContain(PHRASE['/article']);
    expect(first.messages.at(-1)).toEqual({ role: 'user', content: 'What is this page about?' });
    await panel.waitForSelector('[data-testid=message][data-role=user] [data-testid=context-sent]');

    // Removed chip: the page stays out.
    await panel.click('[data-testid=chip-page-remove]');
    await panel.waitForSelector('[data-testid=chip-page]', { hidden: true });
    const second = await ask(panel, openai, 'And in general?');
    expect(requestText(second)).not.toContain(PHRASE['/article']);

    // Two other tabs picked: both texts go.
    await panel.click('[data-testid=add-tabs]');
    await panel.waitForSelector('[data-testid=tab-option]');
    for (const path of ['/second', '/third']) await panel.click(`[data-testid=tab-option][data-url="${site.url}${path}"]`);
    expect(await panel.$$eval('[data-testid=chip-tab]', (els) => els.length)).toBe(2);
    const third = await ask(panel, openai, 'Compare these tabs');
    expect(requestText(third)).toContain(PHRASE['/second']);
    expect(requestText(third)).toContain(PHRASE['/third']);
    expect(requestText(third)).not.toContain(PHRASE['/old']);
    for (let n = 0; n < 2; n++) await panel.click('[data-testid=chip-tab-remove]');

    // From my history: the saved page's passage goes, numbered, and the reply cites it as a link.
    await panel.click('[data-testid=chip-history-add]');
    const fourth = await waitForIndexed(panel, openai, 'What was the quillwort cipher?');
    expect(requestText(fourth)).toContain('[1] Page /old');
    expect(requestText(fourth)).toContain(PHRASE['/old']);
    const source = await panel.waitForSelector('[data-testid=message][data-role=assistant]:last-child [data-testid=source]');
    expect(await source!.evaluate((el) => el.textContent)).toBe('Page /old');
    await source!.click();
    await waitFor(() => browser.targets().some((target) => target.url() === `${site.url}/old`), 10_000);

    // The reply's markdown: elements for code, list, table and link; the javascript: link and raw HTML inert.
    const reply = '[data-testid=message][data-role=assistant]:last-child [data-testid=message-text]';
    expect(await panel.$eval(`${reply} pre code`, (el) => el.textContent)).toBe('const answer = 42;');
    expect(await panel.$$eval(`${reply} ul li`, (els) => els.map((el) => el.textContent))).toEqual(['first point', 'second point']);
    expect(await panel.$$eval(`${reply} table td`, (els) => els.map((el) => el.textContent))).toEqual(['alpha', '1']);
    expect(await panel.$$eval(`${reply} a`, (els) => els.map((el) => el.getAttribute('href')))).toEqual(['https://example.com/docs']);
    expect(await panel.$$eval('main img, main script, main iframe, main a[href^="javascript"]', (els) => els.length)).toBe(0);
    expect(await panel.$eval(reply, (el) => el.textContent)).toContain('<img src=x onerror=');
    expect(await panel.evaluate(() => (window as { __pwned?: unknown }).__pwned)).toBeUndefined();
    expect(await panel.$$eval(`${reply} [data-testid=copy-code]`, (els) => els.length)).toBe(1);

    // Ollama says its window (2048 tokens): a long page is cut to fit, with the marker, and num_ctx says so.
    const long = await openSite(browser, helper, '/long');
    await command(helper, 'chat.setSettings', { settings: { kind: 'ollama', baseUrl: ollama.url, model: 'llama-fake' } });
    const longPanel = await openExtensionPage(browser, `sidepanel.html?tabId=${long.tabId}`);
    await longPanel.waitForSelector('[data-testid=chip-page]', { timeout: 20_000 });
    const fitted = await ask(longPanel, ollama, 'Summarize');
    expect(ollama.requests.some((r) => r.path === '/api/show')).toBe(true);
    expect(fitted.options?.num_ctx).toBe(2048);
    expect(requestText(fitted)).toContain('trimmed to fit the context budget');
    // Estimated at 3 characters a token (docs/threads.md), the whole request is inside the window less the reply's reserve.
    expect(Math.ceil(JSON.stringify(fitted.messages).length / 3)).toBeLessThan(2048);

    // Regenerate asks the same question again; edit and resend replaces it. One question, one reply each time.
    let asked = chatRequests(ollama).length;
    await longPanel.click('[data-testid=regenerate]');
    await waitFor(() => chatRequests(ollama).length === asked + 1, 10_000);
    expect(chatRequests(ollama).at(-1)!.messages.at(-1)).toEqual({ role: 'user', content: 'Summarize' });
    await longPanel.waitForSelector('[data-testid=message][data-role=assistant][data-status=complete]');
    asked = chatRequests(ollama).length;
    await longPanel.click('[data-testid=edit-message]');
    await longPanel.$eval('[data-testid=edit-input]', (el) => ((el as HTMLTextAreaElement).value = 'Summarize in one line'));
    await longPanel.click('[data-testid=edit-resend]');
    await waitFor(() => chatRequests(ollama).length === asked + 1, 10_000);
    expect(chatRequests(ollama).at(-1)!.messages.at(-1)).toEqual({ role: 'user', content: 'Summarize in one line' });
    await longPanel.waitForFunction(() => document.querySelectorAll('[data-testid=message][data-role=assistant][data-status=complete]').length === 1 && document.querySelector('[data-testid=message][data-role=user] [data-testid=message-text]')?.textContent === 'Summarize in one line', { timeout: 10_000 });
    expect(await longPanel.$$eval('[data-testid=message]', (els) => els.length)).toBe(2);
  }, 150_000);

  it('makes no thread for tabs only looked at, one for a note; turns into chat when a model is saved; shows the empty state within 1 s of a wipe and sends again', async () => {
    const { browser, helper } = await start();
    const { page: tab, tabId } = await openSite(browser, helper, '/visit-0');
    const panel = await openExtensionPage(browser, `sidepanel.html?tabId=${tabId}`);
    await panel.waitForSelector('[data-testid=thread][data-unsaved=true]', { timeout: 20_000 });
    // Ten pages visited in the tab while the panel follows it.
    for (let n = 1; n <= 10; n++) {
      await tab.goto(`${site.url}/visit-${n}`, { waitUntil: 'load' });
      await panel.waitForSelector(`[data-testid=thread][data-unsaved=true][data-url="${site.url}/visit-${n}"]`, { timeout: 10_000 });
    }
    // Ten more tabs, the panel opened on each.
    for (let n = 11; n <= 20; n++) {
      const other = await openSite(browser, helper, `/visit-${n}`);
      await panel.goto(panel.url().replace(/\?tabId=\d+/, `?tabId=${other.tabId}`));
      await panel.waitForSelector(`[data-testid=thread][data-unsaved=true][data-url="${site.url}/visit-${n}"]`, { timeout: 10_000 });
    }
    await panel.goto(panel.url().replace(/\?tabId=\d+/, `?tabId=${tabId}`));
    await panel.waitForSelector('[data-testid=thread][data-unsaved=true]', { timeout: 10_000 });
    await sleep(300);
    expect(await readStore(helper, 'threads')).toHaveLength(0);
    // The tab's trail lists the pages it showed.
    await panel.bringToFront();
    await panel.click('[data-testid=trail-toggle]');
    await panel.waitForFunction(() => document.querySelectorAll('[data-testid=trail-step]').length >= 11, { timeout: 10_000 });
    expect(await panel.$eval('[data-testid=trail-step]', (el) => el.textContent)).toContain('Page /visit-10');
    await panel.bringToFront();
    await panel.type('[data-testid=composer-input]', 'a note on visit 10');
    await panel.click('[data-testid=composer-send]');
    await panel.waitForSelector('[data-testid=thread]:not([data-unsaved]) [data-testid=message][data-role=note]', { timeout: 10_000 });
    expect(await readStore(helper, 'threads')).toHaveLength(1);

    // A task is edited: title, description, priority and due date.
    await panel.type('[data-testid=task-input]', 'Read the page');
    await panel.keyboard.press('Enter');
    await panel.waitForSelector('[data-testid=task]');
    await panel.click('[data-testid=task-edit]');
    await panel.$eval('[data-testid=task-edit-title]', (el) => ((el as HTMLInputElement).value = 'Read the page twice'));
    await panel.type('[data-testid=task-edit-description]', 'slowly');
    await panel.select('[data-testid=task-edit-priority]', 'high');
    await panel.$eval('[data-testid=task-edit-due]', (el) => ((el as HTMLInputElement).value = '2030-01-15'));
    await panel.click('[data-testid=task-edit-save]');
    await panel.waitForSelector('[data-testid=task][data-priority=high]');
    const [task] = await readStore<{ title: string; description: string; priority: string; dueAt: number | null }>(helper, 'tasks');
    expect(task).toMatchObject({ title: 'Read the page twice', description: 'slowly', priority: 'high' });
    expect(new Date(task!.dueAt!).getFullYear()).toBe(2030);
    // Memories in the four scopes; the doc memory is listed with its page.
    for (const [scope, text] of [['doc', 'This page is about visits'], ['user', 'I read slowly'], ['global', 'Answer briefly']] as const) {
      await panel.select('[data-testid=memory-scope]', scope);
      await panel.type('[data-testid=memory-input]', text);
      await panel.keyboard.press('Enter');
      await panel.waitForSelector(`[data-testid=memory][data-scope=${scope}]`);
    }
    expect(await panel.$eval('[data-testid=memory][data-scope=doc] [data-testid=memory-meta]', (el) => el.textContent)).toContain(`this page (${site.url}/visit-10)`);
    expect(await panel.$eval('[data-testid=memory][data-scope=user] [data-testid=memory-meta]', (el) => el.textContent)).toContain('strength 100%');

    // The model is saved on the options page, through its form; the open panel turns into chat.
    expect(await panel.$eval('[data-testid=composer-send]', (el) => el.textContent)).toBe('Save note');
    await helper.bringToFront();
    await helper.click('[data-testid=nav-settings]');
    await helper.waitForSelector('[data-testid=model-kind]');
    await helper.select('[data-testid=model-kind]', 'openai');
    await helper.$eval('[data-testid=model-url]', (el) => ((el as HTMLInputElement).value = ''));
    await helper.type('[data-testid=model-url]', openai.url);
    await helper.click('[data-testid=model-list]');
    await helper.waitForSelector('[data-testid=model-name] option[value=fake-gpt]');
    await helper.select('[data-testid=model-name]', 'fake-gpt');
    await helper.click('[data-testid=model-save]');
    // Saving also tests the endpoint (#24): it answers and has the chosen model.
    await helper.waitForFunction(() => document.querySelector('[data-testid=model-status]')?.textContent?.startsWith('Saved. The endpoint answers'), { timeout: 10_000 });
    // The panel is behind the options page: a hidden page runs no animation frames, so this waits
    // by interval polling (raf polling checked once, then never again, when the live query was slow).
    await panel.waitForFunction(() => document.querySelector('[data-testid=composer-send]')?.textContent === 'Send', { timeout: 5_000, polling: 100 });
    const before = chatRequests(openai).length;
    await ask(panel, openai, 'Now you can answer');
    expect(chatRequests(openai).length).toBe(before + 1);
    const messages = await readStore<{ role: string; content: string }>(helper, 'messages');
    expect(messages.filter((m) => m.role === 'note').map((m) => m.content)).toEqual(['a note on visit 10']);
    expect(messages.some((m) => m.role === 'user' && m.content === 'Now you can answer')).toBe(true);

    // The blocklist changes on the options page: the open panel follows (refused, then back).
    await command(helper, 'capture.setBlocklist', { rules: [{ domain: '127.0.0.1', subdomains: false }] });
    await panel.waitForSelector('[data-testid=no-thread]', { timeout: 5_000 });
    await command(helper, 'capture.setBlocklist', { rules: [] });
    await panel.waitForSelector('[data-testid=thread]:not([data-unsaved]) [data-testid=message][data-role=note]', { timeout: 5_000 });

    // Wipe with the panel open: the panel shows the empty, unsaved state within a second.
    expect((await command(helper, 'privacy.wipe', { confirm: 'WIPE', host: false })).ok).toBe(true);
    const wiped = Date.now();
    await panel.waitForSelector('[data-testid=thread][data-unsaved=true] [data-testid=no-messages]', { timeout: 1_000 });
    expect(Date.now() - wiped).toBeLessThan(1_000);
    // The wipe removed the model too: notes again, and a model saved again makes it chat on a new thread.
    await panel.waitForFunction(() => document.querySelector('[data-testid=composer-send]')?.textContent === 'Save note', { timeout: 5_000 });
    await command(helper, 'chat.setSettings', { settings: { kind: 'openai', baseUrl: openai.url, model: 'fake-gpt' } });
    // The panel is behind the options page: a hidden page runs no animation frames, so this waits
    // by interval polling (raf polling checked once, then never again, when the live query was slow).
    await panel.waitForFunction(() => document.querySelector('[data-testid=composer-send]')?.textContent === 'Send', { timeout: 5_000, polling: 100 });
    await ask(panel, openai, 'After the wipe');
    const threads = await readStore<{ id: string }>(helper, 'threads');
    expect(threads).toHaveLength(1);
    expect(await panel.$eval('[data-testid=thread]', (el) => el.getAttribute('data-thread-id'))).toBe(threads[0]!.id);
  }, 120_000);
});

/** Asks until the history search has indexed the saved page (the index follows writes from its journal). */
async function waitForIndexed(panel: Page, fake: Recorder, question: string): Promise<Sent> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const before = chatRequests(fake).length;
    const shown = await panel.$$eval('[data-testid=message][data-role=assistant][data-status=complete]', (els) => els.length);
    await panel.bringToFront();
    await panel.type('[data-testid=composer-input]', question);
    await panel.click('[data-testid=composer-send]');
    await waitFor(() => chatRequests(fake).length > before, 15_000);
    await panel.waitForFunction((n) => document.querySelectorAll('[data-testid=message][data-role=assistant][data-status=complete]').length >= n, { timeout: 15_000 }, shown + 1);
    const sent = chatRequests(fake).at(-1)!;
    if (requestText(sent).includes(PHRASE['/old']!) || Date.now() > deadline) return sent;
    await sleep(500);
  }
}

async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(50);
  }
}
