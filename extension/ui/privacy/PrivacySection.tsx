/**
 * Privacy: what leaves the machine, delete history (range, domain, URL, everything) with a
 * confirmation and a per-store report, automatic clean-up rules, and wipe everything.
 */
import { useState } from 'preact/hooks';
import type { CommandResult } from '../../../shared/commands';
import type { HistoryFilter, RetentionSettings } from '../../../shared/commands/privacy';
import { sendCommand } from '../../commands/client';
import { useCommand } from '../hooks';

export function PrivacySection() {
  return (
    <section data-testid="privacy">
      <h2>Privacy</h2>
      <p data-testid="privacy-statement">
        Everything HydraFlow captures stays on this computer, in this browser profile and in the native host's folder. The only thing that leaves it is what you send to the model endpoint you chose (your
        message, the thread's recent messages, the page text you attach and your memories), and only when you send it. Incognito tabs are never captured; blocked domains are not captured at all.
      </p>
      <DeleteHistoryForm />
      <RetentionForm />
      <WipeForm />
    </section>
  );
}

function DeleteHistoryForm() {
  const [pending, setPending] = useState<HistoryFilter | null>(null);
  const [report, setReport] = useState<CommandResult<'privacy.deleteHistory'> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const describe = (f: HistoryFilter) =>
    f.everything
      ? 'all history'
      : [f.domain && `${f.domain}${f.includeSubdomains ? ' and its subdomains' : ''}`, f.url, f.from !== undefined && `from ${new Date(f.from).toLocaleString()}`, f.to !== undefined && `until ${new Date(f.to).toLocaleString()}`].filter(Boolean).join(', ') || 'nothing';
  return (
    <form
      data-testid="delete-history"
      onSubmit={(event) => {
        event.preventDefault();
        const form = new FormData(event.currentTarget);
        const text = (name: string) => String(form.get(name) ?? '').trim();
        const filter: HistoryFilter = {};
        if (text('domain')) filter.domain = text('domain');
        if (form.get('subdomains') === 'on') filter.includeSubdomains = true;
        if (text('url')) filter.url = text('url');
        if (text('from')) filter.from = new Date(text('from')).getTime();
        if (text('to')) filter.to = new Date(text('to')).getTime();
        if (form.get('everything') === 'on') filter.everything = true;
        setReport(null);
        setError(null);
        setPending(filter);
      }}
    >
      <h3>Delete history</h3>
      <label>
        Domain <input name="domain" placeholder="example.com" data-testid="delete-domain" />
      </label>{' '}
      <label>
        <input type="checkbox" name="subdomains" data-testid="delete-subdomains" /> and its subdomains
      </label>
      <br />
      <label>
        URL <input name="url" data-testid="delete-url" />
      </label>
      <br />
      <label>
        From <input type="datetime-local" name="from" data-testid="delete-from" />
      </label>{' '}
      <label>
        until <input type="datetime-local" name="to" data-testid="delete-to" />
      </label>
      <br />
      <label>
        <input type="checkbox" name="everything" data-testid="delete-everything" /> everything
      </label>{' '}
      <button type="submit" data-testid="delete-history-submit">
        Delete…
      </button>
      {pending && (
        <p data-testid="delete-confirm">
          Delete {describe(pending)} from visits, page snapshots, tab snapshots, memories made from those pages, and the tabs showing them? This cannot be undone.{' '}
          <button
            type="button"
            data-testid="delete-confirm-yes"
            onClick={() =>
              void sendCommand('privacy.deleteHistory', pending).then((reply) => {
                setPending(null);
                if (reply.ok) setReport(reply.result);
                else setError(`${reply.error.code}: ${reply.error.message}`);
              })
            }
          >
            Delete
          </button>{' '}
          <button type="button" onClick={() => setPending(null)}>
            Cancel
          </button>
        </p>
      )}
      {report && (
        <p data-testid="delete-report">
          Deleted {report.deleted.visits} visits, {report.deleted.pages} page snapshots, {report.deleted.tabSnapshots} tab snapshots, {report.deleted.memories} memories; cleared {report.deleted.tabsCleared} tab(s); unlinked{' '}
          {report.deleted.threadsUnlinked} thread(s).
        </p>
      )}
      {error && (
        <p class="error" data-testid="delete-error">
          {error}
        </p>
      )}
    </form>
  );
}

function RetentionForm() {
  const [loaded, reload] = useCommand('privacy.getRetention', {});
  const [message, setMessage] = useState<string | null>(null);
  if (loaded.state !== 'ready') return null;
  const { settings, lastRun } = loaded.value;
  const field = (name: keyof RetentionSettings, label: string, unit: string) => (
    <label>
      {label} <input type="number" min={1} name={name} defaultValue={settings[name] === null ? '' : String(settings[name])} placeholder="off" style={{ width: '6em' }} data-testid={`retention-${name}`} /> {unit}
      <br />
    </label>
  );
  return (
    <form
      data-testid="retention"
      onSubmit={(event) => {
        event.preventDefault();
        const form = new FormData(event.currentTarget);
        const value = (name: string) => (String(form.get(name) ?? '').trim() === '' ? null : Number(form.get(name)));
        const next: RetentionSettings = { jobsOlderThanDays: value('jobsOlderThanDays'), pageVersionsPerPage: value('pageVersionsPerPage'), hostLogMiB: value('hostLogMiB'), hostPreimageMiB: value('hostPreimageMiB') };
        void sendCommand('privacy.setRetention', { settings: next }).then((reply) => {
          setMessage(reply.ok ? 'Saved. The clean-up runs once a day.' : `${reply.error.code}: ${reply.error.message}`);
          reload();
        });
      }}
    >
      <h3>Automatic clean-up</h3>
      {field('jobsOlderThanDays', 'Remove succeeded jobs older than', 'days')}
      {field('pageVersionsPerPage', 'Keep at most', 'versions of each page')}
      {field('hostLogMiB', 'Cap the host logs at', 'MiB')}
      {field('hostPreimageMiB', 'Cap repo pre-images at', 'MiB (older changes can no longer be reverted)')}
      <button type="submit">Save</button>{' '}
      <button
        type="button"
        data-testid="retention-run"
        onClick={() =>
          void sendCommand('privacy.runRetention', {}).then((reply) => {
            setMessage(reply.ok ? `Removed ${reply.result.report.jobsRemoved} job(s) and ${reply.result.report.pageVersionsRemoved} page version(s).` : `${reply.error.code}: ${reply.error.message}`);
            reload();
          })
        }
      >
        Run now
      </button>
      <p class="muted" data-testid="retention-last-run">
        {lastRun ? `Last run ${new Date(lastRun.at).toLocaleString()}: ${lastRun.report.jobsRemoved} job(s), ${lastRun.report.pageVersionsRemoved} page version(s) removed.` : 'Never run.'}
      </p>
      {message && <p data-testid="retention-message">{message}</p>}
    </form>
  );
}

function WipeForm() {
  const [result, setResult] = useState<string | null>(null);
  return (
    <form
      data-testid="wipe"
      onSubmit={(event) => {
        event.preventDefault();
        const form = new FormData(event.currentTarget);
        void sendCommand('privacy.wipe', { confirm: String(form.get('confirm') ?? ''), host: form.get('host') === 'on' }).then((reply) =>
          setResult(reply.ok ? `Deleted ${Object.values(reply.result.stores).reduce((a, b) => a + b, 0)} rows${reply.result.host ? ` and ${reply.result.host.removedBytes} bytes of host data` : ''}.` : `${reply.error.code}: ${reply.error.message}`),
        );
      }}
    >
      <h3>Wipe everything</h3>
      <p class="muted">Deletes every thread, message, visit, page, task, memory, job and setting{' '}— and, if ticked, the native host's bundles, repo ledgers and logs. Type WIPE to confirm.</p>
      <input name="confirm" data-testid="wipe-confirm" autocomplete="off" />{' '}
      <label>
        <input type="checkbox" name="host" defaultChecked /> host data too
      </label>{' '}
      <button type="submit" class="danger" data-testid="wipe-submit">
        Wipe
      </button>
      {result && <p data-testid="wipe-result">{result}</p>}
    </form>
  );
}
