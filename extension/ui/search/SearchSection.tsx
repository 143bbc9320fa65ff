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
import { SEARCHED_EVENT, SearchBox } from './SearchBox';

type IndexJobCommand = Extract<CommandName, 'search.rebuild' | 'search.verify' | 'search.compact'>;

const ACTIONS: { command: IndexJobCommand; label: string; testId: string; why: string }[] = [
  { command: 'search.rebuild', label: 'Rebuild', testId: 'index-rebuild', why: 'Index everything again from the stores.' },
  { command: 'search.verify', label: 'Verify', testId: 'index-verify', why: 'Compare the index with the stores and repair what differs.' },
  { command: 'search.compact', label: 'Compact', testId: 'index-compact', why: 'Rewrite segments without removed entries.' },
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
  const [error, setError] = useState<string | null>(null);
  const start = async (command: IndexJobCommand) => {
    const reply = command === 'search.verify' ? await sendCommand(command, { repair: true }) : await sendCommand(command, {});
    if (reply.ok) {
      setJobId(reply.result.jobId);
      setError(null);
    } else setError(`${reply.error.code}: ${reply.error.message}`);
  };
  return (
    <section data-testid="search-index">
      <h2>Search index</h2>
      {status.state === 'loading' && <p class="muted">Reading index status…</p>}
      {status.state === 'failed' && (
        <p class="error" data-testid="search-index-error" data-code={status.error.code}>
          {status.error.message}
        </p>
      )}
      {status.state === 'ready' && <IndexFigures status={status.value} />}
      <div class="toolbar">
        {ACTIONS.map((action) => (
          <button key={action.command} type="button" title={action.why} data-testid={action.testId} onClick={() => void start(action.command)}>
            {action.label}
          </button>
        ))}
        <button type="button" class="link" onClick={() => reload()}>
          Refresh
        </button>
      </div>
      {error && (
        <p class="error" data-testid="search-index-action-error">
          {error}
        </p>
      )}
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
          <th>Documents</th>
          <td>
            {total.toLocaleString()} ({SEARCH_KINDS.map((kind) => `${KIND_LABELS[kind].toLowerCase()} ${(status.docs[kind] ?? 0).toLocaleString()}`).join(', ')})
          </td>
        </tr>
        <tr>
          <th>Segments</th>
          <td>
            {status.segments.toLocaleString()} · {formatBytes(status.bytes)}
          </td>
        </tr>
        <tr>
          <th>State</th>
          <td data-testid="search-index-state">
            {status.loaded ? 'loaded' : 'not loaded yet'}
            {status.pending > 0 ? ` · ${status.pending.toLocaleString()} writes pending` : ' · up to date'} · engine {status.version}
          </td>
        </tr>
        <tr>
          <th>Embeddings</th>
          <td>{status.embeddings.configured ? `${status.embeddings.model ?? '?'} · ${status.embeddings.vectors.toLocaleString()} vectors${status.embeddings.dims ? ` × ${status.embeddings.dims}` : ''}` : 'not configured (full-text only)'}</td>
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
  if (!job) return <p class="muted">Job {jobId} queued…</p>;
  return (
    <div class="import-job" data-testid="search-index-job" data-job-id={job.id} data-status={job.status}>
      <div>
        <strong>{job.type.replace(/_/g, ' ')}</strong> · <span data-testid="job-status">{job.status}</span> · job <code>{job.id}</code>
        {job.progress.total ? ` · ${job.progress.done.toLocaleString()} / ${job.progress.total.toLocaleString()}` : job.progress.done ? ` · ${job.progress.done.toLocaleString()}` : ''}
        {job.error && <span class="error"> · {job.error.code}: {job.error.message}</span>}
      </div>
      {active && (job.progress.total ? <progress max={job.progress.total} value={job.progress.done} /> : <progress />)}
      {active && (
        <button type="button" data-testid="search-index-job-cancel" onClick={() => void sendCommand('jobs.cancel', { jobId: job.id })}>
          Cancel
        </button>
      )}
      {!active && job.result !== null && <pre class="check-output">{JSON.stringify(job.result, null, 2).slice(0, 2000)}</pre>}
    </div>
  );
}
