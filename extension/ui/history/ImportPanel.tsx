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
import { stagePickedFile } from '../../bundles';
import { sendCommand } from '../../commands/client';
import { useCommand, useLiveQuery } from '../hooks';
import { t } from '../i18n';
import { formatBytes, formatDuration } from './format';

// File names are shown as they are on disk, not translated.
const TAKEOUT_FILE = 'BrowserHistory.json';
const CHROMIUM_HISTORY_FILE = 'History';
const FIREFOX_HISTORY_FILE = 'places.sqlite';

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
    const id = await stagePickedFile(file);
    const reply = await sendCommand('history.importTakeout', { fileName: file.name, stagedId: id });
    setMessage(reply.ok ? null : reply.error.message);
  };
  // A History or places.sqlite picked here is read by the browser and handed to the host as bytes
  // (the host never takes a path from the page); a Takeout JSON is streamed by the background.
  const importFile = async (file: File | undefined) => {
    if (!file) return;
    const head = new TextDecoder().decode(await file.slice(0, 16).arrayBuffer());
    if (!head.startsWith('SQLite format 3')) return importTakeout(file);
    const id = await stagePickedFile(file);
    setMessage(t('importHandingFile'));
    const reply = await sendCommand('history.importFile', { stagedId: id, name: file.name });
    setMessage(reply.ok ? null : reply.error.message);
  };

  return (
    <section data-testid="history-import">
      <h2>{t('importTitle')}</h2>
      {profiles.state === 'loading' && <p class="muted">{t('importLookingForProfiles')}</p>}
      {profiles.state === 'failed' && (
        <p class="warn" data-testid="profiles-error">
          {t('importProfilesNeedHost', profiles.error.message)}
        </p>
      )}
      {profiles.state === 'ready' && profiles.value.profiles.length === 0 && <p class="muted">{t('importNoProfiles')}</p>}
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
                    {t('importProfileButton')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p>
        <label>
          <input type="checkbox" checked={full} onChange={(event) => setFull((event.target as HTMLInputElement).checked)} /> {t('importFullLabel')}
        </label>{' '}
        <button type="button" class="link" onClick={() => reload()}>
          {t('importRefresh')}
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
        {t('importTakeoutDropBefore')} <code>{TAKEOUT_FILE}</code> {t('importTakeoutDropAfter')}{' '}
         <input type="file" accept=".json,application/json" aria-label={t('importTakeoutFileLabel')} data-testid="takeout-file" onChange={(event) => void importTakeout((event.target as HTMLInputElement).files?.[0])} />
      </div>
      <p>
        {t('importPickFileBefore')} <code>{CHROMIUM_HISTORY_FILE}</code> {t('importPickFileOr')} <code>{FIREFOX_HISTORY_FILE}</code>
        {t('importPickFileAfter')}{' '}
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
              {t('importCancel')}
            </button>
          </>
        )}
      </p>
      <progress max={total ?? 1} value={total === null ? undefined : Math.min(done, total)} />
      <p class="muted">
        {done.toLocaleString()} / {total === null ? '?' : total.toLocaleString()}
        {rate !== null && active && ` · ${t('importRate', Math.round(rate).toLocaleString())}`}
        {eta && ` · ${t('importEta', eta)}`}
      </p>
      {counts.success && (
        <p data-testid="import-counts">
          {t('importCountRead')} <span data-testid="count-read">{counts.data.read}</span> · {t('importCountAdded')} <span data-testid="count-added">{counts.data.added}</span> ·{' '}
          {t('importCountDuplicates')} <span data-testid="count-duplicates">{counts.data.duplicates}</span> · {t('importCountInvalid')}{' '}
          <span data-testid="count-invalid">{counts.data.invalid}</span>
          {counts.data.deleted !== undefined && (
            <>
              {' '}
              · {t('importCountDeleted')} <span data-testid="count-deleted">{counts.data.deleted}</span>
            </>
          )}
        </p>
      )}
      {job.error && <p class="error">{job.error.message}</p>}
    </div>
  );
}
