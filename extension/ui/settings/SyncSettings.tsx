/**
 * Settings → Sync: the user's CouchDB server, database, credentials and encryption passphrase;
 * "Sync now"; and the state of sync in plain words (last sync, changes waiting, the last error).
 * Saving asks for access to the server's origin when the extension does not have it yet. The
 * password and passphrase are never shown again: an empty field keeps the saved one.
 */
import { useEffect, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import type { SyncStatus } from '../../../shared/commands/sync';
import type { AppError } from '../../../shared/errors';
import { sendCommand } from '../../commands/client';
import { ErrorText } from '../components/ErrorText';
import { formatDate } from '../format';
import { t } from '../i18n';
import { useLiveQuery, useReloadOn } from '../hooks';

interface Form {
  serverUrl: string;
  database: string;
  username: string;
  password: string;
  encrypt: boolean;
  passphrase: string;
  pagesKb: string;
}

const EMPTY: Form = { serverUrl: 'http://127.0.0.1:5984', database: 'hydraflow', username: '', password: '', encrypt: true, passphrase: '', pagesKb: '1000' };

/** Access to the server's origin: asked for on save, when the extension lacks it. */
async function ensureOrigin(serverUrl: string): Promise<boolean> {
  const origins = [`${new URL(serverUrl).origin}/*`];
  if (await browser.permissions.contains({ origins })) return true;
  return browser.permissions.request({ origins });
}

export function SyncSettings() {
  const [form, setForm] = useState<Form>(EMPTY);
  const [secrets, setSecrets] = useState({ password: false, passphrase: false });
  const [saved, setSaved] = useState(false);
  const [status, setStatus] = useState<SyncStatus | null>(null);
  const [notice, setNotice] = useState<{ kind: 'ok'; text: string } | { kind: 'error'; error: AppError } | null>(null);
  const refresh = () => void sendCommand('sync.status', {}).then((reply) => reply.ok && setStatus(reply.result));
  useEffect(() => {
    void sendCommand('sync.getSettings', {}).then((reply) => {
      if (!reply.ok || !reply.result.settings) return;
      const s = reply.result.settings;
      setForm({ serverUrl: s.serverUrl, database: s.database, username: s.username, password: '', encrypt: s.encrypt, passphrase: '', pagesKb: String(Math.round(s.pagesMaxBytes / 1000)) });
      setSecrets({ password: s.hasPassword, passphrase: s.hasPassphrase });
      setSaved(true);
    });
    refresh();
  }, []);
  // Live: the outbox, the sync state and sync jobs change the status line.
  const tick = useLiveQuery(async (db) => `${await db.syncOutbox.count()}|${(await db.settings.get('sync.state'))?.updatedAt ?? 0}|${await db.jobs.where('type').equals('sync').count()}|${(await db.jobs.where('status').equals('running').filter((job) => job.type === 'sync').count())}`, []);
  useReloadOn(tick, refresh);
  const update = (change: Partial<Form>) => setForm({ ...form, ...change });
  const input = (key: keyof Form) => (e: Event) => update({ [key]: (e.target as HTMLInputElement).value });

  const save = async () => {
    setNotice(null);
    const settings = {
      serverUrl: form.serverUrl.trim(),
      database: form.database.trim(),
      username: form.username.trim(),
      encrypt: form.encrypt,
      pagesMaxBytes: Math.max(0, Math.round(Number(form.pagesKb) || 0)) * 1000,
      ...(form.password ? { password: form.password } : {}),
      ...(form.encrypt && form.passphrase ? { passphrase: form.passphrase } : {}),
    };
    let allowed = false;
    try {
      allowed = await ensureOrigin(settings.serverUrl);
    } catch {
      allowed = false;
    }
    if (!allowed) {
      setNotice({ kind: 'error', error: { code: 'SYNC_UNREACHABLE', message: t('syncPermissionDenied', settings.serverUrl) } });
      return;
    }
    const reply = await sendCommand('sync.setSettings', { settings });
    if (!reply.ok) return setNotice({ kind: 'error', error: reply.error });
    const view = reply.result.settings!;
    setSecrets({ password: view.hasPassword, passphrase: view.hasPassphrase });
    setForm({ ...form, password: '', passphrase: '' });
    setSaved(true);
    setNotice({ kind: 'ok', text: t('syncSaved') });
    refresh();
  };

  return (
    <section data-testid="sync-settings">
      <h2>{t('syncTitle')}</h2>
      <p class="hint">{t('syncHint')}</p>
      <div class="form-grid">
        <label>
          {t('syncServerUrl')} <input value={form.serverUrl} data-testid="sync-url" onInput={input('serverUrl')} />
        </label>
        <label>
          {t('syncDatabase')} <input value={form.database} data-testid="sync-database" onInput={input('database')} />
        </label>
        <label>
          {t('syncUsername')} <input value={form.username} autocomplete="off" data-testid="sync-username" onInput={input('username')} />
        </label>
        <label>
          {t('syncPassword')} <input type="password" value={form.password} autocomplete="off" placeholder={secrets.password ? t('syncSecretKept') : ''} data-testid="sync-password" onInput={input('password')} />
        </label>
        <label>
          <input type="checkbox" checked={form.encrypt} data-testid="sync-encrypt" onChange={(e) => update({ encrypt: (e.target as HTMLInputElement).checked })} /> {t('syncEncrypt')}
        </label>
        {form.encrypt && (
          <label>
            {t('syncPassphrase')} <input type="password" value={form.passphrase} autocomplete="new-password" placeholder={secrets.passphrase ? t('syncSecretKept') : ''} data-testid="sync-passphrase" onInput={input('passphrase')} />
          </label>
        )}
        <label>
          {t('syncPagesMax')} <input type="number" min="0" value={form.pagesKb} data-testid="sync-pages-max" onInput={input('pagesKb')} />
        </label>
      </div>
      <button type="button" class="primary" data-testid="sync-save" onClick={() => void save()}>
        {t('save')}
      </button>{' '}
      {saved && (
        <>
          <button
            type="button"
            data-testid="sync-now"
            onClick={() =>
              void sendCommand('sync.start', {}).then((reply) => {
                setNotice(reply.ok ? { kind: 'ok', text: t('syncStarted') } : { kind: 'error', error: reply.error });
                refresh();
              })
            }
          >
            {t('syncNow')}
          </button>{' '}
          <button
            type="button"
            data-testid="sync-off"
            onClick={() =>
              void sendCommand('sync.setSettings', { settings: null }).then((reply) => {
                setSaved(false);
                setNotice(reply.ok ? { kind: 'ok', text: t('syncTurnedOff') } : { kind: 'error', error: reply.error });
                refresh();
              })
            }
          >
            {t('syncTurnOff')}
          </button>
        </>
      )}
      {status?.configured && (
        <div data-testid="sync-status" aria-live="polite">
          <p class="muted" data-testid="sync-last">
            {status.runningJobId ? t('syncRunning') : status.lastSyncAt ? t('syncLastAt', formatDate(status.lastSyncAt)) : t('syncNever')} {t('syncPending', status.pending.toLocaleString())}
          </p>
          {status.lastError && !status.runningJobId && (
            <>
              <p class="muted">{t('syncLastError')}</p>
              <ErrorText error={status.lastError} testId="sync-error" />
            </>
          )}
        </div>
      )}
      {notice?.kind === 'ok' && (
        <p class="ok" data-testid="sync-notice">
          {notice.text}
        </p>
      )}
      {notice?.kind === 'error' && <ErrorText error={notice.error} testId="sync-notice-error" />}
    </section>
  );
}
