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
import { t } from '../i18n';

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
  return { pageTabId: choice.page && isCapturableUrl(tab.url) ? tab.tabId : null, tabIds: choice.tabs.map((chip) => chip.tabId), history: choice.history };
}

export function ContextChips({ choice, onChange, tab }: { choice: ContextChoice; onChange: (next: ContextChoice) => void; tab: ChipTab }) {
  const [picking, setPicking] = useState<ChipTab[] | null>(null);
  const pageOk = isCapturableUrl(tab.url);
  const shares = (choice.page && pageOk ? 1 : 0) + choice.tabs.length + (choice.history ? 1 : 0);
  const share = shares > 0 ? t('chipsShare', Math.floor(100 / shares)) : '';
  const openTabs = async (windowOnly: boolean): Promise<ChipTab[]> => {
    const own = await browser.tabs.get(tab.tabId).catch(() => null);
    const tabs = await browser.tabs.query(windowOnly && own?.windowId !== undefined ? { windowId: own.windowId } : {});
    return tabs
      .filter((other) => other.id !== undefined && other.id !== tab.tabId && !other.incognito && other.url && isCapturableUrl(other.url) && !choice.tabs.some((c) => c.tabId === other.id))
      .map((other) => ({ tabId: other.id!, title: other.title ?? other.url!, url: other.url! }));
  };
  return (
    <div class="context-chips" data-testid="context-chips">
      <div class="chips">
        {choice.page && pageOk && (
          <span class="chip" data-testid="chip-page" title={`${tab.url} — ${share}`}>
            📄 {t('chipsThisPage', tab.title || tab.url)} <span class="muted">{share}</span>{' '}
            <button type="button" class="link" aria-label={t('chipsRemovePage')} data-testid="chip-page-remove" onClick={() => onChange({ ...choice, page: false })}>
              ×
            </button>
          </span>
        )}
        {choice.tabs.map((chip) => (
          <span key={chip.tabId} class="chip" data-testid="chip-tab" title={`${chip.url} — ${share}`}>
            🗂 {chip.title} <span class="muted">{share}</span>{' '}
            <button type="button" class="link" aria-label={t('chipsRemoveTab', chip.title)} data-testid="chip-tab-remove" onClick={() => onChange({ ...choice, tabs: choice.tabs.filter((c) => c.tabId !== chip.tabId) })}>
              ×
            </button>
          </span>
        ))}
        {choice.history && (
          <span class="chip" data-testid="chip-history" title={share}>
            🔎 {t('chipsHistory')} <span class="muted">{share}</span>{' '}
            <button type="button" class="link" aria-label={t('chipsRemoveHistory')} onClick={() => onChange({ ...choice, history: false })}>
              ×
            </button>
          </span>
        )}
      </div>
      <div class="toolbar">
        {!choice.page && pageOk && (
          <button type="button" class="link" data-testid="chip-page-add" onClick={() => onChange({ ...choice, page: true })}>
            + {t('chipsAddPage')}
          </button>
        )}
        <button type="button" class="link" data-testid="add-tabs" onClick={() => void openTabs(false).then(setPicking)}>
          + {t('chipsAddTabs')}
        </button>
        <button type="button" class="link" data-testid="add-window-tabs" onClick={() => void openTabs(true).then((tabs) => onChange({ ...choice, tabs: [...choice.tabs, ...tabs] }))}>
          + {t('chipsAddWindowTabs')}
        </button>
        {!choice.history && (
          <button type="button" class="link" data-testid="chip-history-add" onClick={() => onChange({ ...choice, history: true })}>
            + {t('chipsHistory')}
          </button>
        )}
      </div>
      {picking && (
        <ul class="tab-picker" data-testid="tab-picker">
          {picking.map((option) => (
            <li key={option.tabId}>
              <button
                type="button"
                class="link"
                data-testid="tab-option"
                data-url={option.url}
                onClick={() => {
                  onChange({ ...choice, tabs: [...choice.tabs, option] });
                  setPicking(picking.filter((p) => p.tabId !== option.tabId));
                }}
              >
                {option.title}
              </button>
            </li>
          ))}
          {picking.length === 0 && <li class="muted">{t('chipsNoOtherTabs')}</li>}
          <li>
            <button type="button" class="link" onClick={() => setPicking(null)}>
              {t('chipsDone')}
            </button>
          </li>
        </ul>
      )}
    </div>
  );
}
