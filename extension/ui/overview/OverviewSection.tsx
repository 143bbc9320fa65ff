/**
 * The overview home: what HydraFlow holds and does (exactly what `overview.get` returns), refreshed
 * whenever a count or a job's status changes anywhere, plus a 90-day visit chart.
 */
import { useEffect } from 'preact/hooks';
import type { Overview } from '../../../shared/commands/overview';
import { useCommand, useLiveQuery } from '../hooks';
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

const when = (at: number | null) => (at === null ? 'never' : new Date(at).toLocaleString());

export function OverviewSection() {
  // A change to any counter or any job's status re-asks the background.
  const tick = useLiveQuery(async (db) => {
    const [counters, active] = await Promise.all([db.counters.toArray(), db.jobs.where('status').anyOf('queued', 'running', 'failed').primaryKeys()]);
    return `${counters.map((c) => c.n).join(',')}|${active.length}`;
  }, []);
  const [overview, reload] = useCommand('overview.get', {});
  useEffect(() => {
    if (tick !== undefined) reload();
  }, [tick]);
  if (overview.state === 'failed') return <section class="error">{overview.error.message}</section>;
  if (overview.state === 'loading') return <section class="muted">Counting…</section>;
  return <OverviewView o={overview.value} />;
}

function OverviewView({ o }: { o: Overview }) {
  const rows: [string, string, number | string][] = [
    ['tabs-open', 'Open tabs', o.tabs.open],
    ['tabs-bound', 'Tabs bound to threads', o.tabs.bound],
    ['visits', 'Visits', o.visits.total],
    ['last-visit', 'Last visit', o.visits.lastVisitAt === null ? '—' : new Date(o.visits.lastVisitAt).toLocaleString()],
    ['pages', 'Page snapshots', o.pages],
    ['threads', 'Threads', o.threads],
    ['messages', 'Messages', o.messages],
    ['memories', 'Memories', o.memories],
  ];
  return (
    <section data-testid="overview">
      <h2>What HydraFlow holds</h2>
      <table class="figures">
        <tbody>
          {rows.map(([id, label, value]) => (
            <tr key={id}>
              <th>{label}</th>
              <td data-testid={`overview-${id}`}>{typeof value === 'number' ? value.toLocaleString() : value}</td>
            </tr>
          ))}
          <tr>
            <th>Tasks</th>
            <td data-testid="overview-tasks">{Object.entries(o.tasks).filter(([, n]) => n > 0).map(([status, n]) => `${status.replace('_', ' ')} ${n}`).join(' · ') || 'none'}</td>
          </tr>
          <tr>
            <th>Jobs</th>
            <td data-testid="overview-jobs">{Object.entries(o.jobs).filter(([, n]) => n > 0).map(([status, n]) => `${status} ${n}`).join(' · ') || 'none'}</td>
          </tr>
        </tbody>
      </table>
      <VisitChart days={o.visitsPerDay} />
      <h3>Health</h3>
      <p data-testid="overview-health" class={o.health.jobsFailedLastDay > 0 || o.health.interruptedJobs > 0 ? 'error' : 'muted'}>
        {o.health.jobsFailedLastDay} job(s) failed in the last day · {o.health.interruptedJobs} interrupted · search index: {o.health.index ? `${o.health.index.indexed} / ${o.health.index.stored}` : 'not built yet'}
      </p>
      <h3>Storage</h3>
      <p data-testid="overview-storage">
        Browser storage: {formatBytes(o.storage.usage)} used of {formatBytes(o.storage.quota)}. Native host: {o.storage.host ? `bundles ${formatBytes(o.storage.host.bundles)}, repo ledgers ${formatBytes(o.storage.host.ledger)}, logs ${formatBytes(o.storage.host.logs)} (measured ${when(o.storage.host.measuredAt)})` : 'not measured (host not reached)'}.
      </p>
      {o.storage.stores && (
        <p class="muted" data-testid="overview-store-sizes">
          Estimated per store (measured {when(o.storage.storesMeasuredAt)}):{' '}
          {Object.entries(o.storage.stores)
            .filter(([, bytes]) => bytes > 0)
            .map(([store, bytes]) => `${store} ${formatBytes(bytes)}`)
            .join(' · ') || 'empty'}
        </p>
      )}
    </section>
  );
}

function VisitChart({ days }: { days: Overview['visitsPerDay'] }) {
  const max = Math.max(1, ...days.map((d) => d.count));
  return (
    <figure class="visit-chart" data-testid="visit-chart" aria-label="Visits per day, last 90 days">
      <div class="bars">
        {days.map((d) => (
          <span key={d.day} class="bar" title={`${new Date(d.day * DAY_MS).toISOString().slice(0, 10)}: ${d.count} visits`} data-count={d.count} style={{ height: `${Math.round((d.count / max) * 100)}%` }} />
        ))}
      </div>
      <figcaption class="muted">Visits per day, last 90 days (UTC)</figcaption>
    </figure>
  );
}
