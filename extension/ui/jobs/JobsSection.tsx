/**
 * The jobs page: every long operation, saying what it is about (describe.ts), with live progress
 * in the work's unit, its result as a sentence, filters (status, type, since), cancel, retry,
 * details (log, error code) and prune. Reads with a live query; acts by command.
 */
import { useState } from 'preact/hooks';
import type { CommandResult } from '../../../shared/commands';
import type { AppError } from '../../../shared/errors';
import type { Job } from '../../../shared/schemas/entities';
import { JOB_STATUSES, JOB_TYPES, type JobStatus, type JobType } from '../../../shared/schemas/statuses';
import { sendCommand } from '../../commands/client';
import { ErrorText } from '../components/ErrorText';
import { useLiveQuery } from '../hooks';
import { plural, t } from '../i18n';
import { DAY_MS } from '../../../shared/time';
import { JOB_TITLES, jobProgress, jobResult, jobSubject, jobWhen, statusWord } from './describe';

const SHOWN = 200;

export function JobsSection() {
  const [status, setStatus] = useState<JobStatus | ''>('');
  const [type, setType] = useState<JobType | ''>('');
  const [sinceDays, setSinceDays] = useState<number | ''>('');
  const since = sinceDays === '' ? -Infinity : Date.now() - sinceDays * DAY_MS;
  const jobs = useLiveQuery(
    (db) =>
      db.jobs
        .where('createdAt')
        .above(since)
        .reverse()
        .filter((job) => (status === '' || job.status === status) && (type === '' || job.type === type))
        .limit(SHOWN)
        .toArray(),
    [status, type, sinceDays],
  );
  return (
    <section data-testid="jobs">
      <h2>{t('jobsTitle')}</h2>
      <div class="form-row">
        <label>
          {t('jobsFilterStatus')}
          <select data-testid="jobs-filter-status" value={status} onChange={(e) => setStatus(e.currentTarget.value as JobStatus | '')}>
            <option value="">{t('jobsAnyStatus')}</option>
            {JOB_STATUSES.map((s) => (
              <option key={s} value={s}>
                {statusWord(s)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('jobsFilterType')}
          <select data-testid="jobs-filter-type" value={type} onChange={(e) => setType(e.currentTarget.value as JobType | '')}>
            <option value="">{t('jobsAnyType')}</option>
            {JOB_TYPES.map((jobType) => (
              <option key={jobType} value={jobType}>
                {t(JOB_TITLES[jobType])}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('jobsFilterSince')}
          <select data-testid="jobs-filter-since" value={String(sinceDays)} onChange={(e) => setSinceDays(e.currentTarget.value === '' ? '' : Number(e.currentTarget.value))}>
            <option value="">{t('jobsAnyTime')}</option>
            <option value="1">{t('jobsLastDay')}</option>
            <option value="7">{t('jobsLastWeek')}</option>
            <option value="30">{t('jobsLast30Days')}</option>
          </select>
        </label>
      </div>
      <ul class="jobs-list" data-testid="jobs-list">
        {jobs !== undefined && jobs.length === 0 && <li class="empty">{t('jobsNone')}</li>}
        {(jobs ?? []).map((job) => (
          <JobRow key={job.id} job={job} />
        ))}
      </ul>
      <PruneForm />
    </section>
  );
}

export function JobRow({ job }: { job: Job }) {
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<AppError | null>(null);
  const act = async (run: () => Promise<{ ok: true } | { ok: false; error: AppError }>) => {
    const reply = await run();
    setError(reply.ok ? null : reply.error);
  };
  const active = job.status === 'queued' || job.status === 'running';
  const subject = jobSubject(job);
  const progress = jobProgress(job);
  const result = jobResult(job);
  const title = t(JOB_TITLES[job.type]);
  return (
    <li class="job" data-testid="job" data-job-id={job.id} data-status={job.status} data-type={job.type}>
      <p class="job-head">
        <strong>{title}</strong>
        {subject && <span data-testid="job-subject"> · {subject}</span>} · <span data-testid="job-status" class={`job-status status-${job.status}`}>{statusWord(job.status)}</span>
      </p>
      <p class="hint">
        {jobWhen(job)}
        {progress && <span data-testid="job-progress"> · {progress}</span>}
      </p>
      {active && (job.progress.total ? <progress max={job.progress.total} value={job.progress.done} aria-label={t('jobProgressLabel', title)} /> : <progress aria-label={t('jobProgressLabel', title)} />)}
      {result && <p data-testid="job-result">{result}</p>}
      {job.error && <ErrorText error={job.error} testId="job-error" />}
      <div class="toolbar">
        {active && (
          <button type="button" data-testid="job-cancel" onClick={() => void act(() => sendCommand('jobs.cancel', { jobId: job.id }))}>
            {t('cancel')}
          </button>
        )}
        {(job.status === 'failed' || job.status === 'cancelled') && (
          <button type="button" data-testid="job-retry" onClick={() => void act(() => sendCommand('jobs.retry', { jobId: job.id }))}>
            {t('jobRetry')}
          </button>
        )}
        {job.logTail.length > 0 && (
          <button type="button" class="link" aria-expanded={open} onClick={() => setOpen(!open)}>
            {open ? t('jobHideLog') : t('jobShowLog')}
          </button>
        )}
      </div>
      {error && <ErrorText error={error} testId="job-action-error" />}
      {open && <pre data-testid="job-details">{job.logTail.join('\n')}</pre>}
    </li>
  );
}

function PruneForm() {
  const [report, setReport] = useState<CommandResult<'jobs.prune'> | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  return (
    <form
      data-testid="jobs-prune"
      onSubmit={(event) => {
        event.preventDefault();
        const form = new FormData(event.currentTarget);
        const statuses = (['succeeded', 'failed', 'cancelled'] as const).filter((s) => form.get(s) === 'on');
        void sendCommand('jobs.prune', { statuses, olderThanDays: Number(form.get('days') ?? 30) }).then((reply) => {
          setReport(reply.ok ? reply.result : null);
          setError(reply.ok ? null : reply.error);
        });
      }}
    >
      <h3>{t('pruneTitle')}</h3>
      <p class="hint">{t('pruneHint')}</p>
      <div class="form-row">
        {(['succeeded', 'failed', 'cancelled'] as const).map((s) => (
          <label key={s}>
            <input type="checkbox" name={s} defaultChecked={s === 'succeeded'} /> {statusWord(s)}
          </label>
        ))}
        <label>
          {t('pruneOlderThan')} <input type="number" name="days" min={0} defaultValue={30} data-testid="jobs-prune-days" style={{ width: '5em' }} /> {t('retentionJobsUnit')}
        </label>
        <button type="submit">{t('pruneSubmit')}</button>
      </div>
      {report && (
        <p role="status" data-testid="jobs-prune-report">
          {t('pruneReport', plural(report.removed, 'countJobs_one', 'countJobs_other'), report.after.toLocaleString())}
        </p>
      )}
      {error && <ErrorText error={error} />}
    </form>
  );
}
