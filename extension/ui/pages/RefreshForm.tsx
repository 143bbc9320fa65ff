/** The focused refresh form (this thread's pages, a topic query, or domains) and its live job. */
import { useState } from 'preact/hooks';
import type { RefreshResult } from '../../refresh/runner';
import { sendCommand } from '../../commands/client';
import { useLiveQuery } from '../hooks';
import { t } from '../i18n';
import { ErrorText } from '../components/ErrorText';
import { jobProgress, statusWord } from '../jobs/describe';

type Kind = 'thread' | 'query' | 'domains';

export function RefreshForm({ threadId }: { threadId: string }) {
  const [kind, setKind] = useState<Kind>('thread');
  const [text, setText] = useState('');
  const [depth, setDepth] = useState(0);
  const [pageCap, setPageCap] = useState(50);
  const [jobId, setJobId] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const submit = async () => {
    const scope =
      kind === 'thread'
        ? { kind, threadId }
        : kind === 'query'
          ? { kind, query: text }
          : { kind, domains: text.split(/[\s,]+/).filter(Boolean) };
    const reply = await sendCommand('refresh.start', { scope, depth, pageCap, threadId });
    if (!reply.ok) return setError(`${reply.error.code}: ${reply.error.message}`);
    setError(null);
    setJobId(reply.result.jobId);
    setNote(reply.result.deduplicated ? 'The same refresh is already running: showing it.' : null);
  };
  return (
    <form
      class="refresh form-grid"
      data-testid="refresh-form"
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <h3>{t('refreshTitle')}</h3>
      <label>
        {t('refreshPages')}{' '}
        <select data-testid="refresh-kind" value={kind} onChange={(e) => setKind(e.currentTarget.value as Kind)}>
          <option value="thread">{t('refreshOfThread')}</option>
          <option value="query">{t('refreshMatching')}</option>
          <option value="domains">{t('refreshOnDomains')}</option>
        </select>
      </label>
      {kind !== 'thread' && (
        <input data-testid="refresh-text" aria-label={kind === 'query' ? t('refreshQueryLabel') : t('refreshDomainsLabel')} placeholder={kind === 'query' ? t('refreshQueryPlaceholder') : t('refreshDomainsPlaceholder')} value={text} onInput={(e) => setText(e.currentTarget.value)} required maxLength={2000} />
      )}
      <label>
        {t('refreshFollow')}{' '}
        <select data-testid="refresh-depth" value={String(depth)} onChange={(e) => setDepth(Number(e.currentTarget.value))}>
          <option value="0">{t('refreshFollowNo')}</option>
          <option value="1">{t('refreshFollowOne')}</option>
          <option value="2">{t('refreshFollowTwo')}</option>
        </select>
      </label>
      <label>
        {t('refreshAtMost')} <input type="number" data-testid="refresh-cap" min={1} max={500} value={pageCap} onInput={(e) => setPageCap(Number(e.currentTarget.value) || 1)} /> {t('refreshPagesUnit')}
      </label>
      <button type="submit" data-testid="refresh-start">
        {t('refreshStart')}
      </button>
      {note && <p class="muted">{note}</p>}
      {error && (
        <p class="error" data-testid="refresh-error">
          {error}
        </p>
      )}
      {jobId && <RefreshJob jobId={jobId} />}
    </form>
  );
}

function RefreshJob({ jobId }: { jobId: string }) {
  const job = useLiveQuery((db) => db.jobs.get(jobId), [jobId]);
  if (!job) return null;
  const result = job.result as RefreshResult | null;
  const active = job.status === 'queued' || job.status === 'running';
  return (
    <div class="refresh-job" data-testid="refresh-job" data-status={job.status}>
      <p>
        {statusWord(job.status)}
        {jobProgress(job) && ` · ${jobProgress(job)}`}
        {result && (
          <span data-testid="refresh-counts">
            {' '}
            · {t('refreshCounts', result.fetched, result.changed, result.added, result.unchanged, result.failed, result.skipped)}
          </span>
        )}{' '}
        {active && (
          <button type="button" class="link" data-testid="refresh-cancel" onClick={() => void sendCommand('jobs.cancel', { jobId })}>
            {t('cancel')}
          </button>
        )}
      </p>
      {job.error && <ErrorText error={job.error} />}
      {result && result.pages.some((p) => p.error) && (
        <ul class="refresh-failures">
          {result.pages
            .filter((p) => p.error)
            .map((p) => (
              <li key={p.url}>
                {p.url}: {p.error!.message}
              </li>
            ))}
        </ul>
      )}
    </div>
  );
}
