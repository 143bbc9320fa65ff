/**
 * The options page: search, the overview home, jobs, history, privacy and settings. Search hits
 * that are threads (or live in one) open here as `#thread=<id>`, a read-only thread view on top.
 */
import { useEffect, useState } from 'preact/hooks';
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
import { SearchSection } from '../search/SearchSection';
import { ThreadReadView } from '../search/ThreadReadView';
import { useOptionsRoute } from '../search/useOptionsRoute';

export function OptionsApp() {
  const [info] = useCommand('app.info', {});
  const [route, go] = useOptionsRoute();
  // The last #search= query stays in the box when the route moves on (to a thread opened from it).
  const [searchQuery, setSearchQuery] = useState(route.kind === 'search' ? route.q : '');
  useEffect(() => {
    if (route.kind === 'search') {
      setSearchQuery(route.q);
      document.getElementById('search')?.scrollIntoView();
    }
    if (route.kind === 'thread') window.scrollTo(0, 0);
  }, [route]);
  return (
    <>
      <Header title="Overview" />
      <main>
        {route.kind === 'thread' && <ThreadReadView key={route.threadId} threadId={route.threadId} focus={route.focus} onClose={() => go('')} />}
        <SearchSection initialQuery={searchQuery} />
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
