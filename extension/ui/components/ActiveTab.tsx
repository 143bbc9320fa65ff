/** The tab a popup or side panel is about: the active tab of its window, kept current. */
import { useEffect, useState } from 'preact/hooks';
import { browser, type Browser } from 'wxt/browser';

/** `enabled: false` (a panel already told which tab it is about) asks the browser nothing. */
export function useActiveTab(enabled = true): Browser.tabs.Tab | null {
  const [tab, setTab] = useState<Browser.tabs.Tab | null>(null);
  useEffect(() => {
    if (!enabled) return;
    let windowId: number | undefined;
    const refresh = () =>
      void browser.tabs.query({ active: true, currentWindow: true }).then(([active]) => {
        windowId = active?.windowId;
        setTab(active ?? null);
      });
    const onActivated = (info: { windowId: number }) => {
      if (windowId === undefined || info.windowId === windowId) refresh();
    };
    const onUpdated = (_id: number, change: { url?: string; title?: string }) => {
      if (change.url || change.title) refresh();
    };
    refresh();
    browser.tabs.onActivated.addListener(onActivated);
    browser.tabs.onUpdated.addListener(onUpdated);
    return () => {
      browser.tabs.onActivated.removeListener(onActivated);
      browser.tabs.onUpdated.removeListener(onUpdated);
    };
  }, [enabled]);
  return tab;
}
