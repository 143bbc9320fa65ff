/**
 * The tab a panel is about and its thread. The tab is the window's active tab, or the one named
 * by `?tabId=` (a panel opened in a tab of its own, and the tests). The thread comes from the
 * background's resolution (binding → same URL → none: unsaved) and is re-resolved when the tab changes.
 */
import { useCallback, useEffect, useLayoutEffect, useState } from 'preact/hooks';
import { browser, type Browser } from 'wxt/browser';
import type { Message, Thread } from '../../../shared/schemas/entities';
import type { AppError } from '../../../shared/errors';
import { sendCommand } from '../../commands/client';
import { useActiveTab } from '../components/ActiveTab';
import { takeEarlyThread } from './early';
import { firstViewSettled } from './first-view';

export interface PanelTab {
  tabId: number;
  /** Known when the page learned it (active-tab mode, or a navigation seen); else the background looks it up. */
  url: string | null;
  title: string | null;
  incognito: boolean;
}

/**
 * Which tab the panel is about: the one in `?tabId=` (the per-tab panel the popup opens, and
 * tests) — known at once, without asking the browser — or else the window's active tab.
 */
export function usePanelTab(): PanelTab | null {
  const fixedId = Number(new URLSearchParams(location.search).get('tabId') ?? NaN);
  const fixed = Number.isInteger(fixedId);
  const active = useActiveTab(!fixed);
  const [seen, setSeen] = useState<{ url: string; title: string | null } | null>(null);
  useEffect(() => {
    if (!fixed) return;
    const onUpdated = (id: number, change: { url?: string }, tab: Browser.tabs.Tab) => {
      if (id === fixedId && change.url) setSeen({ url: change.url, title: tab.title ?? null });
    };
    browser.tabs.onUpdated.addListener(onUpdated);
    return () => browser.tabs.onUpdated.removeListener(onUpdated);
  }, [fixedId]);
  if (fixed) return { tabId: fixedId, url: seen?.url ?? null, title: seen?.title ?? null, incognito: false };
  return active?.id !== undefined ? { tabId: active.id, url: active.url ?? null, title: active.title ?? null, incognito: active.incognito } : null;
}

export type TabThread = { state: 'loading' } | { state: 'none'; reason: string } | { state: 'ready'; /** null: the tab has no thread yet (unsaved until something is written). */ thread: Thread | null; tab: { tabId: number; url: string; title: string }; messages?: Message[] } | { state: 'failed'; error: AppError };

export function useTabThread(tab: PanelTab | null): [TabThread, (thread?: Thread) => void] {
  const [value, setValue] = useState<TabThread>({ state: 'loading' });
  const resolve = useCallback(
    (thread?: Thread) => {
      if (!tab) {
        setValue({ state: 'none', reason: 'No tab' });
        return;
      }
      if (tab.incognito) {
        setValue({ state: 'none', reason: 'Incognito tabs are never captured.' });
        return;
      }
      if (thread && value.state === 'ready') {
        setValue({ state: 'ready', thread, tab: value.tab });
        return;
      }
      const params = tab.url === null ? { tabId: tab.tabId } : { tabId: tab.tabId, url: tab.url, title: tab.title ?? '' };
      void takeEarlyThread(tab.tabId, tab.url).then((early) => {
        let answered = false;
        // The page's own read of the binding paints first when the background is slow (a stopped worker starting)…
        if (!early) firstViewSettled();
        void early?.local.then((local) => {
          if (!answered && local && !thread) setValue({ state: 'ready', thread: local.thread, tab: local.tab, messages: local.messages });
          // Nothing of its own to paint: the rest of the page need not wait (first-view.ts).
          else firstViewSettled();
        });
        // …and the background's answer always wins.
        void (early?.reply ?? sendCommand('threads.forTab', params)).then((reply) => {
          answered = true;
          if (reply.ok) setValue({ state: 'ready', thread: thread ?? reply.result.thread, tab: reply.result.tab, messages: thread ? undefined : reply.result.messages });
          else if (reply.error.code === 'CAPTURE_REFUSED') setValue({ state: 'none', reason: reply.error.message });
          else setValue({ state: 'failed', error: reply.error });
        });
      });
    },
    [tab?.tabId, tab?.url, value.state === 'ready' ? value.tab : null],
  );
  // A layout effect runs right after the first render, before the browser paints: the request is on
  // its way while the page paints "Finding…" (a plain effect would wait for that paint).
  useLayoutEffect(() => resolve(), [tab?.tabId, tab?.url]);
  return [value, resolve];
}
