/**
 * The Import section: browser profiles found by the native host (size, last modified), a Takeout
 * BrowserHistory.json drop (parsed by the background, no host needed), a picked History or
 * places.sqlite file (read by the browser, handed to the host as bytes) and the import jobs with
 * live progress, rate, ETA, honest counts and cancel. Reads via liveQuery; acts via commands.
 */
import { useState } from 'preact/hooks';
import { importCounts } from '../../../shared/commands/history';
import type { HistoryProfileInfo } from '../../../shared/protocol/history';
import type { Job } from '../../../shared/schemas/entities';
import { BUNDLE_CACHE, stagedKey } from '../../bundles';
import { sendCommand } from '../../commands/client';
import { useCommand, useLiveQuery } from '../hooks';
import { t } from '../i18n';
import { formatBytes, formatDuration } from './format';

export function ImportPanel() {
  const [profiles, reload] = useCommand('history.profiles', {});
  const [full, setFull] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const jobs = useLiveQuery((db) => db.jobs.where('type').equals('history_import').reverse().sortBy('createdAt'), []) ?? [];

  const start = async (profile: HistoryProfileInfo) => {
    const reply = await sendCommand('history.import', { profileId: profile.id, full });
    setMessage(reply.ok ? null : reply.error.message);
  };
  const importTakeout = async (file: File | undefined) => {
    if (!file) return;
    // Staged, not sent as text: the worker reads it as a stream (a Takeout file can be hundreds of MB).
    const id = crypto.randomUUID();
    await (await caches.open(BUNDLE_CACHE)).put(stagedKey(id), new Response(file));
    const reply = await sendCommand('history.importTakeout', { fileName: file.name, stagedId: id });
    setMessage(reply.ok ? null : reply.error.message);
  };
  // A History or places.sqlite picked here is read by the browser and handed to the host as bytes
  // (the host never takes a path from the page); a Takeout JSON is streamed by the background.
  const importFile = async (file: File | undefined) => {
    if (!file) return;
    const head = new TextDecoder().decode(await file.slice(0, 16).arrayBuffer());
    if (!head.startsWith('SQLite format 3')) return importTakeout(file);
    const id = crypto.randomUUID();
    await (await caches.open(BUNDLE_CACHE)).put(stagedKey(id), new Response(file));
    setMessage('Handing the file to the native host…');
    const reply = await sendCommand('history.importFile', { stagedId: id, name: file.name });
    setMessage(reply.ok ? null : reply.error.message);
  };

  return (
    <section data-testid="history-import">
      <h2>Import history</h2>
      {profiles.state === 'loading' && <p class="muted">Looking for browser profiles…</p>}
      {profiles.state === 'failed' && (
        <p class="warn" data-testid="profiles-error">
          Browser profiles need the native host: {profiles.error.message}
        </p>
      )}
      {profiles.state === 'ready' && profiles.value.profiles.length === 0 && <p class="muted">No browser profiles with history found on this machine.</p>}
      {profiles.state === 'ready' && profiles.value.profiles.length > 0 && (
        <table class="profiles">
          <tbody>
            {profiles.value.profiles.map((profile) => (
              <tr key={profile.id} data-testid="history-profile" data-profile-id={profile.id}>
                <td>{profile.browser}</td>
                <td>{profile.name}</td>
                <td class="muted">{formatBytes(profile.historySize)}</td>
                <td class="muted">{new Date(profile.modifiedAt).toLocaleString()}</td>
                <td>
                  <button type="button" class="primary" data-testid="import-profile" onClick={() => void start(profile)}>
                    Import
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p>
        <label>
          <input type="checkbox" checked={full} onChange={(event) => setFull((event.target as HTMLInputElement).checked)} /> Re-read everything (full import;
          duplicates are still skipped)
        </label>{' '}
        <button type="button" class="link" onClick={() => reload()}>
          Refresh
        </button>
      </p>
      <div
        class="dropzone"
        data-testid="takeout-drop"
        onDragOver={(event) => event.preventDefault()}
        onDrop={(event) => {
          event.preventDefault();
          void importTakeout(event.dataTransfer?.files[0]);
        }}
      >
        Drop a Google Takeout <code>BrowserHistory.json</code> here, or{' '}
         <input type="file" accept=".json,application/json" aria-label={t('importTakeoutFileLabel')} data-testid="takeout-file" onChange={(event) => void importTakeout((event.target as HTMLInputElement).files?.[0])} />
      </div>
      <p>
        Or pick a browser's history file (a Chromium <code>History</code> or a Firefox <code>places.sqlite</code>, e.g. copied from another machine):{' '}
        <input type="file" aria-label={t('importHistoryFileLabel')} data-testid="history-file" onChange={(event) => void importFile((event.target as HTMLInputElement).files?.[0])} />
      </p>
      {message && <p class="error">{message}</p>}
      <div data-testid="import-jobs">
        {jobs.slice(0, 5).map((job) => (
          <ImportJobRow key={job.id} job={job} />
        ))}
      </div>
    </section>
  );
}

function ImportJobRow({ job }: { job: Job }) {
  const counts = importCounts.safeParse(job.status === 'succeeded' ? job.result : job.cursor);
  const { done, total, rate } = job.progress;
  const active = job.status === 'running' || job.status === 'queued';
  const eta = active && rate && total !== null ? formatDuration((total - done) / rate) : null;
  return (
    <div class="import-job" data-testid="import-job" data-status={job.status} data-job-id={job.id}>
      <p>
        <strong data-testid="job-status">{job.status}</strong> · {new Date(job.createdAt).toLocaleString()}
        {active && (
          <>
            {' '}
            <button type="button" data-testid="cancel-import" onClick={() => void sendCommand('history.cancelImport', { jobId: job.id })}>
              Cancel
            </button>
          </>
        )}
      </p>
      <progress max={total ?? 1} value={total === null ? undefined : Math.min(done, total)} />
      <p class="muted">
        {done.toLocaleString()} / {total === null ? '?' : total.toLocaleString()}
        {rate !== null && active && ` · ${Math.round(rate).toLocaleString()} visits/s`}
        {eta && ` · about ${eta} left`}
      </p>
      {counts.success && (
        <p data-testid="import-counts">
          read <span data-testid="count-read">{counts.data.read}</span> · added <span data-testid="count-added">{counts.data.added}</span> · duplicates{' '}
          <span data-testid="count-duplicates">{counts.data.duplicates}</span> · invalid <span data-testid="count-invalid">{counts.data.invalid}</span>
        </p>
      )}
      {job.error && <p class="error">{job.error.message}</p>}
    </div>
  );
}
