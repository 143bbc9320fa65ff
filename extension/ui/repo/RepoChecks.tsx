/**
 * Registered checks of one repository: a Run button each, then the run's job followed live from
 * the database (status, a progress indicator while it runs, streamed output, exit code).
 */
import { useEffect, useState } from 'preact/hooks';
import { checkJobLive, type CheckJobResult } from '../../../shared/commands/repo';
import type { AppError } from '../../../shared/errors';
import { checkResult } from '../../../shared/protocol/repo';
import { sendCommand } from '../../commands/client';
import { useLiveQuery } from '../hooks';
import { t } from '../i18n';

/** A command typed in a terminal: code, not words to translate. */
const checkAddCommand = (repoId: string) => ['npx hydraflow-host repo check-add', repoId, 'test -- npm test'].join(' ');
import { ErrorText } from '../components/ErrorText';

export function RepoChecks({ repoId, checks }: { repoId: string; checks: string[] }) {
  const [jobId, setJobId] = useState<string | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const run = async (checkId: string) => {
    setError(null);
    const reply = await sendCommand('repo.check', { repoId, checkId });
    if (reply.ok) setJobId(reply.result.jobId);
    else setError(reply.error);
  };
  return (
    <div class="repo-checks" data-testid="repo-checks">
      <h3>{t('checksTitle')}</h3>
      {checks.length === 0 && (
        <p class="muted">
          {t('checksNone')} <code>{checkAddCommand(repoId)}</code>
        </p>
      )}
      <div class="buttons">
        {checks.map((checkId) => (
          <button key={checkId} type="button" data-testid={`check-run-${checkId}`} onClick={() => void run(checkId)}>
            {t('checkRun', checkId)}
          </button>
        ))}
      </div>
      {error && <ErrorText error={error} />}
      {jobId && <CheckRun jobId={jobId} />}
    </div>
  );
}

function CheckRun({ jobId }: { jobId: string }) {
  const job = useLiveQuery((db) => db.jobs.get(jobId), [jobId]);
  const [now, setNow] = useState(Date.now());
  const running = job?.status === 'running' || job?.status === 'queued';
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(timer);
  }, [running]);
  if (!job) return <p class="muted">{t('checkStarting')}</p>;
  const live = checkJobLive.safeParse(job.result);
  const final = checkResult.safeParse(job.result);
  const output = final.success ? final.data.output : live.success ? live.data.output : '';
  return (
    <div class="check-run" data-testid="check-run" data-status={job.status}>
      {running && (
        <p>
          <progress data-testid="check-progress" aria-label={t('checkRunning', Math.round((now - (job.startedAt ?? now)) / 1000))} /> {t('checkRunning', Math.round((now - (job.startedAt ?? now)) / 1000))}{' '}
          <button type="button" class="link" data-testid="check-stop" onClick={() => void sendCommand('repo.cancelCheck', { jobId })}>
            {t('checkStop')}
          </button>
        </p>
      )}
      {job.status === 'cancelled' && <p class="warn">{t('checkStopped')}</p>}
      {final.success && <CheckSummary result={final.data} />}
      {job.error && !final.success && <ErrorText error={job.error} />}
      <pre class="check-output" data-testid="check-output">
        {output}
      </pre>
    </div>
  );
}

function CheckSummary({ result }: { result: CheckJobResult }) {
  const passed = result.exitCode === 0 && !result.timedOut;
  return (
    <p class={passed ? 'ok' : 'error'} data-testid="check-summary">
      {t(result.timedOut ? 'checkTimedOut' : 'checkExit', String(result.exitCode ?? result.signal), (result.durationMs / 1000).toFixed(1))}
      {result.truncated ? ` · ${t('checkTruncated')}` : ''}
    </p>
  );
}
