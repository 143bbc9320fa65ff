/** The popup: search, the current tab, a way into its side panel, and the host's state. */
import { browser } from 'wxt/browser';
import { ActiveTabSummary } from '../components/ActiveTabSummary';
import { useActiveTab } from '../components/ActiveTab';
import { Deferred } from '../components/Deferred';
import { HostStatusView } from '../components/HostStatusView';
import { Header } from '../Header';
import { t } from '../i18n';
import { RunningJobs } from '../components/RunningJobs';
import { PopupThread } from '../threads/PopupThread';
import { PopupSummary } from '../overview/PopupSummary';

export function PopupApp() {
  const tab = useActiveTab();
  return (
    <>
      <Header title="" />
      <main>
        <div class="search-slot">
          <Deferred load={() => import('../search/SearchBox').then((m) => () => <m.SearchBox idPrefix="popup-search" autoFocus onOpened={() => window.close()} />)} />
        </div>
        <ActiveTabSummary />
        <button
          type="button"
          class="primary"
          data-testid="open-side-panel"
          disabled={!tab?.id}
          onClick={() => {
            if (!tab?.id) return;
            // Must run inside the click (a user gesture) — no awaits before it. The panel is
            // per tab and its URL names the tab, so it shows the thread without asking which tab.
            void chrome.sidePanel.setOptions({ tabId: tab.id, path: `sidepanel.html?tabId=${tab.id}`, enabled: true });
            void chrome.sidePanel.open({ tabId: tab.id }).then(() => window.close());
          }}
        >
          {t('popupOpenSidePanel')}
        </button>
        <PopupThread tab={tab} />
        <HostStatusView compact />
        <RunningJobs />
        <PopupSummary />
        <button type="button" class="link" data-testid="open-options" onClick={() => void browser.runtime.openOptionsPage()}>
          {t('popupOpenOptions')}
        </button>
      </main>
    </>
  );
}
