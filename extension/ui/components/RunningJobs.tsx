/** Jobs that are running now, each saying what it is about, with progress in its unit (popup). */
import { useLiveQuery } from '../hooks';
import { t } from '../i18n';
import { JOB_TITLES, jobProgress, jobSubject } from '../jobs/describe';

export function RunningJobs() {
  const jobs = useLiveQuery((db) => db.jobs.where('status').anyOf(['queued', 'running']).toArray(), []) ?? [];
  if (jobs.length === 0) return null;
  return (
    <section data-testid="running-jobs">
      <h2>{t('runningTitle')}</h2>
      <ul class="jobs-list">
        {jobs.map((job) => {
          const title = t(JOB_TITLES[job.type]);
          const subject = jobSubject(job);
          const progress = jobProgress(job);
          return (
            <li key={job.id} data-testid="running-job">
              {title}
              {subject && ` · ${subject}`}
              {progress && <span class="hint"> · {progress}</span>}
              {job.progress.total ? <progress max={job.progress.total} value={job.progress.done} aria-label={t('jobProgressLabel', title)} /> : null}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
