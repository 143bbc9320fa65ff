/**
 * Who may command the background, in real Chromium: a script of ours running in a web page's tab
 * (the isolated world Readability is injected into) is refused every command not open to content
 * scripts, with COMMAND_FORBIDDEN, for every command in the table; the same commands sent from an
 * extension page are served (the positive control: no refusal of that kind).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { commands } from '../../shared/commands';
import { launchWithExtension, openExtensionPage, serviceWorkerTarget, type LaunchedBrowser } from '../support/chromium';

type Reply = { ok: boolean; error?: { code: string } } | null;

/** Sends every named command from a content-script world in the tab at `pageUrl`; replies by name. */
export async function probeFromContentScript(launched: LaunchedBrowser, pageUrl: string, names: string[]): Promise<Record<string, Reply>> {
  const page = await launched.browser.newPage();
  await page.goto(pageUrl, { waitUntil: 'domcontentloaded' });
  const worker = await (await serviceWorkerTarget(launched.browser)).worker();
  const replies = await worker!.evaluate(
    async (url, list) => {
      const [tab] = await chrome.tabs.query({ url });
      const [injection] = await chrome.scripting.executeScript({
        target: { tabId: tab!.id! },
        // Runs in the extension's isolated world of the web page: a content-script sender.
        func: async (methods: string[]) => {
          const out: Record<string, unknown> = {};
          for (const method of methods) out[method] = await chrome.runtime.sendMessage({ type: 'hydraflow/command', method, params: {} }).catch((error: Error) => ({ ok: false, error: { code: `THROWN ${error.message}` } }));
          return out;
        },
        args: [list],
      });
      return injection?.result as Record<string, unknown>;
    },
    pageUrl,
    names,
  );
  await page.close();
  return replies as Record<string, Reply>;
}

describe('background commands and their callers in real Chromium', () => {
  let launched: LaunchedBrowser;
  let server: Server;
  let pageUrl: string;
  const pagesOnly = Object.entries(commands)
    .filter(([, spec]) => !(spec.callers as readonly string[]).includes('content-script'))
    .map(([name]) => name);

  beforeAll(async () => {
    server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>Hostile page</title><p>Some text.</p>'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    pageUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/page.html`;
    launched = await launchWithExtension();
  }, 60_000);

  afterAll(async () => {
    await launched?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('refuses every command not open to content scripts when a web page world sends it', async () => {
    expect(pagesOnly.length).toBe(Object.keys(commands).length);
    const replies = await probeFromContentScript(launched, pageUrl, pagesOnly);
    for (const name of pagesOnly) expect(replies[name], name).toMatchObject({ ok: false, error: { code: 'COMMAND_FORBIDDEN' } });
  }, 60_000);

  it('serves the same commands from an extension page (positive control)', async () => {
    const page = await openExtensionPage(launched.browser, 'popup.html');
    const replies = (await page.evaluate(async (list) => {
      const out: Record<string, unknown> = {};
      for (const method of list) out[method] = await chrome.runtime.sendMessage({ type: 'hydraflow/command', method, params: {} });
      return out;
    }, pagesOnly)) as Record<string, Reply>;
    for (const name of pagesOnly) {
      expect(replies[name], name).toMatchObject({ ok: expect.any(Boolean) });
      expect(replies[name]!.error?.code, name).not.toBe('COMMAND_FORBIDDEN');
    }
    expect(replies['app.info']).toMatchObject({ ok: true });
    await page.close();
  }, 60_000);
});
