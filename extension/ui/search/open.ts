/**
 * Opening a search hit. A page (visit or page snapshot) focuses a tab already showing it, else
 * opens a new tab; everything else opens the thread view of the options page (reusing an open
 * options tab). Only web and file URLs are navigated to.
 */
import { browser } from 'wxt/browser';
import type { SearchHit } from '../../../shared/commands/search';
import { isOpenableUrl } from '../../../shared/search/omnibox';
import { urlKey } from '../../../shared/url';
import { hitHash } from '../../../shared/search/options-route';

const OPTIONS_PAGE = '/options.html';

export async function openHit(hit: SearchHit): Promise<void> {
  // Pages go to their tab; items of a thread go to the thread even when they carry a URL.
  if (hit.url && isOpenableUrl(hit.url) && (hit.kind === 'visit' || hit.kind === 'page' || !hit.threadId)) {
    await focusOrOpenUrl(hit.url);
    return;
  }
  await openOptionsAt(hitHash(hit));
}

export async function focusOrOpenUrl(url: string): Promise<void> {
  if (!isOpenableUrl(url)) return;
  const key = urlKey(url);
  const tabs = await browser.tabs.query({});
  const open = tabs.find((tab) => tab.id !== undefined && tab.url && !tab.incognito && urlKey(tab.url) === key);
  if (open?.id !== undefined) {
    await browser.tabs.update(open.id, { active: true });
    if (open.windowId !== undefined) await browser.windows.update(open.windowId, { focused: true });
    return;
  }
  await browser.tabs.create({ url });
}

/** Shows the options page at `hash`: in place when this is the options page, else in its tab (or a new one). */
export async function openOptionsAt(hash: string): Promise<void> {
  const base = browser.runtime.getURL(OPTIONS_PAGE);
  if (location.href.startsWith(base)) {
    location.hash = hash;
    return;
  }
  // Match patterns cannot name chrome-extension:// URLs: compare the tabs' URLs ourselves.
  const existing = (await browser.tabs.query({})).find((tab) => tab.url?.startsWith(base));
  if (existing?.id !== undefined) {
    await browser.tabs.update(existing.id, { url: `${base}${hash}`, active: true });
    if (existing.windowId !== undefined) await browser.windows.update(existing.windowId, { focused: true });
    return;
  }
  await browser.tabs.create({ url: `${base}${hash}` });
}
