/**
 * The tab a panel is about and its thread. The tab is the window's active tab, or the one named
 * by `?tabId=` (a panel opened in a tab of its own, and the tests). The thread comes from the
 * background's resolution (binding → same URL → new) and is re-resolved when the tab changes.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { browser, type Browser } from 'wxt/browser';
import type { Message, Thread } from '../../../shared/schemas/entities';
import type { AppError } from '../../../shared/errors';
import { sendCommand } from '../../commands/client';
import { useActiveTab } from '../components/ActiveTab';

export function usePanelTab(): Browser.tabs.Tab | null {
  const fixedId = Number(new URLSearchParams(location.search).get('tabId') ?? NaN);
  const active = useActiveTab();
  const [fixed, setFixed] = useState<Browser.tabs.Tab | null>(null);
  useEffect(() => {
    if (!Number.isInteger(fixedId)) return;
    const refresh = () => void browser.tabs.get(fixedId).then(setFixed, () => setFixed(null));
    const onUpdated = (id: number, change: { url?: string; title?: string }) => {
      if (id === fixedId && (change.url || change.title)) refresh();
    };
    refresh();
    browser.tabs.onUpdated.addListener(onUpdated);
    return () => browser.tabs.onUpdated.removeListener(onUpdated);
  }, [fixedId]);
  return Number.isInteger(fixedId) ? fixed : active;
}

export type TabThread = { state: 'loading' } | { state: 'none'; reason: string } | { state: 'ready'; thread: Thread; tab: { tabId: number; url: string; title: string }; messages?: Message[] } | { state: 'failed'; error: AppError };

export function useTabThread(tab: Browser.tabs.Tab | null): [TabThread, (thread?: Thread) => void] {
  const [value, setValue] = useState<TabThread>({ state: 'loading' });
  const ref = tab?.id !== undefined && tab.url ? { tabId: tab.id, url: tab.url, title: tab.title ?? '' } : null;
  const resolve = useCallback(
    (thread?: Thread) => {
      if (!ref) {
        setValue({ state: 'none', reason: 'No tab' });
        return;
      }
      if (thread) {
        setValue({ state: 'ready', thread, tab: ref });
        return;
      }
      if (tab?.incognito) {
        setValue({ state: 'none', reason: 'Incognito tabs are never captured.' });
        return;
      }
      void sendCommand('threads.forTab', ref).then((reply) => setValue(reply.ok ? { state: 'ready', thread: reply.result.thread, tab: ref, messages: reply.result.messages } : { state: 'failed', error: reply.error }));
    },
    [ref?.tabId, ref?.url],
  );
  useEffect(() => resolve(), [resolve]);
  return [value, resolve];
}
