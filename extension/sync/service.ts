/**
 * Sync as a job of the ledger: "Sync now", the periodic alarm and the alarm set shortly after
 * local writes all start the same `sync` job (one at a time). The job keeps a cursor, so a worker
 * killed mid-sync resumes it on start-up; the run itself continues from the stored checkpoint and
 * outbox. The settings row holds the password and passphrase: they never go back to a page.
 */
import { browser } from 'wxt/browser';
import type { SyncConfig, SyncStatus } from '../../shared/commands/sync';
import { CodedError, ERRORS, isErrorCode } from '../../shared/errors';
import type { Job } from '../../shared/schemas/entities';
import type { HydraDb } from '../db';
import { appendJobLog, createJob, failJob, finishJob, keepingWorkerAlive, reportProgress, startJob } from '../jobs';
import { CONFIG_KEY, readState, runSync, runWarning, syncErrorOf, writeState } from './engine';
import { setOutboxRecording } from './outbox';
import { forgetSync, readConfig } from './switch';
import { forgetKeys } from './crypto';

export { readConfig, settleSyncBookkeeping } from './switch';

/** Every 15 minutes while the browser runs. */
export const SYNC_ALARM = 'hydraflow-sync';
/** Set by a local write: a sync half a minute later (the shortest alarm Chromium allows), once for a burst of writes. */
export const SYNC_SOON_ALARM = 'hydraflow-sync-soon';

export function settingsView(config: SyncConfig | null) {
  if (!config) return null;
  return { serverUrl: config.serverUrl, database: config.database, username: config.username, hasPassword: config.password !== '', encrypt: config.encrypt, hasPassphrase: config.passphrase !== '', pagesMaxBytes: config.pagesMaxBytes };
}

/**
 * Saves settings; empty secrets keep the saved ones. Null turns sync off: it forgets the secrets
 * and everything sync kept of the database (`forgetSync`), after stopping a run in progress.
 */
export async function saveConfig(db: HydraDb, input: (Omit<SyncConfig, 'password' | 'passphrase'> & { password?: string | undefined; passphrase?: string | undefined }) | null): Promise<SyncConfig | null> {
  if (input === null) {
    // From now on local writes record nothing and no run starts (startSync reads the settings); a
    // run still going would write its bookkeeping again, so it is stopped before sync forgets.
    // Killed in between, the next worker start finds sync off and forgets (settleSyncBookkeeping).
    setOutboxRecording(db.name, false);
    forgetKeys();
    await db.settings.delete(CONFIG_KEY);
    for (const controller of running.values()) controller.abort();
    await Promise.allSettled(runs);
    await db.transaction('rw', [db.settings, db.syncOutbox, db.syncTombstones, db.syncDocs], () => forgetSync(db));
    return null;
  }
  const saved = await readConfig(db);
  const same = saved !== null && saved.serverUrl === input.serverUrl && saved.database === input.database;
  const config: SyncConfig = {
    ...input,
    password: input.password || (same ? saved.password : ''),
    passphrase: input.encrypt ? input.passphrase || (same ? saved.passphrase : '') : '',
  };
  if (config.encrypt && config.passphrase.length < 8) throw new CodedError('INVALID_PARAMS', 'Encryption needs a passphrase of at least 8 characters');
  // Recording starts before the settings are saved, so no write after them goes unrecorded (the
  // first sync with the database sends every row anyway, engine.ts `startOver`).
  setOutboxRecording(db.name, true);
  await db.settings.put({ key: CONFIG_KEY, value: config, updatedAt: Date.now() });
  return config;
}

const running = new Map<string, AbortController>();
/** The runs of this worker (turning sync off waits for the one it cancels). */
const runs = new Set<Promise<void>>();

export async function syncStatus(db: HydraDb): Promise<SyncStatus> {
  const [config, state, pending] = await Promise.all([readConfig(db), readState(db), db.syncOutbox.count()]);
  const lastError = state.lastError && isErrorCode(state.lastError.code) ? { code: state.lastError.code, message: state.lastError.message } : null;
  return { configured: config !== null, lastSyncAt: state.lastSyncAt, lastError, pending, runningJobId: [...running.keys()][0] ?? null };
}

/** Starts a sync job, or returns the one this worker runs. */
export async function startSync(db: HydraDb): Promise<string> {
  const current = [...running.keys()][0];
  if (current) return current;
  if (!(await readConfig(db))) throw new CodedError('SYNC_NOT_CONFIGURED', ERRORS.SYNC_NOT_CONFIGURED.message);
  const job = await createJob(db, { type: 'sync', params: {} });
  const cursor = { pulled: 0, pushed: 0 };
  await db.jobs.update(job.id, { cursor });
  await startJob(db, job.id);
  track(runJob(db, { ...job, cursor, status: 'running' }));
  return job.id;
}

export function cancelSync(jobId: string): boolean {
  const controller = running.get(jobId);
  controller?.abort();
  return Boolean(controller);
}

/** The resumer for 'sync': runs again; the checkpoint and outbox say where it was. */
export function resumeSync(db: HydraDb, job: Job): void {
  if (running.size) return void failJob(db, job.id, { code: 'CANCELLED', message: 'Another sync took over' });
  track(runJob(db, job));
}

function track(run: Promise<void>): void {
  runs.add(run);
  void run.catch(() => undefined).finally(() => runs.delete(run));
}

/** Runs a sync job; the worker is kept alive meanwhile (Chromium stops it after 30 s without extension events, even mid-fetch). */
function runJob(db: HydraDb, job: Job): Promise<void> {
  return keepingWorkerAlive(() => runJobAlive(db, job));
}

async function runJobAlive(db: HydraDb, job: Job): Promise<void> {
  const controller = new AbortController();
  running.set(job.id, controller);
  try {
    const config = await readConfig(db);
    if (!config) throw new CodedError('SYNC_NOT_CONFIGURED', ERRORS.SYNC_NOT_CONFIGURED.message);
    let lastReport = 0;
    const started = Date.now();
    const report = await runSync(db, config, {
      signal: controller.signal,
      log: (line) => void appendJobLog(db, job.id, line),
      onProgress: (done, total) => {
        if (Date.now() - lastReport < 500) return;
        lastReport = Date.now();
        void reportProgress(db, job.id, { done, total, cursor: { done } });
      },
    });
    await appendJobLog(db, job.id, `pulled ${report.pulled}, pushed ${report.pushed}, conflicts ${report.conflicts}, visits +${report.visitsAdded} −${report.visitsRemoved}, rows removed by a wipe ${report.rowsRemoved}, unreadable documents skipped ${report.unreadable} in ${Date.now() - started} ms (${Object.entries(report.timing).map(([k, v]) => `${k} ${Math.round(v)}`).join(', ')})`);
    await writeState(db, { lastSyncAt: Date.now(), lastError: runWarning(report) });
    await finishJob(db, job.id, report);
  } catch (error) {
    const appError = syncErrorOf(error);
    if (appError.code !== 'CANCELLED') await writeState(db, { lastError: { code: appError.code, message: appError.message } });
    await failJob(db, job.id, appError);
  } finally {
    running.delete(job.id);
  }
}

/** Alarms that start a sync: periodic, and soon after local writes. Registered at worker start. */
export function registerSyncAlarms(db: HydraDb): void {
  browser.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name !== SYNC_ALARM && alarm.name !== SYNC_SOON_ALARM) return;
    void readConfig(db)
      .then((config) => (config ? startSync(db) : undefined))
      .catch((error: unknown) => console.error('[hydraflow] sync failed to start', error));
  });
  void browser.alarms.get(SYNC_ALARM).then((existing) => {
    if (!existing) void browser.alarms.create(SYNC_ALARM, { delayInMinutes: 15, periodInMinutes: 15 });
  });
}

/** Called after a local write to a synced store: one sync soon (the alarm is not moved by later writes). */
export function syncSoon(): void {
  void browser.alarms.get(SYNC_SOON_ALARM).then((existing) => {
    if (!existing) void browser.alarms.create(SYNC_SOON_ALARM, { delayInMinutes: 0.5 });
  });
}
