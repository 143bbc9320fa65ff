/**
 * Hostile content everywhere it can be shown: a page whose title, text and links carry
 * `<img onerror>`, `<script>`, `<iframe>` and `javascript:` tricks is visited, captured and
 * threaded; a note and a model reply (rendered as markdown) carry the same plus markdown tricks
 * (script and data: links plain, encoded and by reference, raw HTML blocks, HTML in code and
 * tables). Every extension page
 * that shows it (side panel, popup, overview with its history view and jobs, search results) is opened with a
 * probe installed before any script runs: `window.__pwned` must stay unset, no CSP violation may
 * be reported, no element the content describes may exist, and the hostile text must be on screen
 * as text.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'puppeteer-core';
import { extensionUrl, launchWithExtension, openExtensionPage, serviceWorkerTarget } from '../../support/chromium';
import { readVisits } from '../../support/idb';
import { command, sleep, waitUntil } from '../browser';
import type { Scenario } from '../report';

const PAYLOAD = `<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script><iframe src="javascript:parent.__pwned=3"></iframe>`;
/** Markdown tricks: script links (plain, encoded, upper case, by reference), data: links, raw HTML blocks, HTML in code and tables. */
const MARKDOWN = [
  `[click me](javascript:window.__pwned=4) ![x](javascript:window.__pwned=5) <a href="javascript:window.__pwned=6">link</a>`,
  `[encoded](jav&#x61;script:window.__pwned=8) [upper](JAVASCRIPT:window.__pwned=9) [data](data:text/html,<script>parent.__pwned=10</script>) [by reference][r] <javascript:window.__pwned=17>`,
  `<svg onload="window.__pwned=11"></svg>`,
  `<details open ontoggle="window.__pwned=12">toggled</details>`,
  '```html\n<img src=x onerror="window.__pwned=13">\n```',
  '| cell | link |\n| --- | --- |\n| <img src=x onerror="window.__pwned=14"> | [t](javascript:window.__pwned=15) |',
  '[r]: javascript:window.__pwned=16',
].join('\n\n');
const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

async function listen(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

interface Probe {
  page: string;
  /** Whether this view can show the hostile content here (the popup opened as a tab is about itself). */
  expectText: boolean;
  pwned: unknown;
  violations: string[];
  elements: number;
  textShown: boolean;
}

/** Opens an extension page with the probe installed first; returns what it saw once `ready` matched. */
async function probe(browser: Browser, path: string, ready: string, expectText = true): Promise<Probe> {
  const page = await browser.newPage();
  await page.evaluateOnNewDocument(() => {
    const seen: string[] = [];
    (window as unknown as { __violations: string[] }).__violations = seen;
    document.addEventListener('securitypolicyviolation', (event) => seen.push(`${event.violatedDirective} ${event.blockedURI}`));
  });
  await page.goto(extensionUrl(path));
  await page.waitForSelector(ready, { timeout: 30_000 });
  await sleep(500);
  const result = await page.evaluate(() => ({
    pwned: (window as unknown as { __pwned?: unknown }).__pwned,
    violations: (window as unknown as { __violations: string[] }).__violations,
    elements: document.querySelectorAll('img[src="x"], iframe, body script, a[href^="javascript:" i], a[href^="data:" i], a[href^="jav" i], svg[onload], [onload], [ontoggle], [onerror]').length,
    textShown: document.body.innerText.includes('onerror='),
  }));
  await page.close();
  return { page: path, expectText, ...result };
}

export const hostileContent: Scenario = {
  name: 'hostile content in every view',
  needs: 'browser',
  async run({ log }) {
    const site = await listen((_req, res) => {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(`<!doctype html><html><head><title>${escape(PAYLOAD)} title</title></head><body><article><h1>${escape(PAYLOAD)}</h1><p>${escape(PAYLOAD)} ${'hostile words for readability. '.repeat(30)}</p><a href="javascript:window.__pwned=7">js link</a></article></body></html>`);
    });
    const model = await listen((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end(`data: ${JSON.stringify({ choices: [{ delta: { content: `${PAYLOAD} ${MARKDOWN}` } }] })}\n\ndata: [DONE]\n\n`);
      });
    });
    const launched = await launchWithExtension();
    try {
      const browser = launched.browser;
      await serviceWorkerTarget(browser);
      const helper = await openExtensionPage(browser, 'options.html');
      await helper.waitForSelector('[data-testid=app-info]');
      const tab = await browser.newPage();
      await tab.goto(`${site.url}/hostile`, { waitUntil: 'load' });
      const tabId = await helper.evaluate(async (u) => (await chrome.tabs.query({ url: u }))[0]!.id!, `${site.url}/hostile`);
      const thread = await waitUntil('the tab to be captured', async () => {
        const reply = await command(helper, 'threads.forTab', { tabId, create: true });
        return reply.ok ? (reply.result as { thread: { id: string } }).thread : undefined;
      });
      await command(helper, 'capture.page', { tabId });
      await command(helper, 'chat.note', { threadId: thread.id, content: `${PAYLOAD} ${MARKDOWN}` });
      await command(helper, 'chat.setSettings', { settings: { kind: 'openai', baseUrl: `${model.url}/v1`, model: 'hostile' } });
      await command(helper, 'chat.send', { threadId: thread.id, content: 'summarize' });
      await sleep(1500);
      // The visit arrives through history.onVisited, on its own time.
      await waitUntil('the visit to be captured', async () => ((await readVisits(helper)).length > 0 ? true : undefined), 30_000, 200);
      await helper.close();
      await tab.bringToFront();

      const probes: Probe[] = [
        await probe(browser, `sidepanel.html?tabId=${tabId}`, '[data-testid=thread] [data-testid=message]'),
        // Opened as a tab the popup is about its own tab; it still shows the overview summary and jobs.
        await probe(browser, 'popup.html', '[data-testid=popup-summary]', false),
        // The history view shows the visit (its title arrives later than the visit, so the URL may stand in).
        await probe(browser, 'options.html#history', '[data-testid=history-visit]', false),
        // Search results: the page (title and snippet), the note and the reply as hits with highlighted words.
        await probe(browser, `options.html#search=${encodeURIComponent('hostile words')}`, '[data-testid=search] [data-testid=search-hit]'),
        await probe(browser, `options.html#search=${encodeURIComponent('javascript pwned')}`, '[data-testid=search] [data-testid=search-hit][data-kind=message]'),
      ];
      let failures = 0;
      for (const p of probes) {
        const bad = p.pwned !== undefined || p.violations.length > 0 || p.elements > 0 || (p.expectText && !p.textShown);
        if (bad) {
          failures++;
          log(`${p.page}: pwned ${String(p.pwned)}, violations ${JSON.stringify(p.violations)}, hostile elements ${p.elements}, text shown ${p.textShown}`);
        }
      }
      const shown = probes.filter((p) => p.expectText && p.textShown).length;
      const expected = probes.filter((p) => p.expectText).length;
      return {
        runs: probes.length,
        rowsExpected: expected,
        rowsFound: shown,
        duplicates: 0,
        lost: expected - shown,
        failures,
        notes: [`${probes.length} views (${probes.map((p) => p.page.split('?')[0]).join(', ')}) showed a hostile page title/text, note and model reply as text: nothing executed, no CSP violation, no hostile element`],
      };
    } finally {
      await launched.close();
      site.server.close();
      model.server.close();
    }
  },
};
