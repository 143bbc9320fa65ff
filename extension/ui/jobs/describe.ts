/**
 * A job in words: what it is ("History import"), what it is about (the profile and browser, the
 * file, the scope, the repository and check, the query), its progress in the work's own unit
 * ("1,200 of 5,000 visits") and its result as a sentence. Job params and results are stored as
 * `unknown`: every field is read defensively, and an unknown shape falls back to plain counts.
 */
import type { Job } from '../../../shared/schemas/entities';
import type { JobType } from '../../../shared/schemas/statuses';
import { formatDate, formatDay } from '../format';
import { plural, t, type MessageKey } from '../i18n';

type Fields = Record<string, unknown>;
const obj = (value: unknown): Fields => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Fields) : {});
const str = (value: unknown): string | null => (typeof value === 'string' && value ? value : null);
const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);
const fileName = (path: string) => path.split(/[\\/]/).pop() || path;

export const JOB_TITLES: Record<JobType, MessageKey> = {
  history_import: 'jobHistoryImport',
  bundle_export: 'jobBundleExport',
  bundle_import: 'jobBundleImport',
  patch_apply: 'jobPatchApply',
  patch_revert: 'jobPatchRevert',
  check_run: 'jobCheckRun',
  page_refresh: 'jobPageRefresh',
  index_rebuild: 'jobIndexRebuild',
  index_verify: 'jobIndexVerify',
  index_compact: 'jobIndexCompact',
  embed: 'jobEmbed',
  prune: 'jobPrune',
  privacy_delete: 'jobPrivacyDelete',
  visits_migrate: 'jobVisitsMigrate',
  sync: 'jobSync',
};

const STATUS_WORDS: Record<Job['status'], MessageKey> = { queued: 'jobStatusQueued', running: 'jobStatusRunning', succeeded: 'jobStatusSucceeded', failed: 'jobStatusFailed', cancelled: 'jobStatusCancelled' };
export const statusWord = (status: Job['status']) => t(STATUS_WORDS[status]);

/** "Chromium, profile Default" from a profile id "chromium:Default". */
function profileName(profileId: string): string {
  const [browser, ...rest] = profileId.split(':');
  const name = rest.join(':');
  return name ? t('jobProfile', (browser ?? '').replace(/^./, (c) => c.toUpperCase()), name) : profileId;
}

function range(from: number | null, to: number | null): string {
  if (from !== null && to !== null) return t('jobRangeBetween', formatDay(from), formatDay(to));
  if (from !== null) return t('jobRangeSince', formatDay(from));
  if (to !== null) return t('jobRangeUntil', formatDay(to));
  return t('jobRangeAll');
}

/** What the job is about, or null when its type says it all. */
export function jobSubject(job: Job): string | null {
  const p = obj(job.params);
  switch (job.type) {
    case 'history_import': {
      if (p.kind === 'takeout') return t('jobSubjectFile', str(p.fileName) ?? '?');
      const target = obj(p.target);
      if (str(target.profileId)) return profileName(target.profileId as string);
      return str(target.path) ? t('jobSubjectFile', fileName(target.path as string)) : null;
    }
    case 'bundle_export': {
      const scope = obj(p.scope);
      if (scope.kind === 'threads') return plural(Array.isArray(scope.threadIds) ? scope.threadIds.length : 0, 'jobScopeThreads_one', 'jobScopeThreads_other');
      if (scope.kind === 'history') return t('jobScopeHistory', range(num(scope.from), num(scope.to)));
      return t('jobScopeAll');
    }
    case 'bundle_import': {
      const file = obj(p.file);
      const name = str(file.name) ?? (str(file.path) ? fileName(file.path as string) : null) ?? str(file.fileName);
      return name ? t('jobSubjectFile', name) : null;
    }
    case 'patch_apply':
      return str(p.repoId) ? t('jobSubjectRepo', p.repoId as string) : null;
    case 'patch_revert':
      return str(p.repoId) ? t('jobSubjectRevert', str(p.changeId) ?? '?', p.repoId as string) : null;
    case 'check_run':
      return t('jobSubjectCheck', str(p.checkId) ?? '?', str(p.repoId) ?? '?');
    case 'page_refresh': {
      const scope = obj(p.scope);
      if (scope.kind === 'query') return t('jobSubjectQuery', str(scope.query) ?? '');
      if (scope.kind === 'domains') return t('jobSubjectDomains', Array.isArray(scope.domains) ? scope.domains.join(', ') : '');
      if (scope.kind === 'thread') return t('jobSubjectThreadPages');
      return null;
    }
    case 'embed':
      return str(p.model) ? t('jobSubjectModel', p.model as string) : null;
    case 'privacy_delete': {
      if (p.everything === true) return t('deleteWhatEverything');
      const parts = [str(p.domain) && (p.includeSubdomains ? t('deleteWhatDomainAndSubdomains', p.domain as string) : (p.domain as string)), str(p.url), (num(p.from) !== null || num(p.to) !== null) && range(num(p.from), num(p.to))];
      return parts.filter(Boolean).join(', ') || null;
    }
    default:
      return null;
  }
}

const UNITS: Partial<Record<JobType, [MessageKey, MessageKey]>> = {
  history_import: ['unitVisits_one', 'unitVisits_other'],
  bundle_export: ['unitRows_one', 'unitRows_other'],
  bundle_import: ['unitRows_one', 'unitRows_other'],
  page_refresh: ['unitPages_one', 'unitPages_other'],
  index_rebuild: ['unitItems_one', 'unitItems_other'],
  index_verify: ['unitItems_one', 'unitItems_other'],
  embed: ['unitItems_one', 'unitItems_other'],
  privacy_delete: ['unitRows_one', 'unitRows_other'],
  visits_migrate: ['unitVisits_one', 'unitVisits_other'],
  sync: ['unitItems_one', 'unitItems_other'],
  check_run: ['unitCharacters_one', 'unitCharacters_other'],
};

/** Progress in the work's own unit ("1,200 of 5,000 visits"); null for one-step work (a patch). */
export function jobProgress(job: Job): string | null {
  const { done, total, rate } = job.progress;
  if (job.type === 'patch_apply' || job.type === 'patch_revert' || job.type === 'index_compact' || job.type === 'prune') return null;
  const unit = UNITS[job.type];
  if (!unit || (done === 0 && !total)) return null;
  const [one, other] = unit;
  const amount = total ? t('progressOf', done.toLocaleString(), plural(total, one, other)) : job.type === 'check_run' ? t('progressOutput', plural(done, one, other)) : plural(done, one, other);
  return rate && (job.status === 'running' || job.status === 'queued') ? t('progressRate', amount, Math.round(rate).toLocaleString()) : amount;
}

/** Numbers of a flat result as "12 indexed, 0 removed" (the fallback for shapes without a sentence). */
function countsOf(result: Fields): string | null {
  const parts = Object.entries(result)
    .filter(([, value]) => typeof value === 'number')
    .map(([key, value]) => `${(value as number).toLocaleString()} ${key.replace(/([A-Z])/g, ' $1').toLowerCase()}`);
  return parts.length ? parts.join(', ') : null;
}

/** The result of a finished job as a sentence, or null. */
export function jobResult(job: Job): string | null {
  if (job.status !== 'succeeded') return null;
  const r = obj(job.result);
  switch (job.type) {
    case 'history_import': {
      const counts = t('resultHistoryImport', plural(num(r.read) ?? 0, 'unitVisits_one', 'unitVisits_other'), (num(r.added) ?? 0).toLocaleString(), (num(r.duplicates) ?? 0).toLocaleString(), (num(r.invalid) ?? 0).toLocaleString());
      const deleted = num(r.deleted);
      return deleted ? `${counts} ${t('resultHistoryImportDeleted', deleted.toLocaleString())}` : counts;
    }
    case 'bundle_export': {
      const rows = Object.values(obj(r.rows)).reduce<number>((sum, n) => sum + (num(n) ?? 0), 0);
      const where = str(r.path) ?? str(r.fileName) ?? '';
      return t('resultBundleExport', plural(rows, 'unitRows_one', 'unitRows_other'), fileName(where));
    }
    case 'bundle_import': {
      const totals = { added: 0, present: 0, invalid: 0 };
      for (const counts of Object.values(r)) for (const key of ['added', 'present', 'invalid'] as const) totals[key] += num(obj(counts)[key]) ?? 0;
      return t('resultBundleImport', plural(totals.added, 'unitRows_one', 'unitRows_other'), totals.present.toLocaleString(), totals.invalid.toLocaleString());
    }
    case 'patch_apply': {
      const files = Array.isArray(r.files) ? r.files.length : (num(r.files) ?? 0);
      return t('resultPatchApply', plural(files, 'unitFiles_one', 'unitFiles_other'), (num(r.linesAdded) ?? 0).toLocaleString(), (num(r.linesRemoved) ?? 0).toLocaleString());
    }
    case 'patch_revert':
      return t('resultPatchRevert', plural(num(r.files) ?? 0, 'unitFiles_one', 'unitFiles_other'));
    case 'check_run':
      return t('resultCheckPassed', ((num(r.durationMs) ?? 0) / 1000).toFixed(1));
    case 'privacy_delete':
      return t('resultPrivacyDelete', plural(num(r.visits) ?? 0, 'countVisits_one', 'countVisits_other'), plural(num(r.pages) ?? 0, 'countPages_one', 'countPages_other'), plural(num(r.memories) ?? 0, 'countMemories_one', 'countMemories_other'));
    case 'prune':
      return t('resultPrune', plural(num(r.jobsRemoved) ?? 0, 'countJobs_one', 'countJobs_other'), plural(num(r.pageVersionsRemoved) ?? 0, 'countPageVersions_one', 'countPageVersions_other'));
    case 'embed':
      return t('resultEmbed', plural(num(r.embedded) ?? 0, 'unitItems_one', 'unitItems_other'), (num(r.reused) ?? 0).toLocaleString(), (num(r.removed) ?? 0).toLocaleString());
    default: {
      const counts = countsOf(r);
      return counts ? t('resultCounts', counts) : null;
    }
  }
}

/** When it ran, as dates. */
export function jobWhen(job: Job): string {
  return job.finishedAt ? t('jobFinishedAt', formatDate(job.createdAt), formatDate(job.finishedAt)) : t('jobStartedAt', formatDate(job.createdAt));
}
