/**
 * Page text on demand: Readability runs in the tab (entrypoints/readability.ts, injected into the
 * extension's isolated world), and the text is stored as a page snapshot with its SHA-256
 * (extension/pages/versions.ts: a text equal to the latest version is not stored again; a changed
 * text becomes the page's next version).
 */
import { browser } from 'wxt/browser';
import { CodedError } from '../../shared/errors';
import type { Page } from '../../shared/schemas/entities';
import type { HydraDb } from '../db';
import { storePageVersion } from '../pages/versions';
import { capturable } from './tabs';

interface Readable {
  title: string;
  byline: string | null;
  text: string;
}

/** The tab's readable text, read now by Readability in the tab (nothing stored). Refuses tabs never captured. */
export async function readTab(db: HydraDb, tabId: number): Promise<{ url: string; title: string; byline: string | null; text: string }> {
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
  return { url, title: String(readable.title || tab.title || ''), byline: typeof readable.byline === 'string' ? readable.byline : null, text: readable.text };
}

export async function capturePage(db: HydraDb, tabId: number, now = Date.now()): Promise<{ page: Page; stored: boolean }> {
  const { page, stored } = await storePageVersion(db, await readTab(db, tabId), now);
  return { page, stored };
}
