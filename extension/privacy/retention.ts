/**
 * Automatic clean-up, each rule off (null) until the user sets it: succeeded jobs older than N
 * days, page versions beyond N per page (newest kept), and on the host, logs and ledger
 * pre-images beyond a size cap. A run is a `prune` job whose result is the report; the last run
 * is kept in settings so the settings page shows what it did.
 */
import { DEFAULT_RETENTION, retentionSettings, type RetentionReport, type RetentionSettings } from '../../shared/commands/privacy';
import { toAppError } from '../../shared/errors';
import type { HydraDb } from '../db';
import type { HostConnection } from '../host';
import { createJob, failJob, finishJob, pruneJobs, startJob } from '../jobs';

export const RETENTION_SETTING = 'privacy.retention';
export const RETENTION_LAST_RUN_SETTING = 'privacy.retentionLastRun';
export const RETENTION_ALARM = 'hydraflow-retention';
const MIB = 1024 * 1024;

export async function getRetention(db: HydraDb): Promise<RetentionSettings> {
  const parsed = retentionSettings.safeParse((await db.settings.get(RETENTION_SETTING))?.value);
  return parsed.success ? parsed.data : DEFAULT_RETENTION;
}

export async function setRetention(db: HydraDb, settings: RetentionSettings, now = Date.now()): Promise<RetentionSettings> {
  await db.settings.put({ key: RETENTION_SETTING, value: settings, updatedAt: now });
  return settings;
}

export async function lastRetentionRun(db: HydraDb): Promise<{ at: number; jobId: string; report: RetentionReport } | null> {
  return ((await db.settings.get(RETENTION_LAST_RUN_SETTING))?.value as { at: number; jobId: string; report: RetentionReport } | undefined) ?? null;
}

/** Removes the oldest versions of every page that has more than `keep` (by version number). */
export async function prunePageVersions(db: HydraDb, keep: number): Promise<number> {
  // Keys only (urlKey → ids): page text is never read for pages under the cap.
  const idsByUrl = new Map<string, string[]>();
  await db.pages.orderBy('urlKey').eachKey((key, cursor) => {
    const list = idsByUrl.get(key as string) ?? [];
    list.push(cursor.primaryKey as string);
    idsByUrl.set(key as string, list);
  });
  let removed = 0;
  for (const ids of idsByUrl.values()) {
    if (ids.length <= keep) continue;
    const rows = (await db.pages.bulkGet(ids)).filter((row) => row !== undefined);
    const old = rows.sort((a, b) => b.version - a.version || b.capturedAt - a.capturedAt).slice(keep);
    await db.pages.bulkDelete(old.map((row) => row.id));
    removed += old.length;
  }
  return removed;
}

export async function runRetention(db: HydraDb, host: HostConnection | null, now = Date.now()): Promise<{ jobId: string; report: RetentionReport }> {
  const rules = await getRetention(db);
  const job = await createJob(db, { type: 'prune', params: { rules }, total: null }, now);
  await startJob(db, job.id, now);
  try {
    const jobsRemoved = rules.jobsOlderThanDays === null ? 0 : (await pruneJobs(db, ['succeeded'], rules.jobsOlderThanDays, now)).removed;
    const pageVersionsRemoved = rules.pageVersionsPerPage === null ? 0 : await prunePageVersions(db, rules.pageVersionsPerPage);
    let hostReport: RetentionReport['host'] = null;
    if (host && (rules.hostLogMiB !== null || rules.hostPreimageMiB !== null)) {
      const reply = await host.request('storage.prune', { logBytes: rules.hostLogMiB === null ? null : Math.round(rules.hostLogMiB * MIB), preimageBytes: rules.hostPreimageMiB === null ? null : Math.round(rules.hostPreimageMiB * MIB) });
      if (!reply.ok) throw Object.assign(new Error(reply.error.message), { code: reply.error.code });
      hostReport = reply.result;
    }
    const report: RetentionReport = { jobsRemoved, pageVersionsRemoved, host: hostReport };
    await finishJob(db, job.id, report);
    await db.settings.put({ key: RETENTION_LAST_RUN_SETTING, value: { at: now, jobId: job.id, report }, updatedAt: now });
    return { jobId: job.id, report };
  } catch (error) {
    await failJob(db, job.id, toAppError(error));
    throw error;
  }
}

/** True when at least one rule is on (the daily alarm runs only then). */
export function anyRule(rules: RetentionSettings): boolean {
  return Object.values(rules).some((value) => value !== null);
}
