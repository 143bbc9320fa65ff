/**
 * Bundle export, preview and import in the background's code, on Dexie + fake-indexeddb, with
 * the real host handlers run in-process behind the BundleHost interface (real files in a temp dir,
 * the method schemas applied as the router applies them).
 */
import Dexie from 'dexie';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { importRows, openRowSource, previewSource, writeScope, type BundleHost } from '../../../extension/bundles';
import { startExport } from '../../../extension/bundles/export';
import { hostSink, hostSource } from '../../../extension/bundles/files';
import { prepareBatch, writePrepared } from '../../../extension/bundles/stores';
import { COUNTED_STORES, createDatabase, DISK_HEADROOM_BYTES, storeCounterKey, type HydraDb } from '../../../extension/db';
import { bundleHandlers } from '../../../native-host/commands/bundle';
import { hostPaths } from '../../../native-host/core/paths';
import { createLogger } from '../../../native-host/logger';
import { COMPONENTS } from '../../../shared/bundle/format';
import { memorySink } from '../../../shared/bundle/write';
import { bytesSource } from '../../../shared/bundle/zip-read';
import { CodedError, err, toAppError } from '../../../shared/errors';
import { makeVisit } from '../../../shared/history/visit';
import { methods } from '../../../shared/protocol/methods';
import { damagedBundles } from '../../fixtures/bundles';
import { makeFixtureRows } from '../../support/fixture-rows';
import { storedVisitCount, storedVisits } from '../../support/visits';
import { visitTables } from '../../../extension/visits';

let dir: string;
const open: HydraDb[] = [];
let n = 0;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hf-bundles-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  for (const db of open.splice(0)) {
    db.close();
    await Dexie.delete(db.name);
  }
});

function freshDb(): HydraDb {
  const db = createDatabase(`bundles-${n++}`);
  open.push(db);
  return db;
}

/** Profile A: the fixture rows plus a second thread with its own rows, and 2,500 visits. */
async function fillProfile(db: HydraDb): Promise<void> {
  const rows = makeFixtureRows();
  for (const component of COMPONENTS) await (db[component] as Dexie.Table).bulkAdd(rows[component] as never[]);
  const t = Date.UTC(2025, 5, 1);
  await db.threads.add({ ...rows.threads[0]!, id: 't2', title: 'Second', urlKeys: [], url: null });
  await db.messages.add({ ...rows.messages[0]!, id: 'm2', threadId: 't2', content: 'second thread note' });
  await db.memories.add({ ...rows.memories[0]!, id: 'y2', scope: 'thread', threadId: 't2', textHash: 'c'.repeat(64), text: 'thread fact' });
  await db.visits.bulkAdd(Array.from({ length: 2500 }, (_, i) => makeVisit({ url: `https://site${i % 50}.example/p/${i}`, title: `Page ${i}`, visitedAt: t + i * 60_000, transition: 'link', source: 'chrome' })));
}

async function contents(db: HydraDb): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const component of COMPONENTS) out[component] = component === 'visits' ? await storedVisits(db) : await (db[component] as Dexie.Table).toArray();
  return out;
}

async function exportBytes(db: HydraDb, scope: Parameters<typeof writeScope>[1] = { kind: 'all' }): Promise<Uint8Array> {
  const sink = memorySink();
  await writeScope(db, scope, sink);
  return sink.bytes();
}

async function importBytes(db: HydraDb, bytes: Uint8Array) {
  return importRows(db, await openRowSource(bytesSource(bytes)), { component: 0, row: 0, report: null });
}

function inProcessHost(): BundleHost {
  const paths = hostPaths('linux', dir, { HYDRAFLOW_HOME: join(dir, 'home') });
  const handlers = bundleHandlers({ paths, platform: 'linux', log: createLogger({ logDir: paths.logDir, toStderr: false }) }) as Record<string, (params: unknown, ctx: unknown) => Promise<unknown>>;
  return {
    request: (async (method: string, params: unknown) => {
      const spec = methods[method as keyof typeof methods];
      const parsed = spec.params.safeParse(params);
      if (!parsed.success) return err('INVALID_PARAMS', parsed.error.message);
      try {
        return await handlers[method]!(parsed.data, {});
      } catch (error) {
        return { ok: false, error: toAppError(error) };
      }
    }) as BundleHost['request'],
  };
}

describe('bundle export and import', () => {
  it('round-trips every store of a profile into a fresh one, equal by content; a second import adds nothing', async () => {
    const a = freshDb();
    await fillProfile(a);
    const bytes = await exportBytes(a);
    const b = freshDb();
    const first = await importBytes(b, bytes);
    expect(await contents(b)).toEqual(await contents(a));
    expect(first.visits).toEqual({ rows: 2502, added: 2502, present: 0, invalid: 0 });
    expect(first.threads).toEqual({ rows: 2, added: 2, present: 0, invalid: 0 });
    const second = await importBytes(b, bytes);
    for (const component of COMPONENTS) expect(second[component], component).toMatchObject({ added: 0, present: second[component]!.rows });
    expect(await contents(b)).toEqual(await contents(a));
    // Two imports of ~2,500 rows on fake-indexeddb: over 5 s on this shared machine under load.
  }, 30_000);

  it('keeps the overview counters exact through an import and a re-import', async () => {
    const a = freshDb();
    await fillProfile(a);
    const bytes = await exportBytes(a);
    const b = freshDb();
    await importBytes(b, bytes);
    await importBytes(b, bytes);
    for (const store of COUNTED_STORES) {
      if (store === 'jobs') continue;
      const counter = await b.counters.get(storeCounterKey(store));
      expect(counter?.n ?? 0, store).toBe(store === 'visits' ? await storedVisitCount(b) : await (b[store] as Dexie.Table).count());
    }
  });

  it('previews what a bundle holds and what would be added, writing nothing', async () => {
    const a = freshDb();
    await fillProfile(a);
    const bytes = await exportBytes(a);
    const b = freshDb();
    await b.visits.bulkAdd((await a.visits.limit(100).toArray()));
    const preview = await previewSource(b, await openRowSource(bytesSource(bytes)));
    expect(preview.format).toBe('hydraflow-bundle');
    expect(preview.schemaVersion).toBe(1);
    expect(preview.components.visits).toEqual({ rows: 2502, added: 2402, present: 100, invalid: 0 });
    expect(preview.components.threads).toEqual({ rows: 2, added: 2, present: 0, invalid: 0 });
    expect(await storedVisitCount(b)).toBe(100);
    expect(await b.threads.count()).toBe(0);
  });

  it('exports one thread with its messages, tasks, events, memories, snapshots and pages, and nothing else', async () => {
    const a = freshDb();
    await fillProfile(a);
    const b = freshDb();
    await importBytes(b, await exportBytes(a, { kind: 'threads', threadIds: ['t1'] }));
    const got = await contents(b);
    expect(got.threads!.map((t) => (t as { id: string }).id)).toEqual(['t1']);
    expect(got.messages!.map((m) => (m as { id: string }).id)).toEqual(['m1']);
    expect(got.tasks).toHaveLength(1);
    expect(got.taskEvents).toHaveLength(1);
    expect(got.tabSnapshots).toHaveLength(1);
    expect(got.pages).toHaveLength(1);
    expect(got.memories).toEqual([]); // the fixture memory is global, not the thread's
    expect(got.visits).toEqual([]);
  });

  it('exports history in a date range: only the visits inside it', async () => {
    const a = freshDb();
    await fillProfile(a);
    const from = Date.UTC(2025, 5, 1);
    const b = freshDb();
    const report = await importBytes(b, await exportBytes(a, { kind: 'history', from, to: from + 99 * 60_000 }));
    expect(report.visits!.added).toBe(100);
    expect(await b.threads.count()).toBe(0);
    expect(Math.min(...(await storedVisits(b)).map((v) => v.visitedAt))).toBe(from);
  });

  it('refuses a history export with no dates or an inverted range, creating no job ("everything" is the all scope)', async () => {
    const a = freshDb();
    await expect(startExport(a, inProcessHost(), { kind: 'history', from: null, to: null }, { kind: 'download' })).rejects.toMatchObject({ code: 'FILTER_REQUIRED' });
    await expect(startExport(a, inProcessHost(), { kind: 'history', from: 2_000, to: 1_000 }, { kind: 'download' })).rejects.toMatchObject({ code: 'FILTER_INVALID' });
    expect(await a.jobs.count()).toBe(0);
  });

  it('dedupes visits by (URL, time), pages by (URL, content hash) and memories by (scope, thread, text hash) whatever their ids', async () => {
    const a = freshDb();
    await fillProfile(a);
    const bytes = await exportBytes(a);
    const b = freshDb();
    const rows = makeFixtureRows();
    await b.pages.add({ ...rows.pages[0]!, id: 'other-page-id' });
    await b.memories.add({ ...rows.memories[0]!, id: 'other-memory-id' });
    const visit = rows.visits[0]!;
    await b.visits.add({ ...visit, url: visit.url.replace('https://example.com', 'HTTPS://EXAMPLE.COM'), id: visit.id });
    const report = await importBytes(b, bytes);
    expect(report.pages).toEqual({ rows: 1, added: 0, present: 1, invalid: 0 });
    expect(report.memories).toEqual({ rows: 2, added: 1, present: 1, invalid: 0 });
    expect(report.visits!.present).toBe(1);
    expect(await b.pages.count()).toBe(1);
  });

  it('counts visits of other schemes than http(s) invalid (preview and import) and never stores them', async () => {
    const a = freshDb();
    await fillProfile(a);
    const visit = makeFixtureRows().visits[0]!;
    const hostile = ['javascript:alert(document.domain)', 'data:text/html,<script>alert(1)</script>', 'file:///etc/passwd'];
    await a.visits.bulkAdd(hostile.map((url, i) => makeVisit({ ...visit, url, visitedAt: visit.visitedAt + i + 1 })));
    const bytes = await exportBytes(a);
    const b = freshDb();
    const preview = await previewSource(b, await openRowSource(bytesSource(bytes)));
    expect(preview.components.visits!.invalid).toBe(3);
    const report = await importBytes(b, bytes);
    expect(report.visits!.invalid).toBe(3);
    expect(report.visits!.added).toBe(report.visits!.rows - 3);
    expect((await storedVisits(b)).map((v) => v.url).filter((url) => !/^https?:/.test(url))).toEqual([]);
  });

  it('finds stored rows whether a batch is one key range or scattered over a large store (preview and import)', async () => {
    const a = freshDb();
    const visits = Array.from({ length: 5000 }, (_, i) => makeVisit({ url: `https://spread.example/${i}`, title: '', visitedAt: i, transition: 'link', source: 'chrome' }));
    const sorted = [...visits].sort((x, y) => (x.id < y.id ? -1 : 1));
    // The first, middle and last key: a batch whose range spans the whole store.
    await a.visits.bulkAdd([sorted[0]!, sorted[2500]!, sorted[4999]!]);
    const bytes = await exportBytes(a);
    const b = freshDb();
    await b.visits.bulkAdd([...sorted.slice(0, 4000)]);
    // The preview reads keys (one range, here too large, so key by key); the import adds blind.
    expect((await previewSource(b, await openRowSource(bytesSource(bytes)))).components.visits).toEqual({ rows: 3, added: 1, present: 2, invalid: 0 });
    const report = await importBytes(b, bytes);
    expect(report.visits).toEqual({ rows: 3, added: 1, present: 2, invalid: 0 });
    expect(await storedVisitCount(b)).toBe(4001);
  });

  it('counts a row stored between the readonly key check and the write as already present, and stores it once (visits by key, pages by content)', async () => {
    const b = freshDb();
    const rows = makeFixtureRows();
    const visits = Array.from({ length: 30 }, (_, i) => makeVisit({ url: `https://race.example/${i}`, title: '', visitedAt: i, transition: 'link', source: 'chrome' }));
    const visitBatch = await prepareBatch(b, 'visits', visits);
    const pageBatch = await prepareBatch(b, 'pages', rows.pages);
    expect(visitBatch.candidates).toHaveLength(30);
    expect(pageBatch.candidates).toHaveLength(rows.pages.length);
    // Another writer (a history import, a page refresh) stores rows after the check.
    await b.visits.add(visits[7]!);
    await b.pages.add({ ...rows.pages[0]!, id: 'refreshed-same-content' });
    const [visitOutcome, pageOutcome] = await b.transaction('rw', [...visitTables(b), b.pages], async () => [await writePrepared(b, visitBatch), await writePrepared(b, pageBatch)]);
    expect(visitOutcome).toEqual({ added: 29, present: 1, invalid: 0 });
    expect(pageOutcome).toEqual({ added: rows.pages.length - 1, present: 1, invalid: 0 });
    expect(await storedVisitCount(b)).toBe(30);
    expect(await b.pages.count()).toBe(rows.pages.length);
    expect((await b.counters.get(storeCounterKey('visits')))?.n).toBe(30);
  });

  it('skips rows already stored before the write transaction, so a re-import adds nothing and counts every row present', async () => {
    const b = freshDb();
    const visits = Array.from({ length: 50 }, (_, i) => makeVisit({ url: `https://again.example/${i}`, title: '', visitedAt: i, transition: 'link', source: 'chrome' }));
    await b.visits.bulkAdd(visits.slice(0, 20));
    const prepared = await prepareBatch(b, 'visits', visits);
    expect(prepared.candidates.map((v) => v.id).sort()).toEqual(visits.slice(20).map((v) => v.id).sort());
    expect(await b.transaction('rw', visitTables(b), () => writePrepared(b, prepared))).toEqual({ added: 30, present: 20, invalid: 0 });
    expect(await storedVisitCount(b)).toBe(50);
  });

  /**
   * A profile with 25,000 more visits (several visit batches) as a bundle, and the profile's
   * contents, built once for the tests that cut an import off (afterEach deletes the profile).
   */
  let bulk: Promise<{ expected: Record<string, unknown[]>; bytes: Uint8Array }> | null = null;
  const bulkBundle = () =>
    (bulk ??= (async () => {
      const a = freshDb();
      await fillProfile(a);
      await a.visits.bulkAdd(Array.from({ length: 25_000 }, (_, i) => makeVisit({ url: `https://bulk.example/${i}`, title: '', visitedAt: i, transition: 'typed', source: 'firefox' })));
      return { expected: await contents(a), bytes: await exportBytes(a) };
    })());
  /** An import of `bytes` into `b` cut off after the visits' first batch (its cursor `saved`): the cursor equals what is stored, and resuming from it ends with the `expected` contents, every row once. */
  const expectResumedAtRow200 = async (expected: Record<string, unknown[]>, b: HydraDb, bytes: Uint8Array, saved: Parameters<typeof importRows>[2]) => {
    expect(COMPONENTS[saved.component]).toBe('visits');
    expect(saved.row).toBe(200);
    expect(await storedVisitCount(b)).toBe(200);
    const report = await importRows(b, await openRowSource(bytesSource(bytes)), saved);
    expect(report.visits).toEqual({ rows: 27_502, added: 27_502, present: 0, invalid: 0 });
    expect(await contents(b)).toEqual(expected);
  };

  it('resumes an import cut off mid-way from its cursor and ends with no duplicates', async () => {
    const { expected, bytes } = await bulkBundle();
    const b = freshDb();
    let saved: Parameters<typeof importRows>[2] | null = null;
    let batches = 0;
    await expect(
      importRows(b, await openRowSource(bytesSource(bytes)), { component: 0, row: 0, report: null }, {
        save: async (cursor) => {
          batches += 1;
          // The worker dies inside the transaction of the 9th batch (the second of visits, after a
          // first one of 200: a run's first batch is small): it never commits.
          if (batches === 9) throw new CodedError('JOB_INTERRUPTED', 'killed');
          saved = structuredClone(cursor);
        },
      }),
    ).rejects.toMatchObject({ code: 'JOB_INTERRUPTED' });
    expect(saved).not.toBeNull();
    await expectResumedAtRow200(expected, b, bytes, saved!);
  }, 60_000);

  it('stops with QUOTA_EXCEEDED before a batch would eat into the disk headroom: the saved cursor equals what is stored, and the resumed import ends with every row once', async () => {
    const { expected, bytes } = await bulkBundle();
    const b = freshDb();
    // What Chromium's StorageManager says with unlimitedStorage: quota − usage is the disk's free space.
    let estimates = 0;
    vi.stubGlobal('navigator', { storage: { estimate: () => Promise.resolve({ usage: 1e6, quota: 1e6 + (++estimates <= 8 ? 1e9 : DISK_HEADROOM_BYTES - 1) }) } });
    let saved: Parameters<typeof importRows>[2] | null = null;
    try {
      await expect(importRows(b, await openRowSource(bytesSource(bytes)), { component: 0, row: 0, report: null }, { save: async (cursor) => void (saved = structuredClone(cursor)) })).rejects.toMatchObject({ code: 'QUOTA_EXCEEDED' });
    } finally {
      vi.unstubAllGlobals();
    }
    expect(estimates).toBe(9);
    await expectResumedAtRow200(expected, b, bytes, saved!);
  }, 60_000);

  it('refuses every damaged bundle before writing anything', async () => {
    const b = freshDb();
    await fillProfile(b);
    const before = await contents(b);
    for (const damaged of await damagedBundles()) {
      const attempt = openRowSource(bytesSource(damaged.bytes)).then((source) => importRows(b, source, { component: 0, row: 0, report: null }));
      await expect(attempt, damaged.name).rejects.toMatchObject({ code: damaged.code });
    }
    expect(await contents(b)).toEqual(before);
  });

  it('writes and reads a bundle through the host in frame-sized slices', async () => {
    const a = freshDb();
    await fillProfile(a);
    await a.pages.add({ ...makeFixtureRows().pages[0]!, id: 'big', contentHash: 'd'.repeat(64), text: 'x'.repeat(3_000_000) });
    const host = inProcessHost();
    const sink = await hostSink(host, { fileName: 'unit.hydraflow' });
    await writeScope(a, { kind: 'all' }, sink);
    const place = await sink.close();
    expect(place.path).toBe(join(dir, 'home', 'data', 'bundles', 'unit.hydraflow'));
    expect(readdirSync(join(dir, 'home', 'data', 'bundles'))).toEqual(['unit.hydraflow']);
    const b = freshDb();
    await importRows(b, await openRowSource(await hostSource(host, { folderId: 'bundles', name: 'unit.hydraflow' })), { component: 0, row: 0, report: null });
    expect(await contents(b)).toEqual(await contents(a));
    const again = await hostSink(host, { fileName: 'unit.hydraflow' }).catch((error: unknown) => error);
    expect(again).toMatchObject({ code: 'BUNDLE_FILE_EXISTS' });
  });
});
