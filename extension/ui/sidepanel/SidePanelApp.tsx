/** The side panel: the active tab's thread (messages, chat, tasks, memories), host state, repo tools. */
import { HostStatusView } from '../components/HostStatusView';
import { Header } from '../Header';
import { Deferred } from '../components/Deferred';
import { ThreadPanel } from '../threads/ThreadPanel';

export function SidePanelApp() {
  return (
    <>
      <Header title="Side panel" />
      <main>
        <ThreadPanel />
        <HostStatusView compact />
        <Deferred load={() => import('../repo/RepoToolsSection').then((m) => m.RepoToolsSection)} />
      </main>
    </>
  );
}
