/**
 * Page text on demand: Readability runs in the tab (entrypoints/readability.ts, injected into the
 * extension's isolated world), and the text is stored as a page snapshot with its SHA-256. The
 * same text is not stored twice; a changed text becomes the page's next version.
 */
import { browser } from 'wxt/browser';
import { CodedError } from '../../shared/errors';
import { reverseHost } from '../../shared/host-key';
import { newId } from '../../shared/ids';
import type { Page } from '../../shared/schemas/entities';
import { hostOf, urlKey } from '../../shared/url';
import type { HydraDb } from '../db';
import { textHash } from '../threads/memories';
import { capturable } from './tabs';

interface Readable {
  title: string;
  byline: string | null;
  text: string;
}

export async function capturePage(db: HydraDb, tabId: number, now = Date.now()): Promise<{ page: Page; stored: boolean }> {
  const tab = await browser.tabs.get(tabId).catch(() => null);
  if (!tab?.url || !(await capturable(db, tab))) throw new CodedError('CAPTURE_REFUSED', 'This tab is not captured: incognito, a blocked domain, or not a web page');
  const url = tab.url;
  await browser.scripting.executeScript({ target: { tabId }, files: ['/readability.js'] });
  const [injection] = await browser.scripting.executeScript({
    target: { tabId },
    func: () => (globalThis as { __hydraflowReadable?: () => unknown }).__hydraflowReadable?.() ?? null,
  });
  const readable = injection?.result as Readable | null | undefined;
  if (!readable || typeof readable.text !== 'string' || !readable.text.trim()) throw new CodedError('PAGE_NOT_READABLE', `No readable text on ${url}`);
  const key = urlKey(url);
  const hash = await textHash(readable.text);
  return db.transaction('rw', db.pages, async () => {
    const same = await db.pages.where('[urlKey+contentHash]').equals([key, hash]).first();
    if (same) return { page: same, stored: false };
    const versions = await db.pages.where('urlKey').equals(key).count();
    const page: Page = {
      id: newId(),
      url,
      urlKey: key,
      hostRev: reverseHost(hostOf(url)),
      title: String(readable.title ?? tab.title ?? '').slice(0, 10_000),
      byline: typeof readable.byline === 'string' ? readable.byline.slice(0, 1000) : null,
      text: readable.text,
      contentHash: hash,
      version: versions + 1,
      capturedAt: now,
    };
    await db.pages.add(page);
    return { page, stored: true };
  });
}
