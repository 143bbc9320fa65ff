/** The side panel: the active tab's thread (messages, chat, tasks, memories), host state, repo tools. */
import { HostStatusView } from '../components/HostStatusView';
import { Header } from '../Header';
import { RepoToolsSection } from '../repo/RepoToolsSection';
import { ThreadPanel } from '../threads/ThreadPanel';

export function SidePanelApp() {
  return (
    <>
      <Header title="Side panel" />
      <main>
        <ThreadPanel />
        <HostStatusView compact />
        <RepoToolsSection />
      </main>
    </>
  );
}
