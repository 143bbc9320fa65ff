/**
 * Live capture: tab events into `tabs`, every committed top-level navigation into `tabSnapshots`,
 * and `history.onVisited` into `visits` (through addVisits, so a visit imported later from the
 * History file is the same row). Incognito tabs and blocked domains are never captured.
 * Listeners are registered synchronously at worker start; each event is handled from the
 * database, never from worker memory.
 */
import { browser, type Browser } from 'wxt/browser';
import { isBlocked } from '../../shared/blocklist';
import { CodedError } from '../../shared/errors';
import { newId } from '../../shared/ids';
import { reverseHost } from '../../shared/host-key';
import { TRANSITIONS, type Transition } from '../../shared/schemas/statuses';
import { hostOf, isCapturableUrl, urlKey } from '../../shared/url';
import type { HydraDb } from '../db';
import { addVisits, makeVisit } from '../history/visits';
import { setVisitTitle, visitsOfUrls } from '../visits';
import { getBlocklist } from './blocklist';

type Tab = Browser.tabs.Tab;

export async function capturable(db: HydraDb, tab: { incognito?: boolean; url?: string }): Promise<boolean> {
  if (tab.incognito || !tab.url || !isCapturableUrl(tab.url)) return false;
  return !isBlocked(tab.url, await getBlocklist(db));
}

/**
 * The tab a panel is about, as a thread needs it (id, URL, title), asked from the browser by the
 * worker (the panel then needs no round trip of its own). Tabs that are never captured
 * (incognito, a blocked domain, not a web page) are refused.
 */
export async function tabRefFor(db: HydraDb, params: { tabId: number; url?: string; title?: string }): Promise<{ tabId: number; url: string; title: string }> {
  if (params.url !== undefined) {
    if (!isCapturableUrl(params.url) || isBlocked(params.url, await getBlocklist(db))) throw new CodedError('CAPTURE_REFUSED', 'This page is not captured (blocked domain or not a web page)');
    return { tabId: params.tabId, url: params.url, title: params.title ?? '' };
  }
  const tab = await browser.tabs.get(params.tabId).catch(() => null);
  if (!tab) throw new CodedError('NOT_FOUND', `No tab ${params.tabId}`);
  if (!(await capturable(db, tab))) throw new CodedError('CAPTURE_REFUSED', tab.incognito ? 'Incognito tabs are never captured.' : 'This page is not captured (blocked domain or not a web page)');
  return { tabId: params.tabId, url: tab.url!, title: tab.title ?? '' };
}

/** Upserts a tab's row (binding kept). A tab that may not be captured keeps no URL or title. */
export async function recordTab(db: HydraDb, tab: Tab, now = Date.now()): Promise<void> {
  if (tab.id === undefined || tab.id < 0 || tab.incognito) return;
  const allowed = await capturable(db, tab);
  await db.transaction('rw', db.tabs, async () => {
    const existing = await db.tabs.get(tab.id!);
    const url = allowed ? tab.url! : '';
    await db.tabs.put({
      tabId: tab.id!,
      windowId: tab.windowId,
      index: tab.index,
      url,
      urlKey: url ? urlKey(url) : '',
      title: allowed ? (tab.title ?? '') : '',
      active: tab.active ? 1 : 0,
      open: 1,
      threadId: existing?.threadId ?? null,
      openedAt: existing?.openedAt ?? now,
      updatedAt: now,
    });
  });
}

export async function recordNavigation(db: HydraDb, tabId: number, url: string, now = Date.now()): Promise<void> {
  const row = await db.tabs.get(tabId);
  // Under load the tab may be closed before this runs: then its captured row stands in (a tab
  // with a row was never incognito). Without either, nothing says the tab may be captured.
  const tab = await browser.tabs.get(tabId).catch(() => null);
  if (!tab && !row) return;
  if (!(await capturable(db, { incognito: tab?.incognito ?? false, url }))) return;
  await db.tabSnapshots.add({
    id: newId(),
    tabId,
    url,
    urlKey: urlKey(url),
    hostRev: reverseHost(hostOf(url)),
    title: tab?.url === url ? (tab.title ?? '') : '',
    threadId: row?.threadId ?? null,
    capturedAt: now,
  });
}

/** A visit this recent still takes the title its page reports after loading. */
const TITLE_LATE_MS = 10 * 60_000;

/**
 * A title that arrives after the commit completes the tab's latest snapshot of that URL, and the
 * URL's latest visit (`history.onVisited` usually fires before the page has a title; without this,
 * a live visit could never be found by its title).
 */
async function recordTitle(db: HydraDb, tabId: number, url: string, title: string, now = Date.now()): Promise<void> {
  const latest = await db.tabSnapshots.where('[tabId+capturedAt]').between([tabId, -Infinity], [tabId, Infinity]).last();
  if (latest && latest.url === url && latest.title !== title) await db.tabSnapshots.update(latest.id, { title });
  if (!title) return;
  const visits = (await visitsOfUrls(db, [urlKey(url)])).get(urlKey(url)) ?? [];
  const visit = visits.reduce<(typeof visits)[number] | undefined>((a, b) => (b.visitedAt > (a?.visitedAt ?? -1) ? b : a), undefined);
  if (visit && visit.source === 'live' && visit.title !== title && now - visit.visitedAt < TITLE_LATE_MS) await setVisitTitle(db, visit.id, title);
}

export async function recordVisit(db: HydraDb, item: { url?: string; title?: string; lastVisitTime?: number }): Promise<void> {
  if (!item.url || item.lastVisitTime === undefined || !(await capturable(db, { url: item.url }))) return;
  const visits = await browser.history.getVisits({ url: item.url }).catch(() => []);
  const latest = visits.reduce<(typeof visits)[number] | undefined>((a, b) => ((b.visitTime ?? 0) > (a?.visitTime ?? -1) ? b : a), undefined);
  const name = latest?.transition as string | undefined;
  const transition: Transition = TRANSITIONS.includes(name as Transition) ? (name as Transition) : 'link';
  // The page's title may have reached its tab before this visit was recorded.
  const title = item.title || ((await db.tabs.where('urlKey').equals(urlKey(item.url)).toArray()).find((tab) => tab.title)?.title ?? '');
  await addVisits(db, [makeVisit({ url: item.url, title, visitedAt: Math.floor(latest?.visitTime ?? item.lastVisitTime), transition, source: 'live' })]);
}

/** At worker start: the open tabs as the browser has them now (ids change across restarts). */
export function syncOpenTabs(db: HydraDb): Promise<void> {
  return inOrder(async () => {
    const tabs = await browser.tabs.query({});
    const openIds = new Set(tabs.map((t) => t.id));
    await db.tabs.where('open').equals(1).filter((row) => !openIds.has(row.tabId)).modify({ open: 0 });
    for (const tab of tabs) await recordTab(db, tab);
  });
}

let tabEvents: Promise<unknown> = Promise.resolve();
/**
 * Tab state changes are applied one at a time, in the order the browser reported them. Handlers
 * are async (a blocklist read comes before the write), so without this a tab's removal could be
 * overtaken by an update of the same tab still in flight and leave it "open"; and the start-up
 * sync's snapshot of the open tabs could overwrite events that arrived while it ran.
 */
function inOrder(run: () => Promise<unknown>): Promise<void> {
  const next = tabEvents.then(run);
  tabEvents = next.catch(() => undefined);
  return next.then(() => undefined);
}

export function registerCaptureListeners(db: HydraDb): void {
  const report = (error: unknown) => console.error('[hydraflow] capture failed', error);
  const ordered = (run: () => Promise<unknown>) => void inOrder(run).catch(report);
  browser.tabs.onCreated.addListener((tab) => ordered(() => recordTab(db, tab)));
  browser.tabs.onUpdated.addListener((tabId, change, tab) => {
    if (change.url === undefined && change.title === undefined && change.status === undefined) return;
    ordered(async () => {
      await recordTab(db, tab);
      if (change.title !== undefined && tab.url && !tab.incognito) await recordTitle(db, tabId, tab.url, change.title);
    });
  });
  browser.tabs.onActivated.addListener(({ tabId, windowId }) =>
    ordered(() =>
      db.transaction('rw', db.tabs, async () => {
        await db.tabs.where('windowId').equals(windowId).modify((row) => void (row.active = row.tabId === tabId ? 1 : 0));
      }),
    ),
  );
  browser.tabs.onMoved.addListener((tabId, info) => ordered(() => db.tabs.update(tabId, { windowId: info.windowId, index: info.toIndex, updatedAt: Date.now() })));
  browser.tabs.onAttached.addListener((tabId, info) => ordered(() => db.tabs.update(tabId, { windowId: info.newWindowId, index: info.newPosition, updatedAt: Date.now() })));
  browser.tabs.onRemoved.addListener((tabId) => ordered(() => db.tabs.update(tabId, { open: 0, active: 0, updatedAt: Date.now() })));
  browser.webNavigation.onCommitted.addListener((details) => {
    if (details.frameId === 0) ordered(() => recordNavigation(db, details.tabId, details.url));
  });
  browser.history.onVisited.addListener((item) => void recordVisit(db, item).catch(report));
}
