/**
 * The overview home: what HydraFlow holds and does (exactly what `overview.get` returns), refreshed
 * whenever a count or a job's status changes anywhere, plus a 90-day visit chart.
 */
import { useEffect } from 'preact/hooks';
import type { Overview } from '../../../shared/commands/overview';
import type { JobStatus } from '../../../shared/schemas/statuses';
import { ErrorText } from '../components/ErrorText';
import { formatDate } from '../format';
import { useCommand, useLiveQuery } from '../hooks';
import { plural, t, type MessageKey } from '../i18n';
import { statusWord } from '../jobs/describe';
import { DAY_MS } from '../../../shared/time';

export function formatBytes(bytes: number | null): string {
  if (bytes === null) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}


export function OverviewSection() {
  // A change to any counter, any job's status or the open tabs re-asks the background.
  const tick = useLiveQuery(async (db) => {
    const [counters, active, openTabs] = await Promise.all([
      db.counters.toArray(),
      db.jobs.where('status').anyOf('queued', 'running', 'failed').primaryKeys(),
      db.tabs.where('open').equals(1).toArray(),
    ]);
    // Open tabs are not counted by a counter: a tab closing or binding to a thread changes these.
    return `${counters.map((c) => c.n).join(',')}|${active.length}|${openTabs.length}|${openTabs.filter((tab) => tab.threadId !== null).length}`;
  }, []);
  const [overview, reload] = useCommand('overview.get', {});
  useEffect(() => {
    if (tick !== undefined) reload();
  }, [tick]);
  if (overview.state === 'failed') return <section><ErrorText error={overview.error} /></section>;
  if (overview.state === 'loading') return <section class="muted">{t('overviewCounting')}</section>;
  return <OverviewView o={overview.value} />;
}

function OverviewView({ o }: { o: Overview }) {
  const rows: [string, MessageKey, number | string][] = [
    ['tabs-open', 'overviewOpenTabs', o.tabs.open],
    ['tabs-bound', 'overviewBoundTabs', o.tabs.bound],
    ['visits', 'overviewVisits', o.visits.total],
    ['last-visit', 'overviewLastVisit', formatDate(o.visits.lastVisitAt)],
    ['pages', 'overviewPages', o.pages],
    ['threads', 'overviewThreads', o.threads],
    ['messages', 'overviewMessages', o.messages],
    ['memories', 'overviewMemories', o.memories],
  ];
  const counts = (entries: [string, number][], words: (status: string) => string) =>
    entries
      .filter(([, n]) => n > 0)
      .map(([status, n]) => `${words(status)} ${n.toLocaleString()}`)
      .join(' · ') || t('overviewNone');
  return (
    <section data-testid="overview">
      <h2>{t('overviewTitle')}</h2>
      <table class="figures">
        <tbody>
          {rows.map(([id, label, value]) => (
            <tr key={id}>
              <th scope="row">{t(label)}</th>
              <td data-testid={`overview-${id}`}>{typeof value === 'number' ? value.toLocaleString() : value}</td>
            </tr>
          ))}
          <tr>
            <th scope="row">{t('overviewTasks')}</th>
            <td data-testid="overview-tasks">{counts(Object.entries(o.tasks), (status) => status.replace('_', ' '))}</td>
          </tr>
          <tr>
            <th scope="row">{t('overviewJobs')}</th>
            <td data-testid="overview-jobs">{counts(Object.entries(o.jobs), (status) => statusWord(status as JobStatus))}</td>
          </tr>
        </tbody>
      </table>
      <VisitChart days={o.visitsPerDay} />
      <h3>{t('overviewHealth')}</h3>
      <p data-testid="overview-health" class={o.health.jobsFailedLastDay > 0 || o.health.interruptedJobs > 0 ? 'error' : 'muted'}>
        {t('overviewHealthLine', plural(o.health.jobsFailedLastDay, 'overviewFailedJobs_one', 'overviewFailedJobs_other'), o.health.interruptedJobs.toLocaleString(), o.health.index ? t('overviewIndexCounts', o.health.index.indexed.toLocaleString(), o.health.index.stored.toLocaleString()) : t('overviewIndexNotBuilt'))}
      </p>
      <h3>{t('overviewStorage')}</h3>
      <p data-testid="overview-storage">
        {t('overviewBrowserStorage', formatBytes(o.storage.usage), formatBytes(o.storage.quota))}{' '}
        {o.storage.host
          ? t('overviewHostStorage', formatBytes(o.storage.host.bundles), formatBytes(o.storage.host.ledger), formatBytes(o.storage.host.logs), formatDate(o.storage.host.measuredAt))
          : t('overviewHostNotMeasured')}
      </p>
      {o.storage.stores && (
        <p class="muted" data-testid="overview-store-sizes">
          {t(
            'overviewStoreSizes',
            formatDate(o.storage.storesMeasuredAt),
            Object.entries(o.storage.stores)
              .filter(([, bytes]) => bytes > 0)
              .map(([store, bytes]) => `${store} ${formatBytes(bytes)}`)
              .join(' · ') || t('overviewEmpty'),
          )}
        </p>
      )}
    </section>
  );
}

function VisitChart({ days }: { days: Overview['visitsPerDay'] }) {
  const max = Math.max(1, ...days.map((d) => d.count));
  return (
    <figure class="visit-chart" data-testid="visit-chart" aria-label={t('overviewChartLabel')}>
      <div class="bars">
        {days.map((d) => (
          <span key={d.day} class="bar" title={t('overviewChartBar', new Date(d.day * DAY_MS).toISOString().slice(0, 10), plural(d.count, 'countVisits_one', 'countVisits_other'))} data-count={d.count} style={{ height: `${Math.round((d.count / max) * 100)}%` }} />
        ))}
      </div>
      <figcaption class="muted">{t('overviewChartCaption')}</figcaption>
    </figure>
  );
}
