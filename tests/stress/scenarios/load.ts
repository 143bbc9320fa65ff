/**
 * Load: tabs opened, navigated and closed in bursts while a large history import runs and a chat
 * reply streams, in real Chromium with the real host. Verified afterwards: every navigation is one
 * tab snapshot, every visited URL one visit, every tab one row (closed ones marked closed), the
 * import stored every file visit once, and the reply is stored once and complete.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rmSync } from 'node:fs';
import { launchWithExtension, openExtensionPage, serviceWorkerTarget } from '../../support/chromium';
import { readStore } from '../../support/idb';
import { command, countStore, historyProfile, readWithUrlPrefix, sleep, waitUntil } from '../browser';
import type { Scenario } from '../report';

const REPLY = Array.from({ length: 100 }, (_, i) => ` part${i}`);

async function listen(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

export const loadScenario: Scenario = {
  name: 'load: tab bursts during an import and a streaming reply',
  needs: 'browser',
  async run({ smoke, log }) {
    const tabs = smoke ? 20 : 200;
    const burst = smoke ? 10 : 20;
    const visits = smoke ? 20_000 : 500_000;
    const site = await listen((req, res) => {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(`<!doctype html><title>Load ${req.url}</title><p>page ${req.url}</p>`);
    });
    const model = await listen((req, res) => {
      req.resume();
      req.on('end', async () => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        for (const piece of REPLY) {
          res.write(`data: ${JSON.stringify({ choices: [{ delta: { content: piece } }] })}\n\n`);
          await sleep(smoke ? 20 : 60);
        }
        res.end('data: [DONE]\n\n');
      });
    });
    const { base, config, userDataDir } = historyProfile('hf-stress-load-', visits);
    const launched = await launchWithExtension({ userDataDir, env: { XDG_CONFIG_HOME: config } });
    try {
      const browser = launched.browser;
      await serviceWorkerTarget(browser);
      const helper = await openExtensionPage(browser, 'options.html');
      await helper.waitForSelector('[data-testid=app-info]');
      const imported = await command(helper, 'history.import', { profileId: 'chromium:Big' });
      if (!imported.ok) throw new Error(JSON.stringify(imported.error));
      await command(helper, 'chat.setSettings', { settings: { kind: 'openai', baseUrl: `${model.url}/v1`, model: 'load' } });
      const thread = (await command(helper, 'threads.create', { title: 'load' })).result as { thread: { id: string } };
      const sent = await command(helper, 'chat.send', { threadId: thread.thread.id, content: 'under load' });
      if (!sent.ok) throw new Error(JSON.stringify(sent.error));

      // Bursts: open `burst` tabs at once, navigate each to a second URL, close every other one.
      const urls: string[] = [];
      const closed = new Set<number>();
      const tabIds: number[] = [];
      for (let first = 0; first < tabs; first += burst) {
        const pages = await Promise.all(
          Array.from({ length: Math.min(burst, tabs - first) }, async (_, k) => {
            const n = first + k;
            const page = await browser.newPage();
            await page.goto(`${site.url}/tab${n}/a`, { waitUntil: 'load' });
            await page.goto(`${site.url}/tab${n}/b`, { waitUntil: 'load' });
            urls.push(`${site.url}/tab${n}/a`, `${site.url}/tab${n}/b`);
            return { n, page };
          }),
        );
        const ids = await helper.evaluate(async (origin) => (await chrome.tabs.query({ url: `${origin}/*` })).map((t) => [t.url!, t.id!] as const), site.url);
        const idOf = new Map(ids.map(([url, id]) => [new URL(url).pathname.split('/')[1]!, id]));
        for (const { n, page } of pages) {
          const id = idOf.get(`tab${n}`);
          if (id !== undefined) tabIds.push(id);
          if (n % 2 === 0) {
            await page.close();
            if (id !== undefined) closed.add(id);
          }
        }
      }
      log(`${tabs} tabs, ${urls.length} navigations, ${closed.size} closed`);

      // Everything settles: the import finishes, the reply completes, the capture catches up.
      const importJob = await waitUntil('the import to finish', async () => {
        const job = (await readStore<{ type: string; status: string; error: { code: string; message: string } | null }>(helper, 'jobs')).find((j) => j.type === 'history_import');
        return job && job.status !== 'running' && job.status !== 'queued' ? job : undefined;
      }, 900_000, 1000);
      // Capture is asynchronous (tab events, history.onVisited): wait until it has caught up.
      await waitUntil('tab snapshots to catch up', async () => ((await readWithUrlPrefix(helper, 'tabSnapshots', site.url)).length >= urls.length ? true : undefined), 60_000, 500).catch(() => undefined);
      await sleep(2000);
      const snapshotRows = await readWithUrlPrefix(helper, 'tabSnapshots', site.url);
      const liveVisits = await readWithUrlPrefix(helper, 'visits', site.url);
      const allVisits = await countStore(helper, 'visits');
      const tabRows = await readStore<{ tabId: number; open: number }>(helper, 'tabs');
      const messages = (await readStore<{ threadId: string; role: string; content: string; status: string }>(helper, 'messages')).filter((m) => m.threadId === thread.thread.id);

      const uniqueSnapshotUrls = new Set(snapshotRows.map((s) => s.url)).size;
      const uniqueVisitUrls = new Set(liveVisits.map((v) => v.url)).size;
      const ourTabs = tabRows.filter((t) => tabIds.includes(t.tabId));
      const wrongOpen = ourTabs.filter((t) => (closed.has(t.tabId) ? t.open !== 0 : t.open !== 1)).length;
      const reply = messages.find((m) => m.role === 'assistant');
      let failures = 0;
      if (ourTabs.length !== tabIds.length || wrongOpen > 0) failures++;
      if (messages.length !== 2 || reply?.status !== 'complete' || reply.content !== REPLY.join('')) failures++;
      if (allVisits - liveVisits.length !== visits) {
        failures++;
        log(`import job ${importJob.status}: ${JSON.stringify(importJob.error)}`);
      }
      const expected = urls.length * 2 + visits;
      const found = Math.min(uniqueSnapshotUrls, urls.length) + Math.min(uniqueVisitUrls, urls.length) + Math.min(allVisits - liveVisits.length, visits);
      const duplicates = snapshotRows.length - uniqueSnapshotUrls + (liveVisits.length - uniqueVisitUrls) + Math.max(0, allVisits - liveVisits.length - visits);
      return {
        runs: tabs / burst,
        rowsExpected: expected,
        rowsFound: found,
        duplicates,
        lost: expected - found,
        failures,
        notes: [
          `${tabs} tabs in bursts of ${burst} (${urls.length} navigations, ${closed.size} closed) during a ${visits}-visit import and a 100-piece streaming reply: snapshots ${snapshotRows.length} for ${urls.length} navigations, live visits ${liveVisits.length} for ${urls.length} URLs, imported ${allVisits - liveVisits.length}/${visits}, tab rows ${ourTabs.length}/${tabIds.length} (wrong open flag ${wrongOpen}), reply ${reply?.status}`,
        ],
      };
    } finally {
      await launched.close();
      site.server.close();
      model.server.close();
      rmSync(base, { recursive: true, force: true });
    }
  },
};
