/**
 * The options app: one page per route (`#overview` … `#privacy`, shared/search/options-route.ts)
 * under a navigation that is always visible (a side bar from 800 px, a scrolling bar above).
 * Search hits that are threads (or live in one) open the Threads page as `#thread=<id>`.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { OPTIONS_PAGES, routePage, type OptionsPage } from '../../../shared/search/options-route';
import { HostStatusView } from '../components/HostStatusView';
import { BundlesSection } from '../bundles/BundlesSection';
import { HistorySection } from '../history/HistorySection';
import { t, type MessageKey } from '../i18n';
import { JobsSection } from '../jobs/JobsSection';
import { OverviewSection } from '../overview/OverviewSection';
import { PrivacySection } from '../privacy/PrivacySection';
import { RepoToolsSection } from '../repo/RepoToolsSection';
import { BlocklistSettings } from '../settings/BlocklistSettings';
import { ModelSettings } from '../settings/ModelSettings';
import { EmbeddingSettings } from '../settings/EmbeddingSettings';
import { SyncSettings } from '../settings/SyncSettings';
import { SearchSection } from '../search/SearchSection';
import { ThreadReadView } from '../search/ThreadReadView';
import { useOptionsRoute } from '../search/useOptionsRoute';
import { AppInfo } from './AppInfo';
import { ThreadsPage } from './ThreadsPage';

const PAGE_TITLES: Record<OptionsPage, MessageKey> = {
  overview: 'navOverview',
  search: 'navSearch',
  history: 'navHistory',
  threads: 'navThreads',
  jobs: 'navJobs',
  bundles: 'navBundles',
  repos: 'navRepos',
  settings: 'navSettings',
  privacy: 'navPrivacy',
};

export function OptionsApp() {
  const [route, go] = useOptionsRoute();
  const page = routePage(route);
  // The last #search= query stays in the box when the route moves on (to a thread opened from it).
  const [searchQuery, setSearchQuery] = useState(route.kind === 'search' ? route.q : '');
  const heading = useRef<HTMLHeadingElement>(null);
  const first = useRef(true);
  useEffect(() => {
    if (route.kind === 'search') setSearchQuery(route.q);
    document.title = `${t(PAGE_TITLES[page])} · HydraFlow`;
    window.scrollTo(0, 0);
    // After a navigation (not on load), focus moves to the new page's title for screen readers.
    if (!first.current && route.kind !== 'search') heading.current?.focus();
    first.current = false;
  }, [route]);
  return (
    <div class="app-shell">
      <a class="skip-link" href="#main" onClick={(event) => {
        event.preventDefault();
        document.getElementById('main')?.focus();
      }}>
        {t('skipToContent')}
      </a>
      <header class="app">
        <p class="brand">{t('appName')}</p>
      </header>
      <nav class="app-nav" aria-label={t('navLabel')} data-testid="options-nav">
        <ul>
          {OPTIONS_PAGES.map((name) => (
            <li key={name}>
              <a href={`#${name}`} aria-current={name === page ? 'page' : undefined} data-testid={`nav-${name}`}>
                {t(PAGE_TITLES[name])}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" class="app-main" tabIndex={-1} data-testid="options-page" data-page={page}>
        <h1 ref={heading} tabIndex={-1} class="page-title">
          {t(PAGE_TITLES[page])}
        </h1>
        {page === 'overview' && (
          <>
            <OverviewSection />
            <HostStatusView />
          </>
        )}
        {page === 'search' && <SearchSection initialQuery={searchQuery} />}
        {page === 'history' && <HistorySection />}
        {page === 'threads' && (route.kind === 'thread' ? <ThreadReadView key={route.threadId} threadId={route.threadId} focus={route.focus} onClose={() => go('#threads')} /> : <ThreadsPage />)}
        {page === 'jobs' && <JobsSection />}
        {page === 'bundles' && <BundlesSection />}
        {page === 'repos' && <RepoToolsSection />}
        {page === 'settings' && (
          <>
            <ModelSettings />
            <EmbeddingSettings />
            <SyncSettings />
            <HostStatusView />
          </>
        )}
        {page === 'privacy' && (
          <>
            <BlocklistSettings />
            <PrivacySection />
          </>
        )}
        <AppInfo />
      </main>
    </div>
  );
}
