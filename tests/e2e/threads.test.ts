/**
 * Threads in real Chromium: every tab gets its thread and finds it again after the service
 * worker is killed and after the browser restarts; chat replies stream from loopback fake
 * OpenAI-compatible and Ollama servers (stop keeps the partial text; 401 and a refused connection
 * are shown); hostile page and model text is rendered as text.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchWithExtension, openExtensionPage, serviceWorkerTarget, type LaunchedBrowser } from '../support/chromium';
import { readStore, readVisits } from '../support/idb';

const HOSTILE = `<img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script>`;

interface Fake {
  server: Server;
  url: string;
  requests: { path: string; auth: string | undefined; body: string }[];
}

async function listen(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<Fake> {
  const requests: Fake['requests'] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      requests.push({ path: req.url ?? '', auth: req.headers.authorization, body });
      handler(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let site: Fake;
let openai: Fake;
let ollama: Fake;
/** Pieces the OpenAI fake streams; `slow` keeps streaming (one piece / 100 ms) until the client leaves. */
const REPLY = ['Hello', ' from', ' the', ' fake', ' model', ` ${HOSTILE}`, ' — done.'];

beforeAll(async () => {
  site = await listen((req, res) => {
    const page = (title: string, body: string) => `<!doctype html><html><head><title>${title}</title></head><body><article><h1>${body}</h1><p>${body} ${'is a page with enough words to be readable. '.repeat(20)}</p></article></body></html>`;
    res.setHeader('content-type', 'text/html; charset=utf-8');
    if (req.url === '/hostile') res.end(`<!doctype html><html><head><title>${HOSTILE.replace(/</g, '&lt;')} evil title</title></head><body><article><h1>Evil</h1><p>${'&lt;img src=x onerror=alert(1)&gt; hostile words in the body text. '.repeat(20)}</p></article></body></html>`);
    else res.end(page(`Page ${req.url}`, `Body of ${req.url}`));
  });
  openai = await listen(async (req, res, body) => {
    if (req.headers.authorization === 'Bearer wrong-key') {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":{"message":"invalid api key"}}');
      return;
    }
    if (req.url === '/v1/models') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: [{ id: 'fake-gpt' }, { id: 'fake-slow' }] }));
      return;
    }
    const { model } = JSON.parse(body) as { model: string };
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    let gone = false;
    res.on('close', () => (gone = true));
    const pieces = model === 'fake-slow' ? Array.from({ length: 600 }, (_, i) => ` w${i}`) : REPLY;
    for (const piece of pieces) {
      if (gone) return;
      res.write(`data: ${JSON.stringify({ choices: [{ delta: { content: piece } }] })}\n\n`);
      await sleep(model === 'fake-slow' ? 100 : 250);
    }
    res.end('data: [DONE]\n\n');
  });
  ollama = await listen(async (req, res) => {
    if (req.url === '/api/tags') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ models: [{ name: 'llama-fake' }] }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    for (const piece of ['Ollama', ' says', ' hi']) {
      res.write(`${JSON.stringify({ message: { role: 'assistant', content: piece }, done: false })}\n`);
      await sleep(100);
    }
    res.end(`${JSON.stringify({ message: { role: 'assistant', content: '' }, done: true })}\n`);
  });
});

afterAll(async () => {
  for (const fake of [site, openai, ollama]) {
    fake.server.closeAllConnections();
    await new Promise((resolve) => fake.server.close(resolve));
  }
});

describe('threads in real Chromium', () => {
  let launched: LaunchedBrowser | undefined;
  const dirs: string[] = [];
  afterEach(async () => {
    await launched?.close();
    launched = undefined;
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  async function start(userDataDir?: string): Promise<Browser> {
    const dir = userDataDir ?? mkdtempSync(join(tmpdir(), 'hf-threads-'));
    if (!userDataDir) dirs.push(dir);
    launched = await launchWithExtension({ userDataDir: dir });
    await serviceWorkerTarget(launched.browser);
    return launched.browser;
  }

  async function openSite(browser: Browser, path: string): Promise<{ page: Page; tabId: number }> {
    const page = await browser.newPage();
    await page.goto(`${site.url}${path}`, { waitUntil: 'load' });
    const helper = await openExtensionPage(browser, 'options.html');
    const tabId = await helper.evaluate(async (url) => (await chrome.tabs.query({ url }))[0]?.id ?? -1, `${site.url}${path}`);
    await helper.close();
    expect(tabId).toBeGreaterThan(0);
    return { page, tabId };
  }

  /** The panel of a tab; `threadId` is '' while the tab's thread is unsaved (nothing written yet). */
  async function panel(browser: Browser, tabId: number): Promise<{ page: Page; threadId: string }> {
    const page = await openExtensionPage(browser, `sidepanel.html?tabId=${tabId}`);
    const thread = await page.waitForSelector('[data-testid=thread]', { timeout: 20_000 });
    return { page, threadId: (await thread!.evaluate((el) => el.getAttribute('data-thread-id')))! };
  }

  /** The id of the panel's thread once it is saved. */
  async function savedThreadId(page: Page): Promise<string> {
    const thread = await page.waitForSelector('[data-testid=thread]:not([data-unsaved])', { timeout: 10_000 });
    return (await thread!.evaluate((el) => el.getAttribute('data-thread-id')))!;
  }

  async function note(page: Page, text: string): Promise<void> {
    await page.bringToFront();
    await page.type('[data-testid=composer-input]', text);
    await page.click('[data-testid=composer-send]');
    await page.waitForFunction((t) => [...document.querySelectorAll('[data-testid=message-text]')].some((el) => el.textContent === t), { timeout: 10_000 }, text);
  }

  async function command(page: Page, method: string, params: unknown): Promise<{ ok: boolean; result?: unknown; error?: { code: string } }> {
    return page.evaluate((m, p) => chrome.runtime.sendMessage({ type: 'hydraflow/command', method: m, params: p }), method, params as never);
  }

  const texts = (page: Page) => page.$$eval('[data-testid=message-text]', (els) => els.map((el) => el.textContent));

  it('gives two tabs two threads, and each URL finds its thread after a worker kill and a browser restart', async () => {
    const userDataDir = mkdtempSync(join(tmpdir(), 'hf-threads-restart-'));
    dirs.push(userDataDir);
    let browser = await start(userDataDir);
    const a = await openSite(browser, '/alpha');
    const b = await openSite(browser, '/beta');
    const panelA = await panel(browser, a.tabId);
    const panelB = await panel(browser, b.tabId);
    // Nothing written yet: both tabs show an unsaved thread.
    expect([panelA.threadId, panelB.threadId]).toEqual(['', '']);
    await note(panelA.page, 'note on alpha');
    await note(panelB.page, 'note on beta');
    panelA.threadId = await savedThreadId(panelA.page);
    panelB.threadId = await savedThreadId(panelB.page);
    expect(panelA.threadId).not.toBe(panelB.threadId);
    expect(await panelA.page.$eval('[data-testid=thread-title]', (el) => el.textContent)).toBe('Page /alpha');
    // Reopening the panel on each tab shows its own thread.
    const againA = await panel(browser, a.tabId);
    expect(againA.threadId).toBe(panelA.threadId);
    expect(await texts(againA.page)).toEqual(['note on alpha']);

    // The service worker is terminated: bindings live in the database.
    const worker = await serviceWorkerTarget(browser);
    const session = await againA.page.createCDPSession();
    await session.send('ServiceWorker.enable');
    await session.send('ServiceWorker.stopAllWorkers');
    await waitFor(() => !browser.targets().includes(worker), 10_000);
    expect((await panel(browser, b.tabId)).threadId).toBe(panelB.threadId);
    expect((await panel(browser, a.tabId)).threadId).toBe(panelA.threadId);

    // The browser restarts on the same profile: tab ids change, URLs find their threads.
    await launched!.browser.close();
    launched = undefined;
    browser = await start(userDataDir);
    const a2 = await openSite(browser, '/alpha');
    const b2 = await openSite(browser, '/beta');
    const restartedA = await panel(browser, a2.tabId);
    const restartedB = await panel(browser, b2.tabId);
    expect(restartedA.threadId).toBe(panelA.threadId);
    expect(restartedB.threadId).toBe(panelB.threadId);
    expect(await texts(restartedA.page)).toEqual(['note on alpha']);
    expect(await texts(restartedB.page)).toEqual(['note on beta']);
  }, 120_000);

  it('the delete question counts what goes (live), and the report matches what the delete removed', async () => {
    const browser = await start();
    const { tabId } = await openSite(browser, '/doomed');
    const { page } = await panel(browser, tabId);
    await note(page, 'first note');
    await note(page, 'second note');
    const threadId = await savedThreadId(page);
    await page.type('[data-testid=task-input]', 'a task of the thread');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid=task]');
    await page.type('[data-testid=memory-input]', 'a memory of the thread');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid=memory][data-scope=thread]');

    await page.click('[data-testid=thread-delete]');
    const counted = () => page.$eval('[data-testid=delete-confirm-counts][data-counted]', (el) => el.textContent);
    await page.waitForSelector('[data-testid=delete-confirm-counts][data-counted]');
    expect(await counted()).toBe('Delete “Page /doomed”? It takes 2 messages, 1 tasks (1 events) and 1 thread memories with it, and unbinds 1 tab(s). This cannot be undone.');
    // The count follows the data while the question is open.
    await command(page, 'chat.note', { threadId, content: 'written while asking' });
    await page.waitForFunction(() => document.querySelector('[data-testid=delete-confirm-counts]')?.textContent?.includes('It takes 3 messages'), { timeout: 10_000 });

    await page.click('[data-testid=delete-confirm-yes]');
    const report = await page.waitForSelector('[data-testid=delete-report]');
    expect(await report!.evaluate((el) => el.textContent)).toContain('Deleted: 3 messages, 1 tasks (1 events), 1 memories; 1 tab(s) unbound.');
    const left = await readStore(page, 'messages');
    expect(left.filter((m) => (m as { threadId: string }).threadId === threadId)).toEqual([]);
    for (const store of ['tasks', 'taskEvents', 'memories']) expect((await readStore<{ threadId: string | null }>(page, store)).filter((row) => row.threadId === threadId), store).toEqual([]);
  }, 60_000);

  it('streams an OpenAI-compatible reply incrementally, stores it, and renders model HTML as text', async () => {
    const browser = await start();
    const { tabId } = await openSite(browser, '/chat');
    const { page } = await panel(browser, tabId);
    await page.waitForSelector('[data-testid=no-model]');
    expect((await command(page, 'chat.models', { settings: { kind: 'openai', baseUrl: openai.url } })).result).toEqual({ models: ['fake-gpt', 'fake-slow'] });
    await command(page, 'memories.create', { text: 'The user prefers short answers', scope: 'global' });
    expect((await command(page, 'chat.setSettings', { settings: { kind: 'openai', baseUrl: openai.url, apiKey: 'sk-test', model: 'fake-gpt' } })).ok).toBe(true);
    await page.reload();
    await page.waitForSelector('[data-testid=composer-send]');
    await page.type('[data-testid=composer-input]', 'Say hello');
    await page.click('[data-testid=composer-send]');
    // Partial text while the reply is still streaming.
    await page.waitForFunction(() => {
      const reply = document.querySelector('[data-testid=message][data-role=assistant][data-status=streaming] [data-testid=message-text]');
      return Boolean(reply?.textContent?.startsWith('Hello')) && !reply!.textContent!.includes('done');
    }, { timeout: 10_000, polling: 20 });
    await page.waitForSelector('[data-testid=message][data-role=assistant][data-status=complete]', { timeout: 15_000 });
    const threadId = await savedThreadId(page);
    const expected = REPLY.join('');
    expect(await texts(page)).toEqual(['Say hello', expected]);
    // Rendered as text: no element was made from the model's HTML, nothing ran.
    expect(await page.$$eval('[data-testid=messages] img, [data-testid=messages] script', (els) => els.length)).toBe(0);
    expect(await page.evaluate(() => (window as { __pwned?: unknown }).__pwned)).toBeUndefined();
    // Stored, with the request carrying the key, the memory, the page's text and the question.
    const stored = (await readStore<{ threadId: string; role: string; content: string; status: string; createdAt: number }>(page, 'messages')).filter((m) => m.threadId === threadId).sort((x, y) => x.createdAt - y.createdAt);
    expect(stored.map((m) => [m.role, m.status, m.content])).toEqual([
      ['user', 'complete', 'Say hello'],
      ['assistant', 'complete', expected],
    ]);
    const request = openai.requests.find((r) => r.path === '/v1/chat/completions')!;
    expect(request.auth).toBe('Bearer sk-test');
    const sent = JSON.parse(request.body) as { stream: boolean; messages: { role: string; content: string }[] };
    expect(sent.stream).toBe(true);
    expect(sent.messages.map((m) => m.role)).toEqual(['system', 'system', 'user']);
    expect(sent.messages[0]!.content).toContain('Things to remember:\n- The user prefers short answers');
    expect(sent.messages[1]!.content).toContain('Body of /chat is a page with enough words');
    expect(sent.messages[2]).toEqual({ role: 'user', content: 'Say hello' });
  }, 60_000);

  it('stop keeps the partial reply; a 401 and a refused connection show their messages; Ollama streams too', async () => {
    const browser = await start();
    const { tabId } = await openSite(browser, '/stop');
    const { page } = await panel(browser, tabId);
    await command(page, 'chat.setSettings', { settings: { kind: 'openai', baseUrl: `${openai.url}/v1`, model: 'fake-slow' } });
    await page.reload();
    await page.waitForSelector('[data-testid=composer-send]');
    await page.type('[data-testid=composer-input]', 'Talk for a long time');
    await page.click('[data-testid=composer-send]');
    await page.waitForFunction(() => (document.querySelector('[data-testid=message][data-role=assistant] [data-testid=message-text]')?.textContent ?? '').includes('w3'), { timeout: 10_000 });
    await page.click('[data-testid=stop-reply]');
    await page.waitForSelector('[data-testid=message][data-role=assistant][data-status=stopped]', { timeout: 10_000 });
    const partial = (await texts(page))[1]!;
    expect(partial).toMatch(/^ w0 w1 w2 w3/);
    await sleep(500);
    expect((await texts(page))[1]).toBe(partial);

    await command(page, 'chat.setSettings', { settings: { kind: 'openai', baseUrl: openai.url, apiKey: 'wrong-key', model: 'fake-gpt' } });
    await page.reload();
    await page.waitForSelector('[data-testid=composer-send]');
    await page.type('[data-testid=composer-input]', 'Will this work?');
    await page.click('[data-testid=composer-send]');
    const unauthorized = await page.waitForSelector('[data-testid=message-error][data-code=MODEL_UNAUTHORIZED]', { timeout: 10_000 });
    expect(await unauthorized!.evaluate((el) => el.textContent)).toContain('401');

    const closed = await listen(() => undefined);
    const closedUrl = closed.url;
    await new Promise((resolve) => closed.server.close(resolve));
    await command(page, 'chat.setSettings', { settings: { kind: 'ollama', baseUrl: closedUrl, model: 'llama-fake' } });
    await page.reload();
    await page.waitForSelector('[data-testid=composer-send]');
    await page.type('[data-testid=composer-input]', 'Anyone there?');
    await page.click('[data-testid=composer-send]');
    const refused = await page.waitForSelector('[data-testid=message-error][data-code=MODEL_UNREACHABLE]', { timeout: 15_000 });
    expect(await refused!.evaluate((el) => el.textContent)).toContain('Cannot reach');

    await command(page, 'chat.setSettings', { settings: { kind: 'ollama', baseUrl: ollama.url, model: 'llama-fake' } });
    expect((await command(page, 'chat.models', {})).result).toEqual({ models: ['llama-fake'] });
    await page.reload();
    await page.waitForSelector('[data-testid=composer-send]');
    await page.type('[data-testid=composer-input]', 'Hi Ollama');
    await page.click('[data-testid=composer-send]');
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=message][data-role=assistant][data-status=complete] [data-testid=message-text]')].some((el) => el.textContent === 'Ollama says hi'), { timeout: 10_000 });
  }, 90_000);

  it('renders a hostile page title and body as text, and captures page text once per version', async () => {
    const browser = await start();
    const { tabId } = await openSite(browser, '/hostile');
    const { page } = await panel(browser, tabId);
    const title = await page.$eval('[data-testid=thread-title]', (el) => el.textContent);
    expect(title).toContain('<img src=x onerror="window.__pwned=1">');
    // "Save page" is a write: it makes the thread.
    await page.click('[data-testid=capture-page]');
    await page.waitForFunction(() => document.body.textContent?.includes('Saved page text (version 1)'), { timeout: 15_000 });
    const threadId = await savedThreadId(page);
    await page.click('[data-testid=capture-page]');
    await page.waitForFunction(() => document.body.textContent?.includes('Page text unchanged'), { timeout: 15_000 });
    await command(page, 'chat.note', { threadId, content: `${HOSTILE} [click](javascript:window.__pwned=1)` });
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=message-text]')].some((el) => el.textContent?.includes('javascript:')), { timeout: 10_000 });
    expect(await page.$$eval('main img, main script, main iframe, main a[href^="javascript"]', (els) => els.length)).toBe(0);
    expect(await page.evaluate(() => (window as { __pwned?: unknown }).__pwned)).toBeUndefined();
    // The page text stored by Readability is text too.
    const pages = await readStore<{ text: string; version: number }>(page, 'pages');
    expect(pages).toHaveLength(1);
    expect(pages[0]!.text).toContain('<img src=x onerror=alert(1)> hostile words');
  }, 60_000);
  it('captures navigations and visits of allowed tabs only: a blocked domain leaves no trace and gets no thread', async () => {
    const browser = await start();
    const helper = await openExtensionPage(browser, 'options.html');
    const saved = await command(helper, 'capture.setBlocklist', { rules: [{ domain: 'LOCALHOST', subdomains: true }] });
    expect(saved).toMatchObject({ ok: true, result: { rules: [{ domain: 'localhost', subdomains: true }] } });
    expect(await command(helper, 'capture.setBlocklist', { rules: [{ domain: 'http://x.com/', subdomains: false }] })).toMatchObject({ ok: false, error: { code: 'DOMAIN_INVALID' } });
    const port = new URL(site.url).port;
    const allowed = await browser.newPage();
    await allowed.goto(`${site.url}/allowed`, { waitUntil: 'load' });
    const blocked = await browser.newPage();
    await blocked.goto(`http://localhost:${port}/blocked`, { waitUntil: 'load' });
    const dump = async () => {
      const out: Record<string, string[]> = {};
      for (const store of ['visits', 'tabSnapshots', 'tabs']) out[store] = (store === 'visits' ? await readVisits<{ url: string }>(helper) : await readStore<{ url: string }>(helper, store)).map((row) => row.url);
      return out;
    };
    await waitFor(async () => {
      const rows = await dump();
      return rows.visits!.includes(`${site.url}/allowed`) && rows.tabSnapshots!.includes(`${site.url}/allowed`);
    }, 10_000);
    await sleep(500);
    const rows = await dump();
    for (const store of ['visits', 'tabSnapshots', 'tabs']) expect(rows[store]!.filter((url) => url.includes('localhost')), store).toEqual([]);
    const blockedId = await helper.evaluate(async (url) => (await chrome.tabs.query({ url }))[0]!.id!, `http://localhost:${port}/blocked`);
    const panelPage = await openExtensionPage(browser, `sidepanel.html?tabId=${blockedId}`);
    const none = await panelPage.waitForSelector('[data-testid=no-thread]', { timeout: 10_000 });
    expect(await none!.evaluate((el) => el.textContent)).toContain('not captured');
  }, 60_000);
});


async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(50);
  }
}
