/**
 * The options page's Search section: the search box with every filter shown, the index's health
 * (`search.status`) and its maintenance jobs (rebuild, verify with repair, compact) with live
 * progress from the jobs ledger.
 */
import { useEffect, useState } from 'preact/hooks';
import type { CommandName } from '../../../shared/commands';
import type { IndexStatus } from '../../../shared/commands/search';
import { SEARCH_KINDS } from '../../../shared/search/kinds';
import { sendCommand } from '../../commands/client';
import { formatBytes } from '../history/format';
import { useCommand, useLiveQuery, useReloadOn, useSearchStatusTick } from '../hooks';
import { KIND_LABELS } from './model';
import type { AppError } from '../../../shared/errors';
import { ErrorText } from '../components/ErrorText';
import { t, type MessageKey } from '../i18n';
import { JOB_TITLES, jobProgress, jobResult, statusWord } from '../jobs/describe';
import { SEARCHED_EVENT, SearchBox } from './SearchBox';

type IndexJobCommand = Extract<CommandName, 'search.rebuild' | 'search.verify' | 'search.compact'>;

const ACTIONS: { command: IndexJobCommand; label: MessageKey; testId: string; why: MessageKey }[] = [
  { command: 'search.rebuild', label: 'indexRebuild', testId: 'index-rebuild', why: 'indexRebuildWhy' },
  { command: 'search.verify', label: 'indexVerify', testId: 'index-verify', why: 'indexVerifyWhy' },
  { command: 'search.compact', label: 'indexCompact', testId: 'index-compact', why: 'indexCompactWhy' },
];

export function SearchSection({ initialQuery = '' }: { initialQuery?: string }) {
  return (
    <>
      <div id="search" data-testid="search-section">
        <SearchBox idPrefix="options-search" filtersOpen initialQuery={initialQuery} autoFocus={initialQuery !== ''} />
      </div>
      <IndexSection />
    </>
  );
}

function IndexSection() {
  const [status, reload] = useCommand('search.status', {});
  // Live: the figures follow the index, its journal and the embeddings as they change anywhere,
  // and a search run on this page (which loads the index).
  useReloadOn(useSearchStatusTick(), reload);
  useEffect(() => {
    const onSearched = () => reload();
    window.addEventListener(SEARCHED_EVENT, onSearched);
    return () => window.removeEventListener(SEARCHED_EVENT, onSearched);
  }, []);
  const [jobId, setJobId] = useState<string | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const start = async (command: IndexJobCommand) => {
    const reply = command === 'search.verify' ? await sendCommand(command, { repair: true }) : await sendCommand(command, {});
    if (reply.ok) {
      setJobId(reply.result.jobId);
      setError(null);
    } else setError(reply.error);
  };
  return (
    <section data-testid="search-index">
      <h2>{t('indexTitle')}</h2>
      {status.state === 'loading' && <p class="muted">{t('indexReading')}</p>}
      {status.state === 'failed' && <ErrorText error={status.error} testId="search-index-error" />}
      {status.state === 'ready' && <IndexFigures status={status.value} />}
      <div class="toolbar">
        {ACTIONS.map((action) => (
          <button key={action.command} type="button" title={t(action.why)} data-testid={action.testId} onClick={() => void start(action.command)}>
            {t(action.label)}
          </button>
        ))}
      </div>
      {error && <ErrorText error={error} testId="search-index-action-error" />}
      {jobId && <IndexJob jobId={jobId} onDone={() => reload()} />}
    </section>
  );
}

function IndexFigures({ status }: { status: IndexStatus }) {
  const total = SEARCH_KINDS.reduce((sum, kind) => sum + (status.docs[kind] ?? 0), 0);
  return (
    <table class="figures" data-testid="search-index-status">
      <tbody>
        <tr>
          <th scope="row">{t('indexDocuments')}</th>
          <td>
            {total.toLocaleString()} ({SEARCH_KINDS.map((kind) => `${t(KIND_LABELS[kind]).toLowerCase()} ${(status.docs[kind] ?? 0).toLocaleString()}`).join(', ')})
          </td>
        </tr>
        <tr>
          <th scope="row">{t('indexSegments')}</th>
          <td>
            {status.segments.toLocaleString()} · {formatBytes(status.bytes)}
          </td>
        </tr>
        <tr>
          <th scope="row">{t('indexState')}</th>
          <td data-testid="search-index-state">
            {status.loaded ? t('indexLoaded') : t('indexNotLoaded')} · {status.pending > 0 ? t('indexPending', status.pending.toLocaleString()) : t('indexUpToDate')} · {t('indexEngine', status.version)}
          </td>
        </tr>
        <tr>
          <th scope="row">{t('indexEmbeddings')}</th>
          <td>
            {status.embeddings.configured
              ? status.embeddings.dims
                ? t('embeddingsStateDims', status.embeddings.vectors.toLocaleString(), status.embeddings.dims, status.embeddings.model ?? '?')
                : t('embeddingsState', status.embeddings.vectors.toLocaleString(), status.embeddings.model ?? '?')
              : t('indexEmbeddingsOff')}
          </td>
        </tr>
      </tbody>
    </table>
  );
}

function IndexJob({ jobId, onDone }: { jobId: string; onDone: () => void }) {
  const job = useLiveQuery((db) => db.jobs.get(jobId), [jobId]);
  const active = job?.status === 'queued' || job?.status === 'running';
  // The figures above change when a job ends: read them again once.
  useEffect(() => {
    if (job && !active) onDone();
  }, [job?.status]);
  if (!job) return <p class="muted">{t('indexJobQueued')}</p>;
  const progress = jobProgress(job);
  const result = jobResult(job);
  return (
    <div class="import-job" data-testid="search-index-job" data-job-id={job.id} data-status={job.status}>
      <p>
        <strong>{t(JOB_TITLES[job.type])}</strong> · <span data-testid="job-status">{statusWord(job.status)}</span>
        {progress && ` · ${progress}`}
      </p>
      {active && (job.progress.total ? <progress max={job.progress.total} value={job.progress.done} aria-label={t('jobProgressLabel', t(JOB_TITLES[job.type]))} /> : <progress aria-label={t('jobProgressLabel', t(JOB_TITLES[job.type]))} />)}
      {active && (
        <button type="button" data-testid="search-index-job-cancel" onClick={() => void sendCommand('jobs.cancel', { jobId: job.id })}>
          {t('cancel')}
        </button>
      )}
      {result && <p data-testid="search-index-job-result">{result}</p>}
      {job.error && <ErrorText error={job.error} />}
    </div>
  );
}
