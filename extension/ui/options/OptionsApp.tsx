/** The options page: the overview home, jobs, history, privacy and settings. */
import { useCommand } from '../hooks';
import { HostStatusView } from '../components/HostStatusView';
import { Header } from '../Header';
import { BundlesSection } from '../bundles/BundlesSection';
import { HistorySection } from '../history/HistorySection';
import { JobsSection } from '../jobs/JobsSection';
import { OverviewSection } from '../overview/OverviewSection';
import { PrivacySection } from '../privacy/PrivacySection';
import { BlocklistSettings } from '../settings/BlocklistSettings';
import { ModelSettings } from '../settings/ModelSettings';
import { EmbeddingSettings } from '../settings/EmbeddingSettings';

export function OptionsApp() {
  const [info] = useCommand('app.info', {});
  return (
    <>
      <Header title="Overview" />
      <main>
        <section data-testid="app-info">
          <h2>HydraFlow</h2>
          {info.state === 'ready' && (
            <p>
              Version {info.value.appVersion} · protocol {info.value.protocolVersion} · database schema v{info.value.schemaVersion} · extension ID{' '}
              <code>{info.value.extensionId}</code>
            </p>
          )}
          {info.state === 'failed' && <p class="error">{info.error.message}</p>}
        </section>
        <OverviewSection />
        <HostStatusView />
        <JobsSection />
        <HistorySection />
        <PrivacySection />
        <BundlesSection />
        <ModelSettings />
        <EmbeddingSettings />
        <BlocklistSettings />
      </main>
    </>
  );
}
