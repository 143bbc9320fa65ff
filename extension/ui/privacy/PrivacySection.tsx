/**
 * Privacy: what leaves the machine, delete history (range, domain, URL, everything) — the filter
 * is checked and what it matches is counted before a dialog asks to confirm — with a per-store
 * report, automatic clean-up rules, and wipe everything (its dialog counts what it deletes).
 */
import { useState } from 'preact/hooks';
import type { CommandResult } from '../../../shared/commands';
import type { HistoryFilter, RetentionSettings } from '../../../shared/commands/privacy';
import { WIPE_CONFIRMATION } from '../../../shared/commands/privacy';
import type { AppError } from '../../../shared/errors';
import { sendCommand } from '../../commands/client';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { ErrorText } from '../components/ErrorText';
import { formatDate } from '../format';
import { useCommand } from '../hooks';
import { plural, t, type MessageKey } from '../i18n';

export function PrivacySection() {
  return (
    <section data-testid="privacy">
      <h2>{t('privacyTitle')}</h2>
      <p data-testid="privacy-statement">{t('privacyStatement')}</p>
      <DeleteHistoryForm />
      <RetentionForm />
      <WipeForm />
    </section>
  );
}

/** The filter in words: "ample.com and its subdomains, from 5 Dec 2026, 10:00". */
function describeFilter(f: HistoryFilter): string {
  if (f.everything) return t('deleteWhatEverything');
  const parts = [
    f.domain && (f.includeSubdomains ? t('deleteWhatDomainAndSubdomains', f.domain) : t('deleteWhatDomain', f.domain)),
    f.url && t('deleteWhatUrl', f.url),
    f.from !== undefined && t('deleteWhatFrom', formatDate(f.from)),
    f.to !== undefined && t('deleteWhatUntil', formatDate(f.to)),
  ];
  return parts.filter(Boolean).join(', ');
}

type Counts = CommandResult<'privacy.countHistory'>;

function countsSentence(counts: Counts): string {
  return [plural(counts.visits, 'countVisits_one', 'countVisits_other'), plural(counts.pages, 'countPages_one', 'countPages_other'), plural(counts.tabSnapshots, 'countTabSnapshots_one', 'countTabSnapshots_other')].join(', ');
}

/** A date-time field's value as ms; null when empty; NaN when it is not a date. */
function dateField(value: string): number | null {
  if (!value.trim()) return null;
  return new Date(value.trim()).getTime();
}

function DeleteHistoryForm() {
  const [pending, setPending] = useState<{ filter: HistoryFilter; counts: Counts } | null>(null);
  const [report, setReport] = useState<CommandResult<'privacy.deleteHistory'> | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [nothing, setNothing] = useState<string | null>(null);
  const check = async (filter: HistoryFilter) => {
    const counted = await sendCommand('privacy.countHistory', filter);
    if (!counted.ok) return setError(counted.error);
    const { visits, pages, tabSnapshots } = counted.result;
    if (visits + pages + tabSnapshots === 0) return setNothing(t('deleteNothingMatches', describeFilter(filter)));
    setPending({ filter, counts: counted.result });
  };
  const confirm = async () => {
    if (!pending) return;
    const reply = await sendCommand('privacy.deleteHistory', pending.filter);
    setPending(null);
    if (reply.ok) setReport(reply.result);
    else setError(reply.error);
  };
  return (
    <form
      data-testid="delete-history"
      onSubmit={(event) => {
        event.preventDefault();
        const form = new FormData(event.currentTarget);
        const text = (name: string) => String(form.get(name) ?? '').trim();
        setReport(null);
        setError(null);
        setNothing(null);
        const filter: HistoryFilter = {};
        if (text('domain')) filter.domain = text('domain');
        if (form.get('subdomains') === 'on') filter.includeSubdomains = true;
        if (text('url')) filter.url = text('url');
        const from = dateField(text('from'));
        const to = dateField(text('to'));
        if (Number.isNaN(from) || Number.isNaN(to)) return setError({ code: 'FILTER_INVALID', message: t('deleteBadDate') });
        if (from !== null) filter.from = from;
        if (to !== null) filter.to = to;
        if (form.get('everything') === 'on') filter.everything = true;
        void check(filter);
      }}
    >
      <h3>{t('deleteTitle')}</h3>
      <p class="hint">{t('deleteHint')}</p>
      <div class="form-grid">
        <label>
          {t('deleteDomain')} <input name="domain" placeholder={t('blocklistDomainExample')} data-testid="delete-domain" />
        </label>
        <div class="form-grid-check">
          <label>
            <input type="checkbox" name="subdomains" data-testid="delete-subdomains" /> {t('deleteSubdomains')}
          </label>
        </div>
        <label>
          {t('deleteUrl')} <input name="url" type="url" data-testid="delete-url" />
        </label>
        <label>
          {t('deleteFrom')} <input type="datetime-local" name="from" data-testid="delete-from" />
        </label>
        <label>
          {t('deleteUntil')} <input type="datetime-local" name="to" data-testid="delete-to" />
        </label>
      </div>
      <div class="form-row">
        <label>
          <input type="checkbox" name="everything" data-testid="delete-everything" /> {t('deleteEverything')}
        </label>
        <button type="submit" data-testid="delete-history-submit">
          {t('deleteSubmit')}
        </button>
      </div>
      {pending && (
        <ConfirmDialog title={t('deleteConfirmTitle')} confirmLabel={t('deleteConfirmYes')} testId="delete-confirm" onConfirm={() => void confirm()} onCancel={() => setPending(null)}>
          <p data-testid="delete-confirm-text">{t('deleteConfirmText', countsSentence(pending.counts), describeFilter(pending.filter))}</p>
          <p class="hint">{t('deleteConfirmAlso')}</p>
        </ConfirmDialog>
      )}
      {nothing && (
        <p class="muted" role="status" data-testid="delete-nothing">
          {nothing}
        </p>
      )}
      {report && (
        <p role="status" data-testid="delete-report">
          {t(
            'deleteReport',
            plural(report.deleted.visits, 'countVisits_one', 'countVisits_other'),
            plural(report.deleted.pages, 'countPages_one', 'countPages_other'),
            plural(report.deleted.tabSnapshots, 'countTabSnapshots_one', 'countTabSnapshots_other'),
            plural(report.deleted.memories, 'countMemories_one', 'countMemories_other'),
            plural(report.deleted.tabsCleared, 'countTabs_one', 'countTabs_other'),
            plural(report.deleted.threadsUnlinked, 'countThreads_one', 'countThreads_other'),
          )}
        </p>
      )}
      {error && <ErrorText error={error} testId="delete-error" />}
    </form>
  );
}

const RETENTION_FIELDS: [keyof RetentionSettings, MessageKey, MessageKey][] = [
  ['jobsOlderThanDays', 'retentionJobs', 'retentionJobsUnit'],
  ['pageVersionsPerPage', 'retentionVersions', 'retentionVersionsUnit'],
  ['hostLogMiB', 'retentionLogs', 'retentionMiB'],
  ['hostPreimageMiB', 'retentionPreimages', 'retentionPreimagesUnit'],
];

function RetentionForm() {
  const [loaded, reload] = useCommand('privacy.getRetention', {});
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  if (loaded.state !== 'ready') return null;
  const { settings, lastRun } = loaded.value;
  return (
    <form
      data-testid="retention"
      onSubmit={(event) => {
        event.preventDefault();
        const form = new FormData(event.currentTarget);
        const value = (name: string) => (String(form.get(name) ?? '').trim() === '' ? null : Number(form.get(name)));
        const next: RetentionSettings = { jobsOlderThanDays: value('jobsOlderThanDays'), pageVersionsPerPage: value('pageVersionsPerPage'), hostLogMiB: value('hostLogMiB'), hostPreimageMiB: value('hostPreimageMiB') };
        void sendCommand('privacy.setRetention', { settings: next }).then((reply) => {
          setError(reply.ok ? null : reply.error);
          setMessage(reply.ok ? t('retentionSaved') : null);
          reload();
        });
      }}
    >
      <h3>{t('retentionTitle')}</h3>
      <p class="hint">{t('retentionHint')}</p>
      <div class="form-grid">
        {RETENTION_FIELDS.map(([name, label, unit]) => (
          <label key={name}>
            {t(label)}
            <span class="form-row">
              <input type="number" min={1} name={name} defaultValue={settings[name] === null ? '' : String(settings[name])} placeholder={t('retentionOff')} style={{ width: '7em' }} data-testid={`retention-${name}`} /> {t(unit)}
            </span>
          </label>
        ))}
      </div>
      <div class="form-row">
        <button type="submit">{t('save')}</button>
        <button
          type="button"
          data-testid="retention-run"
          onClick={() =>
            void sendCommand('privacy.runRetention', {}).then((reply) => {
              setError(reply.ok ? null : reply.error);
              setMessage(reply.ok ? t('retentionRan', plural(reply.result.report.jobsRemoved, 'countJobs_one', 'countJobs_other'), plural(reply.result.report.pageVersionsRemoved, 'countPageVersions_one', 'countPageVersions_other')) : null);
              reload();
            })
          }
        >
          {t('retentionRunNow')}
        </button>
      </div>
      <p class="hint" data-testid="retention-last-run">
        {lastRun
          ? t('retentionLastRun', formatDate(lastRun.at), plural(lastRun.report.jobsRemoved, 'countJobs_one', 'countJobs_other'), plural(lastRun.report.pageVersionsRemoved, 'countPageVersions_one', 'countPageVersions_other'))
          : t('retentionNeverRun')}
      </p>
      {message && (
        <p role="status" data-testid="retention-message">
          {message}
        </p>
      )}
      {error && <ErrorText error={error} testId="retention-message" />}
    </form>
  );
}

function WipeForm() {
  const [result, setResult] = useState<string | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [asking, setAsking] = useState<{ confirm: string; host: boolean } | null>(null);
  const [overview, recount] = useCommand('overview.get', {});
  const [sync] = useCommand('sync.status', {});
  const wipe = async () => {
    if (!asking) return;
    const reply = await sendCommand('privacy.wipe', asking);
    setAsking(null);
    if (!reply.ok) return setError(reply.error);
    const rows = Object.values(reply.result.stores).reduce((a, b) => a + b, 0);
    setResult(reply.result.host ? t('wipeDoneWithHost', rows.toLocaleString(), reply.result.host.removedBytes.toLocaleString()) : t('wipeDone', rows.toLocaleString()));
  };
  const o = overview.state === 'ready' ? overview.value : null;
  return (
    <form
      data-testid="wipe"
      onSubmit={(event) => {
        event.preventDefault();
        const form = new FormData(event.currentTarget);
        const confirm = String(form.get('confirm') ?? '');
        setResult(null);
        setError(null);
        if (confirm !== WIPE_CONFIRMATION) return setError({ code: 'CONFIRMATION_REQUIRED', message: t('wipeTypeWord', WIPE_CONFIRMATION) });
        recount();
        setAsking({ confirm, host: form.get('host') === 'on' });
      }}
    >
      <h3>{t('wipeTitle')}</h3>
      <p class="hint">{t('wipeHint', WIPE_CONFIRMATION)}</p>
      <div class="form-row">
        <label>
          {t('wipeConfirmLabel', WIPE_CONFIRMATION)} <input name="confirm" data-testid="wipe-confirm" autocomplete="off" />
        </label>
        <label>
          <input type="checkbox" name="host" defaultChecked /> {t('wipeHostToo')}
        </label>
        <button type="submit" class="danger" data-testid="wipe-submit">
          {t('wipeSubmit')}
        </button>
      </div>
      {asking && (
        <ConfirmDialog title={t('wipeConfirmTitle')} confirmLabel={t('wipeSubmit')} testId="wipe-dialog" onConfirm={() => void wipe()} onCancel={() => setAsking(null)}>
          <p data-testid="wipe-dialog-text">
            {o
              ? t(
                  'wipeConfirmCounts',
                  [
                    plural(o.threads, 'countThreads_one', 'countThreads_other'),
                    plural(o.messages, 'countMessages_one', 'countMessages_other'),
                    plural(o.visits.total, 'countVisits_one', 'countVisits_other'),
                    plural(o.pages, 'countPages_one', 'countPages_other'),
                    plural(o.memories, 'countMemories_one', 'countMemories_other'),
                    plural(Object.values(o.tasks).reduce((a, b) => a + b, 0), 'countTasks_one', 'countTasks_other'),
                    plural(Object.values(o.jobs).reduce((a, b) => a + b, 0), 'countJobs_one', 'countJobs_other'),
                  ].join(', '),
                )
              : t('wipeConfirmAll')}
          </p>
          {asking.host && <p>{t('wipeConfirmHost')}</p>}
          {sync.state === 'ready' && sync.value.configured && <p data-testid="wipe-dialog-sync">{t('wipeConfirmSync')}</p>}
        </ConfirmDialog>
      )}
      {result && (
        <p role="status" data-testid="wipe-result">
          {result}
        </p>
      )}
      {error && <ErrorText error={error} testId="wipe-result" />}
    </form>
  );
}
