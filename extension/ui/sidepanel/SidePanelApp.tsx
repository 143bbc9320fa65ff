/** The side panel: the active tab's context and, as capabilities land, its thread. */
import { ActiveTabSummary } from '../components/ActiveTabSummary';
import { HostStatusView } from '../components/HostStatusView';
import { Header } from '../Header';
import { RepoToolsSection } from '../repo/RepoToolsSection';

export function SidePanelApp() {
  return (
    <>
      <Header title="Side panel" />
      <main>
        <ActiveTabSummary />
        <HostStatusView />
        <RepoToolsSection />
      </main>
    </>
  );
}
