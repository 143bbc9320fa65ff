/** Jobs that are running now, with progress (popup). */
import { useLiveQuery } from '../hooks';

export function RunningJobs() {
  const jobs = useLiveQuery((db) => db.jobs.where('status').anyOf(['queued', 'running']).toArray(), []) ?? [];
  if (jobs.length === 0) return null;
  return (
    <section data-testid="running-jobs">
      <h2>Running</h2>
      {jobs.map((job) => (
        <div key={job.id}>
          {job.type.replace(/_/g, ' ')} {job.progress.total ? `${job.progress.done} / ${job.progress.total}` : job.progress.done || ''}
          {job.progress.total ? <progress max={job.progress.total} value={job.progress.done} /> : null}
        </div>
      ))}
    </section>
  );
}
