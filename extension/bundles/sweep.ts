/**
 * The start-up sweep of what bundle imports leave behind (docs/bundle-format.md): an import job
 * keeps, while it is queued or running, a copy of its host file in Cache Storage
 * (`import-copies/<jobId>/`, files.ts `copiedSource`), the file the user picked (`staged/<id>`) and
 * its validation checkpoint (a settings row, import.ts). The job discards them when it ends; a job
 * failed by the start-up recovery (JOB_INTERRUPTED, JOB_POISONED) or cancelled while no worker
 * ran it never does. So at every worker start, after the recovery, whatever of them belongs to no
 * queued or running job is deleted: they are copies of the user's data.
 *
 * A staged file no job names yet is one a page staged for a preview or an import about to start
 * (a history import keeps no staged id in its job): it is kept for STAGED_GRACE_MS after staging,
 * then deleted (one staged before files carried their time is deleted at once). Exports kept for
 * download (`exports/…`) are what the user asked for and stay.
 */
import type { HydraDb } from '../db';
import { BUNDLE_CACHE, cacheEntryOf, STAGED_AT_HEADER } from './files';
import { CHECKPOINT_PREFIX } from './import';

/** How long a staged file no queued or running job names is kept. */
export const STAGED_GRACE_MS = 60 * 60 * 1000;

export interface SweepReport {
  copies: number;
  staged: number;
  checkpoints: number;
}

const LIVE: ReadonlySet<string> = new Set<string>(['queued', 'running']);

/** The staged file a bundle import's params name (`{file: {kind: 'staged', id}}`), if any. */
function stagedIdOf(params: unknown): string | null {
  const file = (params as { file?: { kind?: unknown; id?: unknown } } | null)?.file;
  return file?.kind === 'staged' && typeof file.id === 'string' ? file.id : null;
}

export async function sweepImportLeftovers(db: HydraDb, now = Date.now()): Promise<SweepReport> {
  const report: SweepReport = { copies: 0, staged: 0, checkpoints: 0 };
  const liveJobs = new Set((await db.jobs.where('status').anyOf([...LIVE]).primaryKeys()) as string[]);
  // Staged files bundle imports name: kept while their job is queued or running, else deleted.
  const stagedLive = new Map<string, boolean>();
  for (const job of await db.jobs.where('type').equals('bundle_import').toArray()) {
    const id = stagedIdOf(job.params);
    if (id) stagedLive.set(id, (stagedLive.get(id) ?? false) || LIVE.has(job.status));
  }
  const checkpoints = (await db.settings.where('key').startsWith(CHECKPOINT_PREFIX).primaryKeys()).filter((key) => !liveJobs.has(key.slice(CHECKPOINT_PREFIX.length)));
  if (checkpoints.length) await db.settings.bulkDelete(checkpoints);
  report.checkpoints = checkpoints.length;
  // `has` first: the sweep never creates the cache.
  if (typeof caches === 'undefined' || !(await caches.has(BUNDLE_CACHE))) return report;
  const cache = await caches.open(BUNDLE_CACHE);
  for (const request of await cache.keys()) {
    const entry = cacheEntryOf(request.url);
    if (entry.kind === 'copy' && !liveJobs.has(entry.jobId)) {
      await cache.delete(request);
      report.copies++;
    } else if (entry.kind === 'staged' && stagedLive.get(entry.id) !== true) {
      if (!stagedLive.has(entry.id)) {
        const stagedAt = Number((await cache.match(request))?.headers.get(STAGED_AT_HEADER) ?? NaN);
        if (Number.isFinite(stagedAt) && now - stagedAt < STAGED_GRACE_MS) continue;
      }
      await cache.delete(request);
      report.staged++;
    }
  }
  return report;
}
