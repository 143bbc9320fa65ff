/** The popup's one-line summary of what HydraFlow holds (the same numbers as the overview page). */
import { useCommand } from '../hooks';

export function PopupSummary() {
  const [overview] = useCommand('overview.get', {});
  if (overview.state !== 'ready') return null;
  const o = overview.value;
  return (
    <p class="muted" data-testid="popup-summary">
      {o.visits.total.toLocaleString()} visits · {o.threads.toLocaleString()} threads · {o.pages.toLocaleString()} pages · {o.tabs.open} open tabs{o.health.jobsFailedLastDay > 0 ? ` · ${o.health.jobsFailedLastDay} failed job(s) today` : ''}
    </p>
  );
}
