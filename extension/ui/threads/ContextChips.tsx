/**
 * What goes with the next question, as chips in the composer: the panel's page (on by default,
 * removable), other open tabs the user added (picked one by one, or every tab of this window), and
 * "From my history". Each chip shows its share of the context budget; the background reads the
 * tabs' text when the question is sent and cuts each to its share (shared/chat/context.ts).
 */
import { useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import type { ChatContext } from '../../../shared/chat/context';
import { isCapturableUrl } from '../../../shared/url';

export interface ChipTab {
  tabId: number;
  title: string;
  url: string;
}

export interface ContextChoice {
  page: boolean;
  tabs: ChipTab[];
  history: boolean;
}

export function useContextChoice(): [ContextChoice, (next: ContextChoice) => void] {
  return useState<ContextChoice>({ page: true, tabs: [], history: false });
}

/** The command's `context` for a choice made on the panel of `tab`. */
export function chatContextOf(choice: ContextChoice, tab: { tabId: number; url: string }): ChatContext {
  return { pageTabId: choice.page && isCapturableUrl(tab.url) ? tab.tabId : null, tabIds: choice.tabs.map((t) => t.tabId), history: choice.history };
}

export function ContextChips({ choice, onChange, tab }: { choice: ContextChoice; onChange: (next: ContextChoice) => void; tab: ChipTab }) {
  const [picking, setPicking] = useState<ChipTab[] | null>(null);
  const pageOk = isCapturableUrl(tab.url);
  const shares = (choice.page && pageOk ? 1 : 0) + choice.tabs.length + (choice.history ? 1 : 0);
  const share = shares > 0 ? `≈${Math.floor(100 / shares)}% of the context budget` : '';
  const openTabs = async (windowOnly: boolean): Promise<ChipTab[]> => {
    const own = await browser.tabs.get(tab.tabId).catch(() => null);
    const tabs = await browser.tabs.query(windowOnly && own?.windowId !== undefined ? { windowId: own.windowId } : {});
    return tabs
      .filter((t) => t.id !== undefined && t.id !== tab.tabId && !t.incognito && t.url && isCapturableUrl(t.url) && !choice.tabs.some((c) => c.tabId === t.id))
      .map((t) => ({ tabId: t.id!, title: t.title ?? t.url!, url: t.url! }));
  };
  return (
    <div class="context-chips" data-testid="context-chips">
      <div class="chips">
        {choice.page && pageOk && (
          <span class="chip" data-testid="chip-page" title={`${tab.url} — ${share}`}>
            📄 This page: {tab.title || tab.url} <span class="muted">{share}</span>{' '}
            <button type="button" class="link" aria-label="Remove this page from the question" data-testid="chip-page-remove" onClick={() => onChange({ ...choice, page: false })}>
              ×
            </button>
          </span>
        )}
        {choice.tabs.map((t) => (
          <span key={t.tabId} class="chip" data-testid="chip-tab" title={`${t.url} — ${share}`}>
            🗂 {t.title} <span class="muted">{share}</span>{' '}
            <button type="button" class="link" aria-label={`Remove ${t.title}`} data-testid="chip-tab-remove" onClick={() => onChange({ ...choice, tabs: choice.tabs.filter((c) => c.tabId !== t.tabId) })}>
              ×
            </button>
          </span>
        ))}
        {choice.history && (
          <span class="chip" data-testid="chip-history" title={share}>
            🔎 From my history <span class="muted">{share}</span>{' '}
            <button type="button" class="link" aria-label="Do not search my history" onClick={() => onChange({ ...choice, history: false })}>
              ×
            </button>
          </span>
        )}
      </div>
      <div class="toolbar">
        {!choice.page && pageOk && (
          <button type="button" class="link" data-testid="chip-page-add" onClick={() => onChange({ ...choice, page: true })}>
            + This page
          </button>
        )}
        <button type="button" class="link" data-testid="add-tabs" onClick={() => void openTabs(false).then(setPicking)}>
          + Tabs…
        </button>
        <button type="button" class="link" data-testid="add-window-tabs" onClick={() => void openTabs(true).then((tabs) => onChange({ ...choice, tabs: [...choice.tabs, ...tabs] }))}>
          + All tabs in this window
        </button>
        {!choice.history && (
          <button type="button" class="link" data-testid="chip-history-add" onClick={() => onChange({ ...choice, history: true })}>
            + From my history
          </button>
        )}
      </div>
      {picking && (
        <ul class="tab-picker" data-testid="tab-picker">
          {picking.map((t) => (
            <li key={t.tabId}>
              <button
                type="button"
                class="link"
                data-testid="tab-option"
                data-url={t.url}
                onClick={() => {
                  onChange({ ...choice, tabs: [...choice.tabs, t] });
                  setPicking(picking.filter((p) => p.tabId !== t.tabId));
                }}
              >
                {t.title}
              </button>
            </li>
          ))}
          {picking.length === 0 && <li class="muted">No other web pages are open.</li>}
          <li>
            <button type="button" class="link" onClick={() => setPicking(null)}>
              Done
            </button>
          </li>
        </ul>
      )}
    </div>
  );
}
