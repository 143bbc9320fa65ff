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
import { launchWithExtension, openExtensionPage, type LaunchedBrowser } from '../support/chromium';
import { probeFromContentScript, probeFromExtensionPage } from '../support/trust';

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
    const replies = await probeFromExtensionPage(page, pagesOnly);
    for (const name of pagesOnly) {
      expect(replies[name], name).toMatchObject({ ok: expect.any(Boolean) });
      expect(replies[name]!.error?.code, name).not.toBe('COMMAND_FORBIDDEN');
    }
    expect(replies['app.info']).toMatchObject({ ok: true });
    await page.close();
  }, 60_000);
});
