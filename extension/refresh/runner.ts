/**
 * A focused refresh run: fetch the scope's saved pages (and, to the asked depth, their same-site
 * links) politely — robots.txt, a per-host interval, a time limit per page — extract readable text
 * with the same Readability path as a tab save (in the offscreen document), store a new version
 * only when the text changed, and report in the job (progress and live counts) and in the thread.
 * Every page ends as changed, added, unchanged, failed (with its reason) or skipped (robots.txt);
 * the job finishes either way. Only a cancel stops it early.
 */
import { CodedError, toAppError, type AppError } from '../../shared/errors';
import { newId } from '../../shared/ids';
import type { RefreshParams } from '../../shared/commands/refresh';
import { followableLinks, metaNofollow } from '../../shared/refresh/links';
import type { RefreshScope } from '../../shared/refresh/scope';
import { EMPTY_COUNTS, refreshSummary, type RefreshCounts } from '../../shared/refresh/summary';
import { isBlocked } from '../../shared/blocklist';
import { urlKey } from '../../shared/url';
import type { HydraDb } from '../db';
import { appendJobLog, failJob, finishJob, reportProgress, startJob } from '../jobs';
import { getBlocklist } from '../capture/blocklist';
import type { ExtractedPage } from '../capture/readable';
import { storePageVersion } from '../pages/versions';
import { fetchPage, type FetchFn } from './fetch-page';
import { HostPacer, RobotsCache, type Clock } from './politeness';
import { resolveSeeds } from './seeds';

export type PageOutcome = 'changed' | 'added' | 'unchanged' | 'failed' | 'skipped';

export interface RefreshPageReport {
  url: string;
  depth: number;
  outcome: PageOutcome;
  pageId: string | null;
  version: number | null;
  error: AppError | null;
}

export interface RefreshResult extends RefreshCounts {
  pages: RefreshPageReport[];
  /** The thread message that reported the run, when a thread heard about it. */
  messageId: string | null;
}

/** What a stored refresh job keeps as params: the request, normalized, with its dedupe key. */
export interface RefreshJobParams extends Omit<RefreshParams, 'scope'> {
  scope: RefreshScope;
  key: string;
}

export interface RefreshDeps {
  fetch: FetchFn;
  extract: (html: string, url: string) => Promise<ExtractedPage>;
  clock: Clock;
  /**
   * Called with the ids of new page versions once they are stored. The versions are already in the
   * search journal (written with them); the worker's hook applies it, so they are searchable now.
   */
  reindex: (pageIds: string[]) => Promise<void>;
  /** Called every few seconds while the run lasts (the service worker keeps itself awake). */
  keepAlive?: () => void;
  /** Called once when the run has ended, however it ended (frees the offscreen document). */
  release?: () => void;
}

interface QueueItem {
  url: string;
  depth: number;
}

export async function runRefresh(db: HydraDb, jobId: string, params: RefreshJobParams, deps: RefreshDeps, signal: AbortSignal): Promise<RefreshResult> {
  const counts: RefreshCounts = { ...EMPTY_COUNTS };
  const reports: RefreshPageReport[] = [];
  const changes: { title: string; url: string; previousAt: number }[] = [];
  const newVersions: string[] = [];
  let lastKeepAlive = deps.clock.now();
  await startJob(db, jobId, deps.clock.now());
  try {
    const seeds = await resolveSeeds(db, params.scope);
    if (seeds.length === 0) throw new CodedError('REFRESH_NOTHING_TO_REFRESH', 'No saved page matches this refresh');
    const queue: QueueItem[] = [];
    const queued = new Set<string>();
    const enqueue = (url: string, depth: number) => {
      const key = urlKey(url);
      if (queued.has(key) || queue.length >= params.pageCap) return;
      queued.add(key);
      queue.push({ url, depth });
    };
    for (const seed of seeds) enqueue(seed.url, 0);
    await appendJobLog(db, jobId, `${seeds.length} saved page(s) match; depth ${params.depth}, cap ${params.pageCap}`, deps.clock.now());

    const blocklist = await getBlocklist(db);
    const pacer = new HostPacer(deps.clock);
    const robots = new RobotsCache(deps.fetch, pacer, { minIntervalMs: params.minIntervalMs, timeoutMs: params.timeoutMs, signal });
    const record = (item: QueueItem, outcome: PageOutcome, extra: Partial<RefreshPageReport> = {}) => {
      counts[outcome]++;
      // Fetched = every page asked of its server, whatever the answer; skipped pages were not asked.
      if (outcome !== 'skipped') counts.fetched++;
      reports.push({ url: item.url, depth: item.depth, outcome, pageId: null, version: null, error: null, ...extra });
    };

    for (let index = 0; index < queue.length; index++) {
      if (signal.aborted) throw new CodedError('CANCELLED', 'The refresh was cancelled');
      const item = queue[index]!;
      const url = new URL(item.url);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        record(item, 'failed', { error: { code: 'REFRESH_FETCH_FAILED', message: `Only http(s) pages are refreshed, not ${url.protocol}` } });
      } else if (isBlocked(item.url, blocklist)) {
        record(item, 'skipped', { error: { code: 'CAPTURE_REFUSED', message: `${url.host} is in the capture blocklist` } });
      } else if (!(await robots.allows(url))) {
        record(item, 'skipped', { error: { code: 'REFRESH_ROBOTS_DISALLOWED', message: `robots.txt of ${url.host} disallows ${url.pathname}` } });
      } else {
        const reply = await pacer.run(url.host, robots.intervalFor(url), signal, () => fetchPage(deps.fetch, item.url, { signal, timeoutMs: params.timeoutMs }));
        if (!reply.ok) {
          record(item, 'failed', { error: reply.error });
        } else {
          const extracted = await deps.extract(reply.html, item.url).catch((error: unknown) => toAppError(error));
          if ('code' in extracted) {
            record(item, 'failed', { error: extracted });
          } else if (!extracted.text.trim()) {
            record(item, 'failed', { error: { code: 'PAGE_NOT_READABLE', message: 'No readable text in the page' } });
          } else {
            const { page, stored, previous } = await storePageVersion(db, { url: item.url, title: extracted.title, byline: extracted.byline, text: extracted.text }, deps.clock.now());
            const outcome: PageOutcome = !stored ? 'unchanged' : previous ? 'changed' : 'added';
            record(item, outcome, { pageId: page.id, version: page.version });
            if (stored) newVersions.push(page.id);
            if (previous) changes.push({ title: page.title, url: page.url, previousAt: previous.capturedAt });
            if (item.depth < params.depth) for (const link of followableLinks(reply.finalUrl, extracted.links, { nofollow: metaNofollow(extracted.metaRobots) })) enqueue(link, item.depth + 1);
          }
        }
      }
      await db.jobs.update(jobId, { result: { ...counts, pages: reports, messageId: null } satisfies RefreshResult });
      await reportProgress(db, jobId, { done: index + 1, total: queue.length }, deps.clock.now());
      if (deps.keepAlive && deps.clock.now() - lastKeepAlive > 10_000) {
        deps.keepAlive();
        lastKeepAlive = deps.clock.now();
      }
    }

    if (newVersions.length) await deps.reindex(newVersions).catch((error: unknown) => appendJobLog(db, jobId, `re-index failed: ${toAppError(error).message}`));
    const threadId = params.scope.kind === 'thread' ? params.scope.threadId : (params.threadId ?? null);
    const messageId = threadId ? await reportInThread(db, threadId, refreshSummary(counts, changes, deps.clock.now()), deps.clock.now()) : null;
    const result: RefreshResult = { ...counts, pages: reports, messageId };
    await finishJob(db, jobId, result, deps.clock.now());
    return result;
  } catch (thrown) {
    // A cancel can land anywhere (a fetch, a pause between requests): the job ends cancelled.
    const error: AppError = signal.aborted ? { code: 'CANCELLED', message: 'The refresh was cancelled' } : toAppError(thrown);
    await db.jobs.update(jobId, { result: { ...counts, pages: reports, messageId: null } satisfies RefreshResult });
    await failJob(db, jobId, error, deps.clock.now());
    throw thrown;
  }
}

/** Adds the run's summary to the thread as a system message (the model is never asked to answer it). */
async function reportInThread(db: HydraDb, threadId: string, content: string, now: number): Promise<string | null> {
  return db.transaction('rw', db.threads, db.messages, async () => {
    if (!(await db.threads.get(threadId))) return null;
    const id = newId();
    await db.messages.add({ id, threadId, role: 'system', content, status: 'complete', model: null, error: null, createdAt: now, updatedAt: now });
    await db.threads.update(threadId, { updatedAt: now });
    return id;
  });
}

