/**
 * The import job against the real host handler code run in-process (a stand-in for the native
 * messaging port, not a mock: real files, real readers, the method schemas applied as the router
 * does). Dexie on fake-indexeddb.
 */
import Dexie from 'dexie';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import { createDatabase, type HydraDb } from '../../../extension/db';
import { runHostImport, startHostImport, type HistoryHost } from '../../../extension/history';
import { recoverInterruptedJobs } from '../../../extension/jobs';
import { historyHandlers } from '../../../native-host/commands/history';
import { hostPaths } from '../../../native-host/core/paths';
import { createLogger } from '../../../native-host/logger';
import { err, toAppError } from '../../../shared/errors';
import { methods } from '../../../shared/protocol/methods';
import type { Job } from '../../../shared/schemas/entities';
import { writeChromiumHistory, writeLargeChromiumHistory } from '../../fixtures/make-history';
import { connectionLoss } from '../../support/lost-connection';
import { storedVisitCount, storedVisits } from '../../support/visits';

let dir: string;
let db: HydraDb;
let n = 0;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hf-import-'));
  // The host reads files only in its folders: the fixtures go in its bundle folder.
  mkdirSync(join(dir, 'home', 'data', 'bundles'), { recursive: true, mode: 0o700 });
  writeChromiumHistory(join(dir, 'home', 'data', 'bundles', 'History'));
  writeLargeChromiumHistory(join(dir, 'home', 'data', 'bundles', 'Large'), { visits: 3000, urls: 400 });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  db.close();
  await Dexie.delete(db.name);
});

/** The host's history.read handler behind the HistoryHost interface; `dieAfterEvents` simulates a lost port. */
function inProcessHost(options: { dieAfterEvents?: number } = {}): HistoryHost & { calls: number } {
  const paths = hostPaths('linux', dir, { HYDRAFLOW_HOME: join(dir, 'home') });
  const handlers = historyHandlers({ paths, platform: 'linux', log: createLogger({ logDir: paths.logDir, toStderr: false }) });
  let events = 0;
  const host = {
    calls: 0,
    async request(_method: 'history.read', params: unknown, requestOptions: { onEvent?: (event: string, data: unknown) => void; signal?: AbortSignal } = {}) {
      host.calls++;
      const parsed = methods['history.read'].params.parse(params);
      const died = new AbortController();
      try {
        return await handlers['history.read'](parsed, {
          requestId: 'x',
          signal: requestOptions.signal ?? died.signal,
          log: createLogger({ logDir: paths.logDir, toStderr: false }),
          cancelRequest: () => false,
          emit: (event, data) => {
            if (options.dieAfterEvents !== undefined && event === 'items' && events++ >= options.dieAfterEvents) throw new Error('port closed');
            requestOptions.onEvent?.(event, JSON.parse(JSON.stringify(data)));
          },
        });
      } catch (error) {
        const appError = toAppError(error);
        return appError.message === 'port closed' ? err('HOST_DISCONNECTED') : { ok: false as const, error: appError };
      }
    },
  };
  return host;
}

async function fresh(): Promise<HydraDb> {
  db = createDatabase(`hydraflow-import-test-${n++}`);
  await db.open();
  return db;
}

/** `losing`: the test's own polls may meet a lost connection too (it aborts every transaction on it): they ask again. */
async function settled(jobId: string, losing = false): Promise<Job> {
  for (let i = 0; i < 500; i++) {
    const job = await (losing ? db.jobs.get(jobId).catch(() => undefined) : db.jobs.get(jobId));
    if (job && job.status !== 'running' && job.status !== 'queued') return job;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('job did not settle');
}

describe('history import job', () => {
  it('imports a History file with honest counts; again → 0 added; --full → all duplicates', async () => {
    await fresh();
    const host = inProcessHost();
    const first = await settled(await startHostImport(db, host, { file: { folderId: 'bundles', name: 'History' } }, false));
    expect(first.status).toBe('succeeded');
    expect(first.result).toEqual({ read: 11, added: 11, duplicates: 0, invalid: 0 });
    expect(await storedVisitCount(db)).toBe(11);
    const stored = (await storedVisits(db)).sort((a, b) => a.visitedAt - b.visitedAt)[0];
    expect(stored).toMatchObject({ url: 'https://example.com/', visitedAt: 1710072000000, transition: 'typed', source: 'chromium', hostRev: 'com.example' });

    const again = await settled(await startHostImport(db, host, { file: { folderId: 'bundles', name: 'History' } }, false));
    expect(again.result).toEqual({ read: 0, added: 0, duplicates: 0, invalid: 0 });

    const full = await settled(await startHostImport(db, host, { file: { folderId: 'bundles', name: 'History' } }, true));
    expect(full.result).toEqual({ read: 11, added: 0, duplicates: 11, invalid: 0 });
    expect(await storedVisitCount(db)).toBe(11);
  });

  it('after the worker dies mid-import, resuming from the cursor stores exactly the file’s visits', async () => {
    await fresh();
    const dying = inProcessHost({ dieAfterEvents: 1 });
    const jobId = await startHostImport(db, dying, { file: { folderId: 'bundles', name: 'Large' } }, false);
    const broken = await settled(jobId);
    expect(broken.status).toBe('failed');
    // The job-wide total is known from the first progress event, before the first batch is stored.
    expect(broken.progress.total).toBe(3000);
    const partial = await storedVisitCount(db);
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(3000);
    // What a killed worker leaves behind: the job still "running", its cursor at the last batch.
    await db.jobs.update(jobId, { status: 'running', finishedAt: null, error: null });
    const host = inProcessHost();
    const resumedIds: string[] = [];
    await recoverInterruptedJobs(db, { history_import: (job) => { resumedIds.push(job.id); void runHostImport(db, host, job); } });
    expect(resumedIds).toEqual([jobId]);
    const done = await settled(jobId);
    expect(done.status).toBe('succeeded');
    expect(done.result).toEqual({ read: 3000, added: 3000, duplicates: 0, invalid: 0 });
    expect(await storedVisitCount(db)).toBe(3000);
    expect(done.progress).toMatchObject({ done: 3000, total: 3000 });
  });
});

describe('history import across many pages (the next page is read while the last one is written)', () => {
  const sizes = { pageVisits: 400, writeBatchVisits: 250 };

  it('stores exactly the file’s visits, and the reader never runs more than a page and two batches ahead of the database', async () => {
    await fresh();
    let jobId = '';
    const host = inProcessHost();
    // At each page request: rows the worker has received so far vs. rows its batches have written.
    let delivered = 0;
    let written = 0;
    // Dexie hands the hook the changed key paths ('cursor.read') or the whole new cursor.
    db.jobs.hook('updating', (modifications: object, id: string) => {
      const changes = modifications as Record<string, unknown>;
      const read = changes['cursor.read'] ?? (changes.cursor as { read?: unknown } | null | undefined)?.read;
      if (id === jobId && typeof read === 'number') written = read;
    });
    const lags: number[] = [];
    const watched: HistoryHost = {
      request: async (method, params, options = {}) => {
        lags.push(delivered - written);
        return host.request(method, params, {
          ...options,
          onEvent: (event, data) => {
            if (event === 'items') delivered += (data as { visits: unknown[] }).visits.length;
            options.onEvent?.(event, data);
          },
        });
      },
    };
    jobId = await startHostImport(db, watched, { file: { folderId: 'bundles', name: 'Large' } }, false, sizes);
    const job = await settled(jobId);
    expect(job.status).toBe('succeeded');
    expect(job.result).toEqual({ read: 3000, added: 3000, duplicates: 0, invalid: 0 });
    expect(job.progress).toMatchObject({ done: 3000, total: 3000 });
    expect(await storedVisitCount(db)).toBe(3000);
    // 3000 visits in pages of 400: 8 pages, the last one short (done).
    expect(host.calls).toBe(8);
    expect(Math.max(...lags)).toBeLessThanOrEqual(sizes.pageVisits + 2 * sizes.writeBatchVisits);
    // It did read ahead: some page was asked for before the rows before it were all stored.
    expect(Math.max(...lags)).toBeGreaterThan(0);
  });

  it('a worker killed in the middle of a page, with later rows already received, resumes to exactly the file’s visits', async () => {
    await fresh();
    const jobId = await startHostImport(db, inProcessHost({ dieAfterEvents: 4 }), { file: { folderId: 'bundles', name: 'Large' } }, false, sizes);
    const broken = await settled(jobId);
    expect(broken.status).toBe('failed');
    const partial = await storedVisitCount(db);
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(3000);
    expect((broken.cursor as { read: number }).read).toBe(partial);
    await db.jobs.update(jobId, { status: 'running', finishedAt: null, error: null });
    await recoverInterruptedJobs(db, { history_import: (job) => void runHostImport(db, inProcessHost(), job, sizes) });
    const done = await settled(jobId);
    expect(done.result).toEqual({ read: 3000, added: 3000, duplicates: 0, invalid: 0 });
    expect(await storedVisitCount(db)).toBe(3000);
  });
});

describe('history import when the browser closes the database connection under it', () => {
  it('a batch whose transaction the close aborted is written again on a new connection: the job succeeds with every visit once', async () => {
    db = createDatabase(`hydraflow-import-test-${n++}`);
    // What Chromium does after an IO error of the backing store (the full disk of the stress scenario).
    const loss = connectionLoss(db);
    await db.open();
    const host = inProcessHost();
    let items = 0;
    const losing: HistoryHost = {
      request: (method, params, options = {}) =>
        host.request(method, params, {
          ...options,
          onEvent: (event, data) => {
            // After a few batches are stored, the next transaction (a batch with its cursor) is lost.
            if (event === 'items' && ++items === 3) loss.armNext();
            options.onEvent?.(event, data);
          },
        }),
    };
    const job = await settled(await startHostImport(db, losing, { file: { folderId: 'bundles', name: 'Large' } }, false, { pageVisits: 400, writeBatchVisits: 250 }), true);
    expect(loss.lost).toBe(1);
    expect(job.error).toBeNull();
    expect(job.status).toBe('succeeded');
    expect(job.result).toEqual({ read: 3000, added: 3000, duplicates: 0, invalid: 0 });
    expect(await storedVisitCount(db)).toBe(3000);
  });
});

describe('history import cancel and Takeout', () => {
  it('cancelling a running import ends the job cancelled, not running', async () => {
    await fresh();
    const { cancelImport } = await import('../../../extension/history');
    const jobId = await startHostImport(db, inProcessHost(), { file: { folderId: 'bundles', name: 'Large' } }, false);
    expect(await cancelImport(db, jobId)).toBe(true);
    const job = await settled(jobId);
    expect(job.status).toBe('cancelled');
    expect(job.error?.code).toBe('CANCELLED');
  });

  it('imports Takeout text with the shared mapping and counts invalid entries', async () => {
    await fresh();
    const { startTakeoutImport } = await import('../../../extension/history');
    const text = JSON.stringify({ 'Browser History': [{ url: 'https://a.example/#x', title: 'A', time_usec: 1_700_000_000_000_000, page_transition: 'TYPED' }, { url: 'nope', time_usec: 1 }] });
    const job = await settled(await startTakeoutImport(db, 'BrowserHistory.json', new Blob([text])));
    expect(job.result).toEqual({ read: 2, added: 1, duplicates: 0, invalid: 1 });
    expect(await storedVisits(db)).toMatchObject([{ url: 'https://a.example/#x', visitedAt: 1_700_000_000_000, transition: 'typed', source: 'takeout' }]);
    const broken = await settled(await startTakeoutImport(db, 'x.json', new Blob(['{"Browser History": ['])));
    expect(broken.error?.code).toBe('HISTORY_FILE_CORRUPT');
  });
});
