/** The popup's one-line summary of what HydraFlow holds (the same numbers as the overview page). */
import { useCommand } from '../hooks';
import { plural } from '../i18n';

export function PopupSummary() {
  const [overview] = useCommand('overview.get', {});
  if (overview.state !== 'ready') return null;
  const o = overview.value;
  const parts = [
    plural(o.visits.total, 'countVisits_one', 'countVisits_other'),
    plural(o.threads, 'countThreads_one', 'countThreads_other'),
    plural(o.pages, 'countPages_one', 'countPages_other'),
    plural(o.tabs.open, 'popupOpenTabs_one', 'popupOpenTabs_other'),
    ...(o.health.jobsFailedLastDay > 0 ? [plural(o.health.jobsFailedLastDay, 'popupFailedJobs_one', 'popupFailedJobs_other')] : []),
  ];
  return (
    <p class="muted" data-testid="popup-summary">
      {parts.join(' · ')}
    </p>
  );
}
