/**
 * Automatic snapshots of the pages threads care about: when a tab finishes loading a URL bound to
 * a thread (the tab's binding, or a thread holding the URL), its readable text is saved like the
 * "Save page" button does — a new version only when the text changed. Incognito tabs, blocked
 * domains and non-web pages are never saved (capturePage refuses them).
 */
import { browser } from 'wxt/browser';
import { urlKey } from '../../shared/url';
import type { HydraDb } from '../db';
import { capturePage } from './pages';
import { capturable } from './tabs';

/** Whether the tab's current URL belongs to a thread. */
export async function boundToThread(db: HydraDb, tabId: number, url: string): Promise<boolean> {
  const key = urlKey(url);
  const row = await db.tabs.get(tabId);
  if (row?.threadId && row.urlKey === key) return true;
  return (await db.threads.where('urlKeys').equals(key).count()) > 0;
}

export async function autoSavePage(db: HydraDb, tab: { id?: number; url?: string; incognito?: boolean }): Promise<boolean> {
  if (tab.id === undefined || !tab.url || !(await capturable(db, tab))) return false;
  if (!(await boundToThread(db, tab.id, tab.url))) return false;
  return (await capturePage(db, tab.id)).stored;
}

export function registerPageListeners(db: HydraDb): void {
  browser.tabs.onUpdated.addListener((_tabId, change, tab) => {
    if (change.status !== 'complete') return;
    void autoSavePage(db, tab).catch((error: unknown) => {
      // A page with no readable text, or one that navigated away meanwhile, is simply not saved.
      if ((error as { code?: string }).code !== 'PAGE_NOT_READABLE') console.warn('[hydraflow] automatic page save failed', error);
    });
  });
}
