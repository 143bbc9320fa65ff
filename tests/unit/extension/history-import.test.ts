/**
 * The import job against the real host handler code run in-process (a stand-in for the native
 * messaging port, not a mock: real files, real readers, the method schemas applied as the router
 * does). Dexie on fake-indexeddb.
 */
import Dexie from 'dexie';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { afterEach, beforeAll, afterAll, describe, expect, it, vi } from 'vitest';
import { createDatabase, DISK_HEADROOM_BYTES, storeCounterKey, writeTransaction, type HydraDb } from '../../../extension/db';
import { runHostImport, startHostImport, type HistoryHost } from '../../../extension/history';
import type { RequestOptions } from '../../../extension/host/connection';
import { createJob, failJob, recoverInterruptedJobs, startJob } from '../../../extension/jobs';
import { deleteHistory, resolveFilter } from '../../../extension/privacy';
import { historyHandlers } from '../../../native-host/commands/history';
import { createHandlers } from '../../../native-host/commands';
import { hostPaths } from '../../../native-host/core/paths';
import { createLogger } from '../../../native-host/logger';
import { err, toAppError } from '../../../shared/errors';
import { HISTORY_INFLATED_MAX_BYTES, HISTORY_READ_DEFLATE } from '../../../shared/protocol/history';
import { methods, type MethodParams } from '../../../shared/protocol/methods';
import type { Job } from '../../../shared/schemas/entities';
import { changeChromiumHistory, MULTI_DAY_VISITS, writeChromiumHistory, writeLargeChromiumHistory } from '../../fixtures/make-history';
import { closeLikeChromiumAfterIoError, connectionLoss } from '../../support/lost-connection';
import { eventVisits, inflatedColumns } from '../../support/history-events';
import { storedVisitCount, storedVisits } from '../../support/visits';
import { importExclusions, rememberDeletion, sourceSummaryKey } from '../../../extension/history';
import { exclusionMatcher } from '../../../extension/history/exclusions';
import { applyChunk } from '../../../extension/sync/visits';
import { visitTables } from '../../../extension/visits';
import { visitChunkId } from '../../../shared/sync/format';

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

/**
 * The host's history handlers behind the HistoryHost interface; `dieAfterEvents` simulates a lost
 * port, `oldHost` a host of a version before history.summary and the columns encoding (its hello
 * lists neither, and its strict params refuse `encoding` as it did), `noDeflate` one that sends
 * columns but does not list deflating them. `calls` counts history.read
 * calls, `reads` their params.
 */
function inProcessHost(options: { dieAfterEvents?: number; oldHost?: boolean; noDeflate?: boolean } = {}): HistoryHost & { calls: number; summaries: number; reads: MethodParams<'history.read'>[] } {
  const paths = hostPaths('linux', dir, { HYDRAFLOW_HOME: join(dir, 'home') });
  const handlers = historyHandlers({ paths, platform: 'linux', log: createLogger({ logDir: paths.logDir, toStderr: false }) });
  let events = 0;
  const host = {
    calls: 0,
    summaries: 0,
    reads: [] as MethodParams<'history.read'>[],
    async status() {
      const hello = await createHandlers({ paths, platform: 'linux', log: createLogger({ logDir: paths.logDir, toStderr: false }) }).hello({ protocolVersion: 1 }, {} as never);
      if (!hello.ok) throw new Error('hello failed');
      const capabilities = options.oldHost ? hello.result.capabilities.filter((name) => name in methods && name !== 'history.summary') : hello.result.capabilities.filter((name) => !options.noDeflate || name !== HISTORY_READ_DEFLATE);
      return { state: 'connected' as const, hostVersion: hello.result.hostVersion, protocolVersion: hello.result.protocolVersion, capabilities };
    },
    async request(method: 'history.read' | 'history.summary', params: unknown, requestOptions: { onEvent?: (event: string, data: unknown) => void; signal?: AbortSignal } = {}) {
      const died = new AbortController();
      const ctx = {
        requestId: 'x',
        signal: requestOptions.signal ?? died.signal,
        log: createLogger({ logDir: paths.logDir, toStderr: false }),
        cancelRequest: () => false,
        emit: (event: string, data: unknown) => {
          if (options.dieAfterEvents !== undefined && event === 'items' && events++ >= options.dieAfterEvents) throw new Error('port closed');
          requestOptions.onEvent?.(event, JSON.parse(JSON.stringify(data)));
        },
      };
      try {
        if (method === 'history.summary') {
          if (options.oldHost) return err('UNKNOWN_METHOD', 'No method history.summary');
          host.summaries++;
          return JSON.parse(JSON.stringify(await handlers['history.summary'](methods['history.summary'].params.parse(params), ctx))) as unknown;
        }
        host.calls++;
        if (options.oldHost && (params as { encoding?: unknown }).encoding !== undefined) return err('INVALID_PARAMS', 'Unrecognized key: "encoding"');
        const parsed = methods['history.read'].params.parse(params);
        host.reads.push(parsed);
        return await handlers['history.read'](parsed, ctx);
      } catch (error) {
        const appError = toAppError(error);
        return appError.message === 'port closed' ? err('HOST_DISCONNECTED') : { ok: false as const, error: appError };
      }
    },
  };
  return host as unknown as HistoryHost & { calls: number; summaries: number; reads: MethodParams<'history.read'>[] };
}

/**
 * `host`, calling `act` with its third `items` event's data as it arrives, before the import sees
 * it: a connection loss armed for the next transaction, or the event spoiled.
 */
function atThirdItems(host: HistoryHost, act: (data: unknown) => void): HistoryHost {
  let items = 0;
  return {
    status: () => host.status(),
    request: (method: 'history.read', params: MethodParams<'history.read'>, options: RequestOptions = {}) =>
      host.request(method, params, {
        ...options,
        onEvent: (event, data) => {
          if (event === 'items' && ++items === 3) act(data);
          options.onEvent?.(event, data);
        },
      }),
  } as HistoryHost;
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
    // This host lists the columns encoding in its hello: every page was asked for in columns.
    expect(host.reads.map((read) => read.encoding)).toEqual(['columns', 'columns']);
  });

  it('a columns event with an index out of range fails the job with INVALID_RESULT; nothing of it is stored, what came before is', async () => {
    await fresh();
    // The third event names a URL the event does not carry.
    const hostile = atThirdItems(inProcessHost({ noDeflate: true }), (data) => {
      const { columns } = data as { columns: { page: number[]; urls: string[] } };
      columns.page[columns.page.length - 1] = columns.urls.length;
    });
    const job = await settled(await startHostImport(db, hostile, { file: { folderId: 'bundles', name: 'Large' } }, false, { pageVisits: 400, writeBatchVisits: 250 }));
    expect(job.status).toBe('failed');
    expect(job.error?.code).toBe('INVALID_RESULT');
    expect(job.error?.message).toContain('no page');
    // Pages of 400 visits, one event each: the two events before it are stored, with the cursor.
    expect(await storedVisitCount(db)).toBe(800);
    expect((job.cursor as { read: number }).read).toBe(800);
  });

  it('a deflated event that inflates past the limit, or to columns that do not check, fails the job with INVALID_RESULT; nothing of it is stored, what came before is', async () => {
    const bomb = deflateRawSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 }).toString('base64');
    const outOfRange = (deflated: string) => {
      const columns = inflatedColumns(deflated);
      columns.page[columns.page.length - 1] = columns.urls.length;
      return deflateRawSync(JSON.stringify(columns)).toString('base64');
    };
    for (const [spoil, message] of [[() => bomb, `more than ${HISTORY_INFLATED_MAX_BYTES} bytes`], [outOfRange, 'no page']] as const) {
      await fresh();
      const host = inProcessHost();
      const hostile = atThirdItems(host, (data) => {
        const packed = data as { deflated: string };
        packed.deflated = spoil(packed.deflated);
      });
      const job = await settled(await startHostImport(db, hostile, { file: { folderId: 'bundles', name: 'Large' } }, false, { pageVisits: 400, writeBatchVisits: 250 }));
      expect(host.reads[0]).toMatchObject({ encoding: 'columns', compression: 'deflate-raw' });
      expect(job.status).toBe('failed');
      expect(job.error?.code).toBe('INVALID_RESULT');
      expect(job.error?.message).toContain(message);
      expect(await storedVisitCount(db)).toBe(800);
      expect((job.cursor as { read: number }).read).toBe(800);
    }
  });

  it('from a host that sends only objects (an older version), one that sends columns and one that deflates them, stores the same visits', async () => {
    const importWith = async (host: HistoryHost) => {
      await fresh();
      const job = await settled(await startHostImport(db, host, { file: { folderId: 'bundles', name: 'History' } }, false));
      expect(job.result).toEqual({ read: 11, added: 11, duplicates: 0, invalid: 0 });
      const visits = (await storedVisits(db)).sort((a, b) => a.visitedAt - b.visitedAt || a.url.localeCompare(b.url));
      db.close();
      await Dexie.delete(db.name);
      return visits;
    };
    const old = inProcessHost({ oldHost: true });
    const fromObjects = await importWith(old);
    expect(old.reads.map((read) => read.encoding)).toEqual([undefined]);
    const columnsHost = inProcessHost({ noDeflate: true });
    const fromColumns = await importWith(columnsHost);
    expect(columnsHost.reads.map((read) => [read.encoding, read.compression])).toEqual([['columns', undefined]]);
    expect(fromColumns).toEqual(fromObjects);
    const current = inProcessHost();
    const fromDeflated = await importWith(current);
    expect(current.reads.map((read) => [read.encoding, read.compression])).toEqual([['columns', 'deflate-raw']]);
    expect(fromDeflated).toEqual(fromObjects);
    expect(fromColumns.map((visit) => visit.transition)).toContain('typed');
    await fresh();
  });

  it('after the worker dies mid-import, resuming from the cursor stores exactly the file’s visits', async () => {
    await fresh();
    const dying = inProcessHost({ dieAfterEvents: 1 });
    // Pages of 400 visits: in columns a whole 3000-visit page of 400 URLs would be one event.
    const jobId = await startHostImport(db, dying, { file: { folderId: 'bundles', name: 'Large' } }, false, { pageVisits: 400, writeBatchVisits: 250 });
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
    const watched = {
      status: () => host.status(),
      request: async (method: 'history.read', params: MethodParams<'history.read'>, options: RequestOptions = {}) => {
        if (method === 'history.read') lags.push(delivered - written);
        return host.request(method, params, {
          ...options,
          onEvent: (event, data) => {
            if (event === 'items') delivered += eventVisits(data).length;
            options.onEvent?.(event, data);
          },
        });
      },
    };
    jobId = await startHostImport(db, watched as HistoryHost, { file: { folderId: 'bundles', name: 'Large' } }, false, sizes);
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
    // After a few batches are stored, the next transaction (a batch with its cursor) is lost.
    const losing = atThirdItems(inProcessHost(), () => loss.armNext());
    const job = await settled(await startHostImport(db, losing, { file: { folderId: 'bundles', name: 'Large' } }, false, { pageVisits: 400, writeBatchVisits: 250 }), true);
    expect(loss.lost).toBe(1);
    expect(job.error).toBeNull();
    expect(job.status).toBe('succeeded');
    expect(job.result).toEqual({ read: 3000, added: 3000, duplicates: 0, invalid: 0 });
    expect(await storedVisitCount(db)).toBe(3000);
  });
});

describe('history import when the browser deletes the database under it', () => {
  it('stops with DATABASE_RESET, writes nothing into the new empty database, and the job row comes back failed: Retry imports every visit once', async () => {
    db = createDatabase(`hydraflow-import-test-${n++}`);
    const loss = connectionLoss(db);
    await db.open();
    const host = inProcessHost();
    const losing = atThirdItems(host, () => loss.armNext({ deleteDatabase: true }));
    const jobId = await startHostImport(db, losing, { file: { folderId: 'bundles', name: 'Large' } }, false, { pageVisits: 400, writeBatchVisits: 250 });
    const job = await settled(jobId, true);
    expect(loss.lost).toBe(1);
    expect(job.status).toBe('failed');
    expect(job.error?.code).toBe('DATABASE_RESET');
    expect(job.cursor).toBeNull();
    // Nothing of the import went into the database that replaced the deleted one.
    expect(await storedVisitCount(db)).toBe(0);
    expect((await db.counters.get(storeCounterKey('visits')))?.n ?? 0).toBe(0);
    const again = await settled(await startHostImport(db, host, { file: { folderId: 'bundles', name: 'Large' } }, false));
    expect(again.status).toBe('succeeded');
    expect(await storedVisitCount(db)).toBe(3000);
  });
});

describe('a job whose row went with the database', () => {
  it('failing it writes the row back, failed with DATABASE_RESET whatever the error, so the Jobs page can say so', async () => {
    await fresh();
    const job = await createJob(db, { type: 'history_import', params: { kind: 'host', target: { profileId: 'chromium:Default' }, sourceKey: 'profile:chromium:Default', full: false } });
    await startJob(db, job.id);
    // What Chromium did at the next open after the full disk: the database deleted, then created empty.
    closeLikeChromiumAfterIoError(db);
    await Dexie.delete(db.name);
    expect(await db.jobs.count()).toBe(0);
    await failJob(db, job, { code: 'QUOTA_EXCEEDED', message: 'disk full' });
    const back = await db.jobs.get(job.id);
    expect(back).toMatchObject({ id: job.id, type: 'history_import', status: 'failed', cursor: null, params: job.params });
    expect(back?.error?.code).toBe('DATABASE_RESET');
    // Given only its id, nothing is invented.
    await db.jobs.clear();
    await failJob(db, job.id, { code: 'QUOTA_EXCEEDED', message: 'disk full' });
    expect(await db.jobs.count()).toBe(0);
  });
});

describe('history import on a disk running out of space', () => {
  it('stops with QUOTA_EXCEEDED before a batch would eat into the headroom: what is stored equals the cursor and the counter', async () => {
    await fresh();
    // What Chromium's StorageManager says with unlimitedStorage: quota − usage is the disk's free space.
    let estimates = 0;
    const estimate = () => Promise.resolve({ usage: 1e6, quota: 1e6 + (++estimates <= 3 ? 1e9 : DISK_HEADROOM_BYTES - 1) });
    vi.stubGlobal('navigator', { storage: { estimate } });
    try {
      const job = await settled(await startHostImport(db, inProcessHost(), { file: { folderId: 'bundles', name: 'Large' } }, false, { pageVisits: 400, writeBatchVisits: 250 }));
      expect(job.status).toBe('failed');
      expect(job.error?.code).toBe('QUOTA_EXCEEDED');
      const stored = await storedVisitCount(db);
      expect(stored).toBeGreaterThan(0);
      expect(stored).toBeLessThan(3000);
      expect((job.cursor as { added: number }).added).toBe(stored);
      expect((await db.counters.get(storeCounterKey('visits')))?.n).toBe(stored);
    } finally {
      vi.unstubAllGlobals();
    }
    // Space is back: the same import stores the rest, every visit once.
    const again = await settled(await startHostImport(db, inProcessHost(), { file: { folderId: 'bundles', name: 'Large' } }, false));
    expect(again.status).toBe('succeeded');
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

describe('re-import: only the days whose visits changed', () => {
  const day = (iso: string) => Math.floor(Date.parse(iso) / 86_400_000);
  let file = 0;
  /** A fresh five-day History in the host's bundle folder (tests change it in place). */
  function daysFile(): { folderId: string; name: string } {
    const name = `Days${file++}`;
    writeChromiumHistory(join(dir, 'home', 'data', 'bundles', name), MULTI_DAY_VISITS);
    return { folderId: 'bundles', name };
  }
  const keys = async () => (await storedVisits(db)).map((visit) => `${visit.url}@${visit.visitedAt}`).sort();

  it('a visit added to an old day and to a new day and one deleted: the re-import reads those days only, and stores the union', async () => {
    await fresh();
    const target = daysFile();
    const host = inProcessHost();
    expect((await settled(await startHostImport(db, host, { file: target }, false))).result).toEqual({ read: 15, added: 15, duplicates: 0, invalid: 0 });
    const unchanged = await settled(await startHostImport(db, host, { file: target }, false));
    expect(unchanged.result).toEqual({ read: 0, added: 0, duplicates: 0, invalid: 0 });
    expect(host.calls).toBe(1);
    expect(unchanged.logTail.join('\n')).toContain('re-import: reading 0 day(s)');

    const before = await keys();
    changeChromiumHistory(join(dir, 'home', 'data', 'bundles', target.name), {
      add: [
        { url: 'https://late.example/synced', title: 'Synced from another device', at: '2024-03-02T20:00:00.000Z', core: 'link' },
        { url: 'https://new.example/', title: 'New day', at: '2024-03-07T09:00:00.000Z', core: 'typed' },
      ],
      removeAt: ['2024-03-03T11:00:00.000Z'],
    });
    const again = await settled(await startHostImport(db, host, { file: target }, false));
    // Days 2 and 3 (changed, adjacent: one range) and day 7 (new); day 3 lost a visit.
    expect(host.reads.at(-1)!.days).toEqual([[day('2024-03-02'), day('2024-03-04')], [day('2024-03-07'), day('2024-03-08')]]);
    expect(again.result).toEqual({ read: 7, added: 2, duplicates: 5, invalid: 0 });
    expect(await keys()).toEqual([...before, `https://late.example/synced@${Date.parse('2024-03-02T20:00:00.000Z')}`, `https://new.example/@${Date.parse('2024-03-07T09:00:00.000Z')}`].sort());
    expect((await settled(await startHostImport(db, host, { file: target }, false))).result).toMatchObject({ read: 0 });

    // "Re-read everything" still reads every visit (16 now) and adds none.
    const full = await settled(await startHostImport(db, host, { file: target }, true));
    expect(full.result).toEqual({ read: 16, added: 0, duplicates: 16, invalid: 0 });
    expect(host.reads.at(-1)!.days).toBeUndefined();
  });

  it('an import that failed midway still counts the days it stored: the next one reads from the first day not complete', async () => {
    await fresh();
    const target = daysFile();
    const small = { pageVisits: 3, writeBatchVisits: 3 };
    // Two pages (days 1 and 2) arrive, then the port dies: the last row read is on day 2.
    const broken = await settled(await startHostImport(db, inProcessHost({ dieAfterEvents: 2 }), { file: target }, false, small));
    expect(broken.status).toBe('failed');
    expect(await storedVisitCount(db)).toBe(6);
    const recorded = (await db.settings.get(sourceSummaryKey(`file:bundles/${target.name}`)))?.value as { blocks: [number, number, number][] };
    expect(recorded.blocks.map(([block, count]) => [block, count])).toEqual([[day('2024-03-01'), 3]]);
    const host = inProcessHost();
    const next = await settled(await startHostImport(db, host, { file: target }, false, small));
    expect(host.reads[0]!.days).toEqual([[day('2024-03-02'), day('2024-03-06')]]);
    expect(next.result).toEqual({ read: 12, added: 9, duplicates: 3, invalid: 0 });
    expect(await storedVisitCount(db)).toBe(15);
  });

  it('a domain delete stays deleted through re-imports, even of days that changed; "Re-read everything" brings it back; "Delete all history" forgets it all', async () => {
    await fresh();
    const target = daysFile();
    const path = join(dir, 'home', 'data', 'bundles', target.name);
    const host = inProcessHost();
    await settled(await startHostImport(db, host, { file: target }, false));
    await deleteHistory(db, resolveFilter({ domain: 'day2.example' }));
    expect(await storedVisitCount(db)).toBe(12);
    expect((await settled(await startHostImport(db, host, { file: target }, false))).result).toMatchObject({ read: 0, added: 0 });

    // Day 2 changes in the file (another site visited that day), and day2.example is visited again after the delete.
    changeChromiumHistory(path, {
      add: [
        { url: 'https://other.example/', title: 'Other', at: '2024-03-02T20:00:00.000Z', core: 'link' },
        { url: 'https://day2.example/page/0', title: 'Day 2 again', at: new Date(Date.now() + 60_000).toISOString(), core: 'link' },
      ],
    });
    const changed = await settled(await startHostImport(db, host, { file: target }, false));
    // Day 2 read whole: its three day2.example visits are left out; the later visit is new.
    expect(changed.result).toEqual({ read: 5, added: 2, duplicates: 0, invalid: 0, deleted: 3 });
    expect((await storedVisits(db)).filter((visit) => visit.hostRev === 'example.day2')).toHaveLength(1);

    const full = await settled(await startHostImport(db, host, { file: target }, true));
    expect(full.result).toEqual({ read: 17, added: 3, duplicates: 14, invalid: 0 });

    await deleteHistory(db, resolveFilter({ everything: true }));
    expect(await db.settings.get(sourceSummaryKey(`file:bundles/${target.name}`))).toBeUndefined();
    expect(await importExclusions(db)).toBeNull();
    expect((await settled(await startHostImport(db, host, { file: target }, false))).result).toEqual({ read: 17, added: 17, duplicates: 0, invalid: 0 });
  });

  it('a visit deleted on another machine (a sync tombstone) stays deleted through a re-import of its changed day; "Re-read everything" brings it back', async () => {
    await fresh();
    const target = daysFile();
    const path = join(dir, 'home', 'data', 'bundles', target.name);
    const host = inProcessHost();
    await settled(await startHostImport(db, host, { file: target }, false));
    // What a pulled chunk document that lists day2.example's visits as deleted does here.
    const gone = (await storedVisits(db)).filter((visit) => visit.hostRev === 'example.day2').map((visit) => visit.id);
    expect(gone).toHaveLength(3);
    const byDoc = new Map<string, string[]>();
    for (const id of gone) byDoc.set(visitChunkId(id), [...(byDoc.get(visitChunkId(id)) ?? []), id]);
    await writeTransaction(db, [...visitTables(db), db.syncTombstones], async () => {
      for (const [docId, deleted] of byDoc) await applyChunk(db, docId, { visits: [], deleted });
    });
    expect(await storedVisitCount(db)).toBe(12);
    expect(await importExclusions(db)).toBeNull();

    // Day 2 changes in the file: the re-import reads it whole, and leaves the tombstoned visits out.
    changeChromiumHistory(path, { add: [{ url: 'https://other.example/', title: 'Other', at: '2024-03-02T20:00:00.000Z', core: 'link' }] });
    const changed = await settled(await startHostImport(db, host, { file: target }, false));
    expect(changed.result).toEqual({ read: 4, added: 1, duplicates: 0, invalid: 0, deleted: 3 });
    expect((await storedVisits(db)).filter((visit) => visit.hostRev === 'example.day2')).toHaveLength(0);

    const full = await settled(await startHostImport(db, host, { file: target }, true));
    expect(full.result).toEqual({ read: 16, added: 3, duplicates: 13, invalid: 0 });
  });

  it('the recorded deletes name nothing, match by whole labels, URL and time range, and only visits before each delete', async () => {
    await fresh();
    const at = 1_000;
    const filter = { from: -Infinity, to: Infinity, hostRev: null, includeSubdomains: false, urlKey: null };
    await rememberDeletion(db, { ...filter, hostRev: 'com.example', includeSubdomains: true }, at);
    await rememberDeletion(db, { ...filter, hostRev: 'org.exact' }, at);
    await rememberDeletion(db, { ...filter, from: 100, to: 200 }, at);
    await rememberDeletion(db, { ...filter, urlKey: 'key-1' }, at);
    await rememberDeletion(db, { ...filter, urlKey: 'key-1' }, at); // a resumed delete: one entry
    const stored = JSON.stringify(await db.settings.get('history.importExclusions'));
    for (const name of ['example', 'exact', 'key-1']) expect(stored).not.toContain(name);
    expect((await importExclusions(db))!.exclusions).toHaveLength(4);
    const match = exclusionMatcher(await importExclusions(db))!;
    const row = (hostRev: string, visitedAt: number, urlKey = 'k') => ({ hostRev, visitedAt, urlKey });
    expect(match(row('com.example', 500))).toBe(true);
    expect(match(row('com.example.www', 500))).toBe(true);
    expect(match(row('com.ample', 500))).toBe(false);
    expect(match(row('com.examples', 500))).toBe(false);
    expect(match(row('com.example', 1_001))).toBe(false);
    expect(match(row('org.exact', 5))).toBe(true);
    expect(match(row('org.exact.sub', 5))).toBe(false);
    expect(match(row('net.any', 150))).toBe(true);
    expect(match(row('net.any', 200))).toBe(false);
    expect(match(row('net.any', 900, 'key-1'))).toBe(true);
    expect(exclusionMatcher(null)).toBeNull();
  });

  it('a first import starts reading at once and takes the summary with its first page: what history.summary says of the file; a re-import then reads nothing', async () => {
    await fresh();
    const target = daysFile();
    const host = inProcessHost();
    expect((await settled(await startHostImport(db, host, { file: target }, false, { pageVisits: 5, writeBatchVisits: 5 }))).result).toEqual({ read: 15, added: 15, duplicates: 0, invalid: 0 });
    expect(host.summaries).toBe(0);
    expect(host.reads.map((read) => read.summary)).toEqual([true, undefined, undefined]);
    const recorded = (await db.settings.get(sourceSummaryKey(`file:bundles/${target.name}`)))?.value;
    const reply = await host.request('history.summary', { file: target });
    expect(reply.ok && recorded).toEqual(reply.ok && reply.result.summary);
    const again = await settled(await startHostImport(db, host, { file: target }, false));
    expect(again.result).toEqual({ read: 0, added: 0, duplicates: 0, invalid: 0 });
    expect(host.reads).toHaveLength(3);
  });

  it('a first import whose first page was stored but whose summary never arrived records none when resumed: the next import reads the whole file again', async () => {
    await fresh();
    const target = daysFile();
    const sizes = { pageVisits: 5, writeBatchVisits: 5 };
    const host = inProcessHost();
    // The port is lost after the first page's visits arrived, before its reply (with the summary).
    const losing = {
      status: () => host.status(),
      request: async (method: 'history.read', params: MethodParams<'history.read'>, options: RequestOptions = {}) => {
        const reply = await host.request(method, params, options);
        return params.summary ? err('HOST_DISCONNECTED') : reply;
      },
    } as unknown as HistoryHost;
    const jobId = await startHostImport(db, losing, { file: target }, false, sizes);
    const broken = await settled(jobId);
    expect(broken.status).toBe('failed');
    expect(broken.cursor).toMatchObject({ read: 5, summaryFromRead: true });
    expect((broken.cursor as { summary?: unknown }).summary).toBeUndefined();
    await db.jobs.update(jobId, { status: 'running', finishedAt: null, error: null });
    await recoverInterruptedJobs(db, { history_import: (job) => void runHostImport(db, host, job, sizes) });
    expect((await settled(jobId)).result).toEqual({ read: 15, added: 15, duplicates: 0, invalid: 0 });
    // Its rows came from snapshots after the first page's: no summary, no position is kept for the source.
    expect(host.reads.map((read) => read.summary)).toEqual([true, undefined, undefined]);
    expect(await db.settings.get(sourceSummaryKey(`file:bundles/${target.name}`))).toBeUndefined();
    const next = await settled(await startHostImport(db, host, { file: target }, false));
    expect(next.result).toEqual({ read: 15, added: 0, duplicates: 15, invalid: 0 });
    expect(await db.settings.get(sourceSummaryKey(`file:bundles/${target.name}`))).toBeDefined();
  });

  it('a worker that died while the host summarized the file: the resumed job plans again and reads what it should', async () => {
    await fresh();
    const target = daysFile();
    const host = inProcessHost();
    await settled(await startHostImport(db, host, { file: target }, false));
    changeChromiumHistory(join(dir, 'home', 'data', 'bundles', target.name), { add: [{ url: 'https://new.example/', title: 'New day', at: '2024-03-07T09:00:00.000Z', core: 'typed' }] });
    // The port is gone before the summary arrives: the job fails with its cursor still unplanned.
    const lost = { status: async () => ({ state: 'error', error: { code: 'HOST_DISCONNECTED', message: 'gone' } }), request: async () => err('HOST_DISCONNECTED') } as unknown as HistoryHost;
    const jobId = await startHostImport(db, lost, { file: target }, false);
    expect((await settled(jobId)).status).toBe('failed');
    expect((await db.jobs.get(jobId))!.cursor).toMatchObject({ planned: false, read: 0 });
    await db.jobs.update(jobId, { status: 'running', finishedAt: null, error: null });
    await recoverInterruptedJobs(db, { history_import: (job) => void runHostImport(db, host, job) });
    const done = await settled(jobId);
    expect(done.result).toEqual({ read: 1, added: 1, duplicates: 0, invalid: 0 });
    expect(host.reads.at(-1)!.days).toEqual([[day('2024-03-07'), day('2024-03-08')]]);
  });

  it('with a host that cannot summarize (an older version), imports as before: the re-import reads after the last position', async () => {
    await fresh();
    const target = daysFile();
    const host = inProcessHost({ oldHost: true });
    expect((await settled(await startHostImport(db, host, { file: target }, false))).result).toMatchObject({ read: 15, added: 15 });
    changeChromiumHistory(join(dir, 'home', 'data', 'bundles', target.name), { add: [{ url: 'https://new.example/', title: 'New day', at: '2024-03-07T09:00:00.000Z', core: 'typed' }] });
    const again = await settled(await startHostImport(db, host, { file: target }, false));
    expect(again.result).toEqual({ read: 1, added: 1, duplicates: 0, invalid: 0 });
    expect(again.logTail.join('\n')).toContain('cannot summarize');
    expect(host.reads.at(-1)!.days).toBeUndefined();
  });
});
