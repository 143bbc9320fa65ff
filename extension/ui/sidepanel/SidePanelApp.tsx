/**
 * The side panel: the active tab's thread (messages, chat, tasks, memories) first; the search box
 * (shown above it), host state and repo tools load after it, so opening the panel waits only for
 * the thread.
 */
import { Header } from '../Header';
import { t } from '../i18n';
import { Deferred } from '../components/Deferred';
import { ThreadPanel } from '../threads/ThreadPanel';

export function SidePanelApp() {
  return (
    <>
      <Header title={t('sidePanelTitle')} />
      <main>
        {/* The slot keeps its height while the box's code loads, so the thread below does not jump. */}
        <div class="search-slot">
          <Deferred load={() => import('../search/SearchBox').then((m) => () => <m.SearchBox idPrefix="panel-search" />)} />
        </div>
        <ThreadPanel />
        <Deferred load={() => import('../components/HostStatusView').then((m) => () => <m.HostStatusView compact />)} />
        <Deferred load={() => import('../repo/RepoToolsSection').then((m) => m.RepoToolsSection)} />
      </main>
    </>
  );
}
