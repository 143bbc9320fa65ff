/**
 * Search in real Chromium: a page visited on a loopback site and a message sent in its thread are
 * found by two words typed in the side panel's search box (grouped by kind, highlighted, hostile
 * title text shown as text); ArrowDown + Enter opens the page's tab and the message's thread
 * view; Related, the popup's box, the options page's #search= and its Verify job work; a deleted
 * thread's message is no longer found.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchWithExtension, openExtensionPage, serviceWorkerTarget, type LaunchedBrowser } from '../support/chromium';

const TITLE = 'Quetzal marmalade observatory <b>bold</b>';
const BODY = 'The quetzal marmalade observatory keeps jars of marmalade for visiting quetzal birds. ';
const NOTE = 'Plan: bring quetzal marmalade to the observatory on Friday';

let site: Server;
let siteUrl: string;

beforeAll(async () => {
  site = createServer((_req, res) => {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(`<!doctype html><html><head><title>${TITLE.replace(/</g, '&lt;')}</title></head><body><article><h1>Observatory</h1><p>${BODY.repeat(15)}</p></article></body></html>`);
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/observatory`;
});

afterAll(async () => {
  site.closeAllConnections();
  await new Promise((resolve) => site.close(resolve));
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Hit {
  kind: string;
  key: string;
  id: string;
  title: string;
}

const shownHits = (page: Page): Promise<Hit[]> =>
  page.$$eval('[data-testid=search] [data-testid=search-hit]', (els) => els.map((el) => ({ kind: el.getAttribute('data-kind')!, key: el.getAttribute('data-key')!, id: el.id, title: el.querySelector('.search-hit-title')?.textContent ?? '' })));

async function command(page: Page, method: string, params: unknown): Promise<{ ok: boolean; result?: unknown; error?: { code: string; message: string } }> {
  return page.evaluate((m, p) => chrome.runtime.sendMessage({ type: 'hydraflow/command', method: m, params: p }), method, params as never);
}

/** Types into the panel's box (clearing it first) and waits for the reply to that text to be on screen. */
async function search(page: Page, q: string): Promise<void> {
  await page.bringToFront();
  await page.click('[data-testid=search-input]');
  await page.keyboard.press('Escape');
  await page.type('[data-testid=search-input]', q);
  await page.waitForFunction(
    () => {
      // The answer to exactly this text (not to a prefix typed on the way).
      const input = document.querySelector<HTMLInputElement>('[data-testid=search-input]');
      const outcome = input?.closest('[data-testid=search]')?.querySelector<HTMLElement>('[data-state=ready], [data-testid=search-none], [data-testid=search-error]');
      return Boolean(input?.value.trim() && outcome?.dataset.q === input.value.trim());
    },
    { timeout: 10_000 },
  );
}

describe('search in real Chromium', () => {
  let launched: LaunchedBrowser | undefined;
  afterEach(async () => {
    await launched?.close();
    launched = undefined;
  });

  async function start(): Promise<Browser> {
    launched = await launchWithExtension();
    await serviceWorkerTarget(launched.browser);
    return launched.browser;
  }

  it('finds a visited page and a sent message from the side panel, opens them by keyboard, and forgets a deleted thread', async () => {
    const browser = await start();
    // The worker of a just-installed extension misses history events for its first moments: let it settle first.
    const helper = await openExtensionPage(browser, 'options.html');
    await helper.waitForSelector('[data-testid=app-info]', { timeout: 30_000 });
    const site = await browser.newPage();
    await site.goto(siteUrl, { waitUntil: 'load' });
    const tabId = await helper.evaluate(async (url) => (await chrome.tabs.query({ url }))[0]?.id ?? -1, siteUrl);
    await helper.close();
    expect(tabId).toBeGreaterThan(0);

    const panel = await openExtensionPage(browser, `sidepanel.html?tabId=${tabId}`);
    await panel.waitForSelector('[data-testid=thread]', { timeout: 20_000 });
    // The page's readable text is saved (a "page" document; this makes the tab's thread), and a message is sent in its thread.
    await panel.click('[data-testid=capture-page]');
    const threadEl = await panel.waitForSelector('[data-testid=thread]:not([data-unsaved])', { timeout: 10_000 });
    const threadId = (await threadEl!.evaluate((el) => el.getAttribute('data-thread-id')))!;
    await panel.type('[data-testid=composer-input]', NOTE);
    await panel.click('[data-testid=composer-send]');
    await panel.waitForFunction((t) => [...document.querySelectorAll('[data-testid=message-text]')].some((el) => el.textContent === t), { timeout: 10_000 }, NOTE);
    const messageId = (await panel.$eval('[data-testid=message]', (el) => el.getAttribute('data-id')))!;

    // The index is updated from the write journal: wait until the background finds both, then use the box.
    const deadline = Date.now() + 20_000;
    for (;;) {
      const reply = await command(panel, 'search.query', { q: 'quetzal marmalade' });
      const hits = reply.ok ? (reply.result as { hits: { kind: string; key: string }[] }).hits : [];
      // The live visit is found by the title its page reported after loading (the visit event comes before it).
      if (hits.some((h) => h.kind === 'message' && h.key === messageId) && hits.some((h) => h.kind === 'page') && hits.some((h) => h.kind === 'visit')) break;
      if (Date.now() > deadline) throw new Error(`not indexed in time: ${JSON.stringify(reply).slice(0, 500)}`);
      await sleep(250);
    }

    await search(panel, 'quetzal marmalade');
    const hits = await shownHits(panel);
    const pageHit = hits.find((h) => h.kind === 'page');
    expect(hits.find((h) => h.kind === 'visit')?.title, JSON.stringify(hits)).toBe(TITLE);
    const messageHit = hits.find((h) => h.kind === 'message' && h.key === messageId);
    expect(pageHit, JSON.stringify(hits)).toBeDefined();
    expect(messageHit, JSON.stringify(hits)).toBeDefined();
    // Grouped: each kind has one heading, and hits of one kind are contiguous.
    const groups = await panel.$$eval('[data-testid=search-group]', (els) => els.map((el) => el.getAttribute('data-kind')));
    expect(new Set(groups).size).toBe(groups.length);
    expect(groups).toEqual(expect.arrayContaining(['message']));
    // Highlighted words are <mark> elements; the page's "<b>" title text stays text.
    expect(await panel.$$eval('[data-testid=search-results] mark', (els) => els.map((el) => el.textContent!.toLowerCase()))).toEqual(expect.arrayContaining(['quetzal', 'marmalade']));
    expect(await panel.$$eval('[data-testid=search-results] b, [data-testid=search-results] script', (els) => els.length)).toBe(0);
    expect(pageHit!.title).toContain('<b>bold</b>');

    // ArrowDown to the page hit, Enter: the tab already showing it comes to the front.
    await panel.bringToFront();
    expect(await panel.evaluate((id) => chrome.tabs.get(id).then((t) => t.active), tabId)).toBe(false);
    await panel.focus('[data-testid=search-input]');
    for (let i = 0; i <= hits.indexOf(pageHit!); i++) await panel.keyboard.press('ArrowDown');
    expect(await panel.$eval('[data-testid=search-input]', (el) => el.getAttribute('aria-activedescendant'))).toBe(pageHit!.id);
    expect(await panel.$eval(`[id="${pageHit!.id}"]`, (el) => el.getAttribute('aria-selected'))).toBe('true');
    await panel.keyboard.press('Enter');
    await panel.waitForFunction((id) => chrome.tabs.get(id).then((t) => t.active), { timeout: 10_000 }, tabId);
    expect((await browser.pages()).filter((p) => p.url() === siteUrl)).toHaveLength(1);

    // ArrowDown to the message hit, Enter: the options page shows its thread, the message outlined.
    await panel.bringToFront();
    await panel.focus('[data-testid=search-input]');
    // The selection stays where it was (on the page hit): walk on until the message hit is selected.
    for (let i = 0; i < hits.length && (await panel.$eval('[data-testid=search-input]', (el) => el.getAttribute('aria-activedescendant'))) !== messageHit!.id; i++) await panel.keyboard.press('ArrowDown');
    expect(await panel.$eval('[data-testid=search-input]', (el) => el.getAttribute('aria-activedescendant'))).toBe(messageHit!.id);
    await panel.keyboard.press('Enter');
    const target = await browser.waitForTarget((t) => t.url().includes('options.html#thread='), { timeout: 10_000 });
    const options = (await target.page())!;
    await options.waitForSelector(`[data-testid=thread-view][data-thread-id="${threadId}"] [data-testid=message].focused`, { timeout: 10_000 });
    expect(await options.$eval('[data-testid=thread-view] .focused [data-testid=message-text]', (el) => el.textContent)).toBe(NOTE);

    // Related (collapsed, asked on expand) lists the thread's message for its page, never the page itself.
    await panel.bringToFront();
    await panel.click('[data-testid=related-toggle]');
    await panel.waitForSelector('[data-testid=related] [data-testid=search-hit], [data-testid=related-none], [data-testid=related-error]', { timeout: 10_000 });
    expect(await panel.$('[data-testid=related-error]')).toBeNull();
    const related = await panel.$$eval('[data-testid=related] [data-testid=search-hit]', (els) => els.map((el) => el.getAttribute('data-kind')));
    expect(related).not.toContain('page');

    // The popup's box finds the same words.
    const popup = await openExtensionPage(browser, 'popup.html');
    await popup.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'search-input', { timeout: 10_000 });
    await search(popup, 'quetzal marmalade');
    expect((await shownHits(popup)).some((h) => h.kind === 'message' && h.key === messageId)).toBe(true);
    await popup.close();

    // The options page: #search= fills its box; the index has both documents; Verify runs as a job.
    await options.bringToFront();
    await options.goto(`${options.url().split('#')[0]}#search=${encodeURIComponent('marmalade observatory')}`);
    await options.waitForFunction(() => document.querySelector<HTMLElement>('[data-testid=search-section] [data-state=ready]')?.dataset.q === 'marmalade observatory', { timeout: 10_000 });
    await options.waitForSelector('[data-testid=search-index-status]');
    await options.click('[data-testid=index-verify]');
    await options.waitForSelector('[data-testid=search-index-job][data-status=succeeded]', { timeout: 20_000 });
    expect(await options.$eval('[data-testid=search-index-job]', (el) => el.textContent)).toContain('Search index check');

    // Escape clears the box.
    await panel.bringToFront();
    await panel.focus('[data-testid=search-input]');
    await panel.keyboard.press('Escape');
    expect(await panel.$eval('[data-testid=search-input]', (el) => (el as HTMLInputElement).value)).toBe('');
    await panel.waitForSelector('[data-testid=search-empty]');

    // The thread is deleted: its message is never found again (the page still is).
    expect((await command(panel, 'threads.delete', { threadId })).ok).toBe(true);
    await search(panel, 'quetzal marmalade');
    const after = await shownHits(panel);
    expect(after.filter((h) => h.kind === 'message' || h.kind === 'thread')).toEqual([]);
    expect(after.some((h) => h.kind === 'page' || h.kind === 'visit')).toBe(true);
    expect(((await command(panel, 'search.query', { q: 'Friday' })).result as { hits: unknown[] }).hits).toEqual([]);
    // Its thread view says so rather than showing stale rows.
    await options.bringToFront();
    await options.goto(`${options.url().split('#')[0]}#thread=${threadId}`);
    await options.waitForSelector('[data-testid=thread-view-missing]', { timeout: 10_000 });
  }, 120_000);
});
