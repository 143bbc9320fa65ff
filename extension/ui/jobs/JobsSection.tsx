/**
 * The jobs page: every long operation with live progress, filters (status, type, since), cancel,
 * retry, details (log tail, result, error) and prune. Reads with a live query; acts by command.
 */
import { useState } from 'preact/hooks';
import type { CommandResult } from '../../../shared/commands';
import type { Job } from '../../../shared/schemas/entities';
import { JOB_STATUSES, JOB_TYPES, type JobStatus, type JobType } from '../../../shared/schemas/statuses';
import { sendCommand } from '../../commands/client';
import { useLiveQuery } from '../hooks';
import { DAY_MS } from '../../../shared/time';

const SHOWN = 200;

export function JobsSection() {
  const [status, setStatus] = useState<JobStatus | ''>('');
  const [type, setType] = useState<JobType | ''>('');
  const [sinceDays, setSinceDays] = useState<number | ''>('');
  const since = sinceDays === '' ? -Infinity : Date.now() - sinceDays * DAY_MS;
  const jobs =
    useLiveQuery(
      (db) =>
        db.jobs
          .where('createdAt')
          .above(since)
          .reverse()
          .filter((job) => (status === '' || job.status === status) && (type === '' || job.type === type))
          .limit(SHOWN)
          .toArray(),
      [status, type, sinceDays],
    ) ?? [];
  return (
    <section data-testid="jobs">
      <h2>Jobs</h2>
      <div class="toolbar">
        <select data-testid="jobs-filter-status" value={status} onChange={(e) => setStatus(e.currentTarget.value as JobStatus | '')}>
          <option value="">any status</option>
          {JOB_STATUSES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
        <select data-testid="jobs-filter-type" value={type} onChange={(e) => setType(e.currentTarget.value as JobType | '')}>
          <option value="">any type</option>
          {JOB_TYPES.map((t) => (
            <option key={t} value={t}>
              {t.replace(/_/g, ' ')}
            </option>
          ))}
        </select>
        <select data-testid="jobs-filter-since" value={String(sinceDays)} onChange={(e) => setSinceDays(e.currentTarget.value === '' ? '' : Number(e.currentTarget.value))}>
          <option value="">any time</option>
          <option value="1">last day</option>
          <option value="7">last week</option>
          <option value="30">last 30 days</option>
        </select>
      </div>
      <div class="jobs-list" data-testid="jobs-list">
        {jobs.length === 0 && <p class="muted">No jobs.</p>}
        {jobs.map((job) => (
          <JobRow key={job.id} job={job} />
        ))}
      </div>
      <PruneForm />
    </section>
  );
}

function JobRow({ job }: { job: Job }) {
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const act = async (run: () => Promise<{ ok: boolean; error?: { code: string; message: string } }>) => {
    const reply = await run();
    setError(reply.ok ? null : `${reply.error!.code}: ${reply.error!.message}`);
  };
  const active = job.status === 'queued' || job.status === 'running';
  return (
    <div class="job" data-testid="job" data-job-id={job.id} data-status={job.status} data-type={job.type}>
      <div>
        <strong>{job.type.replace(/_/g, ' ')}</strong> · <span data-testid="job-status">{job.status}</span> · {new Date(job.createdAt).toLocaleString()}
        {job.progress.total ? ` · ${job.progress.done.toLocaleString()} / ${job.progress.total.toLocaleString()}` : job.progress.done ? ` · ${job.progress.done.toLocaleString()}` : ''}
        {job.progress.rate ? ` · ${job.progress.rate}/s` : ''}
        {job.error && <span class="error"> · {job.error.code}</span>}
      </div>
      {active && (job.progress.total ? <progress max={job.progress.total} value={job.progress.done} /> : <progress />)}
      <div class="toolbar">
        {active && (
          <button type="button" data-testid="job-cancel" onClick={() => void act(() => sendCommand('jobs.cancel', { jobId: job.id }))}>
            Cancel
          </button>
        )}
        {(job.status === 'failed' || job.status === 'cancelled') && (
          <button type="button" data-testid="job-retry" onClick={() => void act(() => sendCommand('jobs.retry', { jobId: job.id }))}>
            Retry
          </button>
        )}
        <button type="button" class="link" onClick={() => setOpen(!open)}>
          {open ? 'Hide details' : 'Details'}
        </button>
      </div>
      {error && <p class="error" data-testid="job-action-error">{error}</p>}
      {open && (
        <pre data-testid="job-details">
          {[
            job.error ? `error: ${job.error.code}: ${job.error.message}` : null,
            job.result !== null ? `result: ${JSON.stringify(job.result).slice(0, 2000)}` : null,
            ...job.logTail,
          ]
            .filter((line) => line !== null)
            .join('\n')}
        </pre>
      )}
    </div>
  );
}

function PruneForm() {
  const [report, setReport] = useState<CommandResult<'jobs.prune'> | null>(null);
  const [error, setError] = useState<string | null>(null);
  return (
    <form
      data-testid="jobs-prune"
      onSubmit={(event) => {
        event.preventDefault();
        const form = new FormData(event.currentTarget);
        const statuses = (['succeeded', 'failed', 'cancelled'] as const).filter((s) => form.get(s) === 'on');
        void sendCommand('jobs.prune', { statuses, olderThanDays: Number(form.get('days') ?? 30) }).then((reply) => {
          setReport(reply.ok ? reply.result : null);
          setError(reply.ok ? null : `${reply.error.code}: ${reply.error.message}`);
        });
      }}
    >
      <h3>Prune</h3>
      <label>
        <input type="checkbox" name="succeeded" defaultChecked /> succeeded
      </label>{' '}
      <label>
        <input type="checkbox" name="failed" /> failed
      </label>{' '}
      <label>
        <input type="checkbox" name="cancelled" /> cancelled
      </label>{' '}
      older than <input type="number" name="days" min={0} defaultValue={30} data-testid="jobs-prune-days" style={{ width: '5em' }} /> days{' '}
      <button type="submit">Prune</button>
      <span class="muted"> Running and queued jobs are never pruned.</span>
      {report && <p data-testid="jobs-prune-report">Removed {report.removed} job(s) ({report.before} → {report.after}).</p>}
      {error && <p class="error">{error}</p>}
    </form>
  );
}
