/**
 * The two figures of issue #24, in real Chromium (run after `npm run build`):
 * - welcome_visible_ms: from starting Chromium the way `npm start` does (`--load-extension`, a
 *   fresh profile) to the welcome page on screen. Goal < 5 s. Baseline: the extension's service
 *   worker running, in the same launch.
 * - tab_close_to_overview_ms: from a tab closing to the overview's "Open tabs" showing it. Goal
 *   < 1 s. Baseline: one `overview.get` round trip from the same page.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extensionUrl, launchWithExtension, openExtensionPage, serviceWorkerTarget } from '../support/chromium';

const ROUNDS = Number(process.env.HF_BENCH_ROUNDS ?? 3);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const line = (figure: string, value: number, baseline: string, baselineValue: number, goal: string) =>
  console.log(JSON.stringify({ bench: 'first-run', figure, value: Math.round(value), baseline, baselineValue: Math.round(baselineValue), ratio: Math.round((value / baselineValue) * 100) / 100, goal, rounds: ROUNDS }));

const welcome: number[] = [];
const worker: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  const started = performance.now();
  const launched = await launchWithExtension({ loadExtensionFlag: true });
  try {
    const workerUp = serviceWorkerTarget(launched.browser).then(() => performance.now() - started);
    const target = await launched.browser.waitForTarget((t) => t.url() === extensionUrl('welcome.html'), { timeout: 30_000 });
    const page = (await target.page())!;
    await page.waitForSelector('[data-testid=welcome]');
    welcome.push(performance.now() - started);
    worker.push(await workerUp);
  } finally {
    await launched.close();
  }
}
line('welcome_visible_ms', median(welcome), 'service_worker_up_ms', median(worker), '<5000ms');

const site = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>Bench</title><p>page</p>'));
await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
const siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/`;
const launched = await launchWithExtension();
try {
  await serviceWorkerTarget(launched.browser);
  const options = await openExtensionPage(launched.browser, 'options.html#overview');
  await options.waitForSelector('[data-testid=overview-tabs-open]');
  const updates: number[] = [];
  const roundTrips: number[] = [];
  for (let round = 0; round < ROUNDS * 3; round++) {
    const tab = await launched.browser.newPage();
    const before = Number(await options.$eval('[data-testid=overview-tabs-open]', (e) => e.textContent));
    await tab.goto(`${siteUrl}?round=${round}`);
    await options.bringToFront();
    await options.waitForFunction((n) => Number(document.querySelector('[data-testid=overview-tabs-open]')?.textContent) === n + 1, { polling: 10, timeout: 10_000 }, before);
    const open = before + 1;
    const closed = performance.now();
    await tab.close();
    await options.waitForFunction((n) => Number(document.querySelector('[data-testid=overview-tabs-open]')?.textContent) === n - 1, { polling: 10, timeout: 10_000 }, open);
    updates.push(performance.now() - closed);
    roundTrips.push(
      await options.evaluate(async () => {
        const t0 = performance.now();
        await chrome.runtime.sendMessage({ type: 'hydraflow/command', method: 'overview.get', params: {} });
        return performance.now() - t0;
      }),
    );
  }
  line('tab_close_to_overview_ms', median(updates), 'overview_get_round_trip_ms', median(roundTrips), '<1000ms');
} finally {
  await launched.close();
  site.close();
}
