/**
 * The side panel: the active tab's thread (messages, chat, tasks, memories) first; the search box
 * (shown above it), host state and repo tools load after it, so opening the panel waits only for
 * the thread: they load once it is on screen (threads/first-view.ts).
 */
import { Header } from '../Header';
import { t } from '../i18n';
import { Deferred } from '../components/Deferred';
import { ThreadPanel } from '../threads/ThreadPanel';
import { afterFirstView } from '../threads/first-view';

export function SidePanelApp() {
  return (
    <>
      <Header title={t('sidePanelTitle')} />
      <main>
        {/* The slot keeps its height while the box's code loads, so the thread below does not jump. */}
        <div class="search-slot">
          <Deferred load={() => afterFirstView().then(() => import('../search/SearchBox')).then((m) => () => <m.SearchBox idPrefix="panel-search" />)} />
        </div>
        <ThreadPanel />
        <Deferred load={() => afterFirstView().then(() => import('../components/HostStatusView')).then((m) => () => <m.HostStatusView compact />)} />
        <Deferred load={() => afterFirstView().then(() => import('../repo/RepoToolsSection')).then((m) => m.RepoToolsSection)} />
      </main>
    </>
  );
}
