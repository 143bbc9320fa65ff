/**
 * Bundles on the options page: export (everything, chosen threads, or history in a date range) to
 * the host's bundle folder, a folder the user allowed on the host, or a download; import a bundle
 * or another tool's export from one of those folders (listed by the host: the page never names a
 * path) or a picked file, with a preview before anything is written and a per-component report
 * after. Reads via liveQuery; acts via commands. A picked file
 * is staged in Cache Storage (not the database) so the background can read it in slices.
 */
import { useEffect, useState } from 'preact/hooks';
import { exportResult, importReport, type BundleFileRef, type BundlePreview, type ExportScope, type ImportReport } from '../../../shared/commands/bundles';
import type { Job } from '../../../shared/schemas/entities';
import { BUNDLE_CACHE, stagePickedFile } from '../../bundles/files';
import { sendCommand } from '../../commands/client';
import { formatBytes } from '../history/format';
import { useCommand, useLiveQuery } from '../hooks';
import { t } from '../i18n';

type ScopeKind = ExportScope['kind'];

/** The host's command that allows a folder (a command, not translated). */
const FOLDER_ADD_COMMAND = 'npx hydraflow-host folders add PATH';

function dayStart(value: string): number | null {
  return value ? Date.parse(`${value}T00:00:00`) : null;
}

/** A history range from two date fields, or what is wrong with them ("everything" is its own choice). */
export function historyRange(from: string, to: string): { from: number | null; to: number | null } | { error: string } {
  if (!from.trim() && !to.trim()) return { error: t('exportRangeEmpty') };
  const start = dayStart(from.trim());
  const endDay = dayStart(to.trim());
  if (Number.isNaN(start) || Number.isNaN(endDay)) return { error: t('exportRangeNotADate') };
  const end = endDay === null ? null : endDay + 86_399_999;
  if (start !== null && end !== null && start > end) return { error: t('exportRangeInverted') };
  return { from: start, to: end };
}

export function BundlesSection() {
  const [scopeKind, setScopeKind] = useState<ScopeKind>('all');
  const [threadIds, setThreadIds] = useState<string[]>([]);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [destination, setDestination] = useState<'host' | 'download'>('host');
  const [exportFolder, setExportFolder] = useState('bundles');
  const [file, setFile] = useState<BundleFileRef | null>(null);
  const [preview, setPreview] = useState<BundlePreview | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [files, reloadFiles] = useCommand('bundles.files', {});
  const threads = useLiveQuery((db) => db.threads.orderBy('updatedAt').reverse().limit(50).toArray(), []) ?? [];
  const jobs = useLiveQuery((db) => db.jobs.where('type').anyOf('bundle_export', 'bundle_import').reverse().sortBy('createdAt'), []) ?? [];
  // The host's file list follows finished exports.
  const exportsDone = jobs.filter((job) => job.type === 'bundle_export' && job.status === 'succeeded').length;
  useEffect(() => {
    if (exportsDone > 0) reloadFiles();
  }, [exportsDone]);

  const startExport = async () => {
    const range = scopeKind === 'history' ? historyRange(from, to) : null;
    if (range && 'error' in range) return setMessage(range.error);
    const scope: ExportScope = scopeKind === 'threads' ? { kind: 'threads', threadIds } : range ? { kind: 'history', ...range } : { kind: 'all' };
    const reply = await sendCommand('bundles.export', { scope, destination: destination === 'download' ? { kind: 'download' } : { kind: 'host', folderId: exportFolder } });
    setMessage(reply.ok ? null : reply.error.message);
  };

  const runPreview = async (ref: BundleFileRef) => {
    setFile(ref);
    setPreview(null);
    setMessage(null);
    setBusy(true);
    const reply = await sendCommand('bundles.preview', { file: ref });
    setBusy(false);
    setPreview(reply.ok ? reply.result : null);
    setMessage(reply.ok ? null : `${reply.error.code}: ${reply.error.message}`);
  };

  const pick = async (picked: File | undefined) => {
    if (!picked) return;
    const id = await stagePickedFile(picked);
    await runPreview({ kind: 'staged', id, name: picked.name });
  };

  const startImport = async () => {
    if (!file) return;
    const reply = await sendCommand('bundles.import', { file });
    setMessage(reply.ok ? null : reply.error.message);
    setPreview(null);
    setFile(null);
  };

  return (
    <section data-testid="bundles">
      <h2>{t('bundlesTitle')}</h2>
      <h3>{t('bundlesExportTitle')}</h3>
      <p>
        <label>
          <input type="radio" name="scope" checked={scopeKind === 'all'} onChange={() => setScopeKind('all')} data-testid="scope-all" /> {t('bundlesScopeAll')}
        </label>{' '}
        <label>
          <input type="radio" name="scope" checked={scopeKind === 'threads'} onChange={() => setScopeKind('threads')} data-testid="scope-threads" /> {t('bundlesScopeThreads')}
        </label>{' '}
        <label>
          <input type="radio" name="scope" checked={scopeKind === 'history'} onChange={() => setScopeKind('history')} data-testid="scope-history" /> {t('bundlesScopeHistoryFrom')}{' '}
          <input type="date" value={from} aria-label={t('exportRangeFrom')} data-testid="export-from" onInput={(e) => setFrom((e.target as HTMLInputElement).value)} /> {t('bundlesScopeHistoryTo')}{' '}
          <input type="date" value={to} aria-label={t('exportRangeTo')} data-testid="export-to" onInput={(e) => setTo((e.target as HTMLInputElement).value)} />
        </label>
      </p>
      {scopeKind === 'threads' && (
        <ul class="thread-choices">
          {threads.map((thread) => (
            <li key={thread.id}>
              <label>
                <input
                  type="checkbox"
                  checked={threadIds.includes(thread.id)}
                  onChange={(e) => setThreadIds((ids) => ((e.target as HTMLInputElement).checked ? [...ids, thread.id] : ids.filter((id) => id !== thread.id)))}
                />{' '}
                {thread.title}
              </label>
            </li>
          ))}
        </ul>
      )}
      <p>
        <label>
          <input type="radio" name="destination" checked={destination === 'host'} onChange={() => setDestination('host')} /> {t('bundlesToHost')}
        </label>{' '}
        {files.state === 'ready' && files.value.folders.length > 1 && (
          <>
            <select value={exportFolder} onChange={(e) => setExportFolder((e.target as HTMLSelectElement).value)} data-testid="export-folder">
              {files.value.folders.map((folder) => (
                <option key={folder.id} value={folder.id}>
                  {folder.isDefault ? t('bundlesHostFolder', folder.path) : folder.path}
                </option>
              ))}
            </select>{' '}
          </>
        )}
        <label>
          <input type="radio" name="destination" checked={destination === 'download'} onChange={() => setDestination('download')} data-testid="destination-download" /> {t('bundlesAsDownload')}
        </label>{' '}
        <button type="button" class="primary" data-testid="export-start" disabled={scopeKind === 'threads' && threadIds.length === 0} onClick={() => void startExport()}>
          {t('bundlesExportButton')}
        </button>
      </p>
      <h3>{t('bundlesImportTitle')}</h3>
      <p>
        {t('bundlesPickFile')} <input type="file" aria-label={t('bundlePickFileLabel')} data-testid="import-file" onChange={(e) => void pick((e.target as HTMLInputElement).files?.[0])} />{' '}
        {t('bundlesPickFileAfter')}
      </p>
      {files.state === 'ready' && (
        <div data-testid="bundle-files">
          {files.value.folders.map((folder) => (
            <div key={folder.id} data-testid="bundle-folder" data-folder-id={folder.id}>
              <p class="muted">
                {t('bundlesInFolder')} <code>{folder.path}</code>:
              </p>
              <ul>
                {files.value.files
                  .filter((f) => f.folderId === folder.id)
                  .slice(0, 50)
                  .map((f) => (
                    <li key={f.name} data-testid="bundle-file" data-name={f.name}>
                      {f.name} <span class="muted">{formatBytes(f.size)} · {new Date(f.modifiedAt).toLocaleString()}</span>{' '}
                      <button type="button" data-testid="bundle-file-preview" disabled={busy} onClick={() => void runPreview({ kind: 'host', folderId: folder.id, name: f.name })}>
                        {t('bundlesPreview')}
                      </button>
                    </li>
                  ))}
              </ul>
            </div>
          ))}
          <p class="muted">
            {t('bundlesFoldersHint')} <code>{FOLDER_ADD_COMMAND}</code>.{' '}
            <button type="button" class="link" data-testid="bundle-files-refresh" onClick={() => reloadFiles()}>
              {t('bundlesRefresh')}
            </button>
          </p>
        </div>
      )}
      {busy && <p class="muted">{t('bundlesChecking')}</p>}
      {message && (
        <p class="error" data-testid="bundle-message">
          {message}
        </p>
      )}
      {preview && (
        <div data-testid="bundle-preview">
          <p>
            {preview.format}
            {preview.schemaVersion !== null && ` v${preview.schemaVersion}`}
            {preview.createdAt !== null && ` · ${t('bundlesPreviewMade', new Date(preview.createdAt).toLocaleString())}`}
            {preview.appVersion && ` ${t('bundlesPreviewBy', preview.appVersion)}`}
          </p>
          <ReportTable report={preview.components} addedLabel={t('bundlesReportWouldAdd')} />
          <button type="button" class="primary" data-testid="import-start" onClick={() => void startImport()}>
            {t('bundlesImportButton')}
          </button>
        </div>
      )}
      <div data-testid="bundle-jobs">
        {jobs.slice(0, 6).map((job) => (
          <BundleJobRow key={job.id} job={job} />
        ))}
      </div>
    </section>
  );
}

function ReportTable({ report, addedLabel }: { report: ImportReport; addedLabel: string }) {
  return (
    <table data-testid="bundle-report">
      <thead>
        <tr>
          <th>{t('bundlesReportComponent')}</th>
          <th>{t('bundlesReportRows')}</th>
          <th>{addedLabel}</th>
          <th>{t('bundlesReportPresent')}</th>
          <th>{t('bundlesReportInvalid')}</th>
        </tr>
      </thead>
      <tbody>
        {Object.entries(report).map(([component, counts]) => (
          <tr key={component} data-component={component}>
            <td>{component}</td>
            <td data-count="rows">{counts.rows}</td>
            <td data-count="added">{counts.added}</td>
            <td data-count="present">{counts.present}</td>
            <td data-count="invalid">{counts.invalid}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

async function saveDownload(cacheKey: string, fileName: string): Promise<void> {
  const response = await (await caches.open(BUNDLE_CACHE)).match(cacheKey);
  if (!response) return;
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

function BundleJobRow({ job }: { job: Job }) {
  const active = job.status === 'running' || job.status === 'queued';
  const exported = job.type === 'bundle_export' && job.status === 'succeeded' ? exportResult.safeParse(job.result) : null;
  const report = job.type === 'bundle_import' && job.status === 'succeeded' ? importReport.safeParse(job.result) : null;
  return (
    <div class="import-job" data-testid="bundle-job" data-type={job.type} data-status={job.status} data-job-id={job.id}>
      <p>
        <strong>{job.type === 'bundle_export' ? t('bundlesJobExport') : t('bundlesJobImport')}</strong> {job.status} · {new Date(job.createdAt).toLocaleString()}
        {active && (
          <>
            {' '}
            <button type="button" onClick={() => void sendCommand('bundles.cancel', { jobId: job.id })}>
              {t('bundlesCancel')}
            </button>
          </>
        )}
      </p>
      {active && <progress max={job.progress.total ?? 1} value={job.progress.total === null ? undefined : Math.min(job.progress.done, job.progress.total)} />}
      {exported?.success && (
        <p data-testid="export-result">
          {t('bundlesBytes', exported.data.bytes.toLocaleString())} ·{' '}
          {exported.data.path ? (
            <code data-testid="export-path-result">{exported.data.path}</code>
          ) : (
            <button type="button" data-testid="export-save" onClick={() => void saveDownload(exported.data.cacheKey!, exported.data.fileName)}>
              {t('bundlesSaveFile', exported.data.fileName)}
            </button>
          )}
        </p>
      )}
      {report?.success && <ReportTable report={report.data} addedLabel={t('bundlesReportAdded')} />}
      {job.error && (
        <p class="error" data-testid="job-error" data-code={job.error.code}>
          {job.error.code}: {job.error.message}
        </p>
      )}
    </div>
  );
}
