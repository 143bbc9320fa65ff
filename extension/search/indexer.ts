/**
 * The search index inside the service worker: loaded from its segments on first use (never at
 * worker start), kept current from the journal, persisted segment by segment, and rebuilt,
 * verified or compacted as jobs.
 *
 * Consistency: applying the journal writes the changed segments and deletes the applied journal
 * rows in one transaction. A settings row (`search.index`) says which index format is stored and
 * whether the last build finished; a missing, older or unfinished index is rebuilt from the stores.
 * Every change to the in-memory index runs through one queue, so a drain never interleaves with a
 * rebuild or a verify.
 */
import { CodedError, toAppError } from '../../shared/errors';
import { INDEX_VERSION, SearchIndex, docSignature, type SegmentRecord } from '../../shared/search/engine';
import { SEARCH_KINDS, type SearchKind } from '../../shared/search/kinds';
import { segmentBytes } from '../../shared/search/segment';
import type { HydraDb, SegmentRow } from '../db';
import { storeCounterKey, type CountedStore } from '../db/counters';
import { appendJobLog, createJob, failJob, finishJob, reportProgress, startJob } from '../jobs/ledger';
import { loadDocs, walkDocs } from './documents';
import { forgetVectors } from './embeddings';
import { setJournalListener } from './journal';

export const INDEX_META_KEY = 'search.index';
interface IndexMeta {
  v: string;
  complete: boolean;
  builtAt: number;
}

const STORE_OF: Record<SearchKind, CountedStore> = { visit: 'visits', page: 'pages', thread: 'threads', message: 'messages', task: 'tasks', memory: 'memories' };
/** Journal rows read per drain step, and documents re-read per step when the journal is long. */
const DRAIN_ROWS = 200;
const DRAIN_KEYS = 5_000;
/** Quiet time after a write before the journal is applied (writes come in bursts). */
const DRAIN_DELAY_MS = 300;
/** While an import runs, the background drain looks again this often. */
const IMPORT_RECHECK_MS = 5_000;

export interface VerifyReport {
  checked: number;
  missing: number;
  stale: number;
  extra: number;
  repaired: number;
}

export class Indexer {
  private index: SearchIndex | null = null;
  private loading: Promise<SearchIndex> | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private drainTimer: ReturnType<typeof setTimeout> | null = null;
  private running: { jobId: string; type: 'index_rebuild' | 'index_verify' | 'index_compact'; cancelled: boolean } | null = null;
  /** True while a rebuild fills a fresh index (queries see what is built so far). */
  building = false;

  /** `chunkKeys`: documents re-read per drain step when the journal is long (tests make it small). */
  constructor(
    private readonly db: HydraDb,
    private readonly chunkKeys = DRAIN_KEYS,
  ) {}

  /** Listens to the journal: writes schedule a drain; a wipe of the segments drops the loaded index. */
  attach(): void {
    setJournalListener({
      written: () => this.scheduleDrain(),
      segmentsCleared: () => {
        if (this.running || this.building) return;
        this.index = null;
        this.loading = null;
      },
    });
  }

  private exclusive<T>(run: () => Promise<T>): Promise<T> {
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  get loaded(): boolean {
    return this.index !== null;
  }

  /** The index, loaded from its segments; a missing or outdated one is rebuilt first (as a job). */
  async ready(): Promise<SearchIndex> {
    if (this.index) return this.index;
    this.loading ??= this.load().catch((error: unknown) => {
      this.loading = null;
      throw error;
    });
    return this.loading;
  }

  private async load(): Promise<SearchIndex> {
    for (let built = false; ; built = true) {
      if (await this.storedIndexComplete()) {
        const rows = await this.db.searchSegments.toArray();
        if (rows.every((row) => row.v === INDEX_VERSION)) {
          this.index = SearchIndex.load(rows);
          return this.index;
        }
      }
      if (built) throw new CodedError('INTERNAL_ERROR', 'The search index could not be built: see the index rebuild job');
      // Never built, another format, or a build cut off by a crash: build it now, then load what it stored.
      const { jobId } = await this.startJob('index_rebuild');
      await this.waitFor(jobId);
    }
  }

  /** Whether the stored segments are a finished build of this index format (the `search.index` row says so). */
  private async storedIndexComplete(): Promise<boolean> {
    const meta = (await this.db.settings.get(INDEX_META_KEY))?.value as IndexMeta | undefined;
    return meta?.v === INDEX_VERSION && meta.complete;
  }

  private waiters = new Map<string, { promise: Promise<void> }>();
  private waitFor(jobId: string): Promise<void> {
    return this.waiters.get(jobId)?.promise ?? Promise.resolve();
  }

  scheduleDrain(delay = DRAIN_DELAY_MS): void {
    if (this.drainTimer) return;
    this.drainTimer = setTimeout(() => {
      this.drainTimer = null;
      // Nothing loaded yet: the journal waits for the first search (which applies it), unless it grows.
      void this.drainIfLoaded().catch((error: unknown) => console.error('[hydraflow] index drain failed', error));
    }, delay);
  }

  private async drainIfLoaded(): Promise<void> {
    // An import writes in big batches: index them once it is over (a search meanwhile still applies a chunk).
    const importing = await this.db.jobs.where('status').equals('running').filter((job) => job.type === 'history_import' || job.type === 'bundle_import').count();
    if (importing > 0) {
      this.scheduleDrain(IMPORT_RECHECK_MS);
      return;
    }
    if (!this.index) {
      // Loaded only for a long journal, and never built here: a first build waits for the first search.
      if (!(await this.storedIndexComplete()) || (await this.db.searchJournal.count()) <= 50) return;
    }
    await this.ready();
    // Chunk by chunk, each its own turn in the queue: a search waits for one chunk at most.
    while (await this.exclusive(() => this.drainChunk(this.chunkKeys))) await new Promise((resolve) => setTimeout(resolve, 0));
  }

  /**
   * Applies journal rows to the index and persists the result: everything (`all`), or one chunk
   * of about `chunkKeys` documents when the journal is long (after a big import), so a search
   * answers at once and a scheduled drain does the rest. Returns whether rows are left.
   */
  drain(mode: 'all' | 'chunk' = 'all'): Promise<boolean> {
    return this.exclusive(async () => {
      if (mode === 'chunk') {
        const more = await this.drainChunk(this.chunkKeys);
        if (more) this.scheduleDrain(0);
        return more;
      }
      await this.drainNow();
      return false;
    });
  }

  private async drainNow(): Promise<void> {
    while (await this.drainChunk(Infinity));
  }

  private async drainChunk(maxKeys: number): Promise<boolean> {
    if (this.building || !this.index) return false;
    const rows = await this.db.searchJournal.orderBy('seq').limit(DRAIN_ROWS).toArray();
    if (rows.length === 0) return false;
    const pending = new Map<SearchKind, Set<string>>();
    let taken = 0;
    let keyCount = 0;
    for (const row of rows) {
      if (taken > 0 && keyCount + (row.keys?.length ?? 0) > maxKeys) break;
      taken++;
      if (row.keys === null) {
        this.index.clearKind(row.kind);
        pending.delete(row.kind);
        continue;
      }
      keyCount += row.keys.length;
      let keys = pending.get(row.kind);
      if (!keys) pending.set(row.kind, (keys = new Set()));
      for (const key of row.keys) keys.add(key);
    }
    const gone: { kind: SearchKind; key: string }[] = [];
    for (const [kind, keys] of pending) gone.push(...(await this.apply(kind, [...keys])));
    await this.persist(rows[taken - 1]!.seq!);
    // A deleted page's or message's embedding goes with it (an orphan left by a crash here is
    // never shown — hits whose row is gone are dropped — and the next embed run removes it).
    if (gone.length > 0) await forgetVectors(this.db, gone);
    return taken < rows.length || rows.length === DRAIN_ROWS;
  }

  /** Re-reads `keys` and updates the index; returns the documents that no longer exist. */
  private async apply(kind: SearchKind, keys: string[]): Promise<{ kind: SearchKind; key: string }[]> {
    const index = this.index!;
    const gone: { kind: SearchKind; key: string }[] = [];
    // Visit chunks hold up to 256 URLs each (docs/storage.md): after a big import, 2,000 URL keys
    // already reach most chunks, so visits go in larger groups (each chunk read fewer times).
    const group = kind === 'visit' ? 20_000 : 2000;
    for (let i = 0; i < keys.length; i += group) {
      const slice = keys.slice(i, i + group);
      const docs = await loadDocs(this.db, kind, slice);
      for (const key of slice) {
        const doc = docs.get(key);
        if (doc) index.upsert(doc);
        else if (index.remove(kind, key)) gone.push({ kind, key });
      }
    }
    return gone;
  }

  /** Writes the changed segments and deletes the journal up to `throughSeq`, in one transaction. */
  private async persist(throughSeq: number | null, meta?: IndexMeta, all = false): Promise<void> {
    const index = this.index!;
    const records: SegmentRecord[] = all ? index.compact() : index.dirtySegments();
    const rows: SegmentRow[] = records.map((record) => ({ key: record.key, v: INDEX_VERSION, kind: record.kind, data: record.data }));
    await this.db.transaction('rw', [this.db.searchSegments, this.db.searchJournal, this.db.settings], async () => {
      if (all) {
        const keep = new Set(rows.map((row) => row.key));
        const stale = (await this.db.searchSegments.toCollection().primaryKeys()).filter((key) => !keep.has(key));
        await this.db.searchSegments.bulkDelete(stale);
      }
      await this.db.searchSegments.bulkPut(rows);
      if (throughSeq !== null) await this.db.searchJournal.where('seq').belowOrEqual(throughSeq).delete();
      if (meta) await this.db.settings.put({ key: INDEX_META_KEY, value: meta, updatedAt: Date.now() });
    });
    index.markClean(records.map((record) => record.key));
  }

  async status(): Promise<{ docs: Record<SearchKind, number>; segments: number; bytes: number; loaded: boolean; pending: number; version: string }> {
    const pending = await this.db.searchJournal.count();
    const index = this.index;
    if (index) return { docs: index.counts(), segments: index.segmentCount, bytes: index.bytes, loaded: true, pending, version: INDEX_VERSION };
    // Not loaded: answer from the stored rows' sizes without loading them.
    const docs = Object.fromEntries(SEARCH_KINDS.map((kind) => [kind, 0])) as Record<SearchKind, number>;
    let bytes = 0;
    let segments = 0;
    await this.db.searchSegments.each((row) => {
      segments++;
      docs[row.kind] += row.data.at.length;
      bytes += segmentBytes(row.data);
    });
    return { docs, segments, bytes, loaded: false, pending, version: INDEX_VERSION };
  }

  /** Starts a maintenance job (one at a time); resolves with its id once it is recorded. */
  async startJob(type: 'index_rebuild' | 'index_verify' | 'index_compact', params: { repair?: boolean } = {}): Promise<{ jobId: string }> {
    if (this.running) {
      if (this.running.type === type) return { jobId: this.running.jobId };
      throw new CodedError('SEARCH_INDEX_BUSY', `An index ${this.running.type.replace('index_', '')} is running (job ${this.running.jobId})`);
    }
    const job = await createJob(this.db, { type, params });
    const state = { jobId: job.id, type, cancelled: false };
    this.running = state;
    const body = type === 'index_rebuild' ? () => this.rebuild(job.id, state) : type === 'index_verify' ? () => this.verify(job.id, state, params.repair ?? true) : () => this.compact(job.id);
    const promise = this.exclusive(async () => {
      try {
        await startJob(this.db, job.id);
        const result = await body();
        await finishJob(this.db, job.id, result);
      } catch (error) {
        await failJob(this.db, job.id, state.cancelled ? { code: 'CANCELLED', message: 'Cancelled' } : toAppError(error));
      } finally {
        this.running = null;
        this.waiters.delete(job.id);
      }
    });
    this.waiters.set(job.id, { promise });
    return { jobId: job.id };
  }

  cancel(jobId: string): boolean {
    if (this.running?.jobId !== jobId) return false;
    this.running.cancelled = true;
    return true;
  }

  private async totals(): Promise<number> {
    const rows = await this.db.counters.bulkGet(SEARCH_KINDS.map((kind) => storeCounterKey(STORE_OF[kind])));
    return rows.reduce((sum, row) => sum + (row?.n ?? 0), 0);
  }

  private async rebuild(jobId: string, state: { cancelled: boolean }): Promise<{ docs: Record<SearchKind, number>; segments: number; bytes: number; ms: number }> {
    const started = performance.now();
    const total = await this.totals();
    const last = await this.db.searchJournal.orderBy('seq').last();
    await this.db.settings.put({ key: INDEX_META_KEY, value: { v: INDEX_VERSION, complete: false, builtAt: Date.now() } satisfies IndexMeta, updatedAt: Date.now() });
    const index = SearchIndex.empty();
    this.index = index;
    this.building = true;
    try {
      let done = 0;
      let reported = 0;
      for (const kind of SEARCH_KINDS) {
        await walkDocs(this.db, kind, async (docs, rows) => {
          if (state.cancelled) throw new CodedError('CANCELLED');
          for (const doc of docs) index.upsert(doc);
          done += rows;
          if (done - reported >= 10_000) {
            reported = done;
            await reportProgress(this.db, jobId, { done, total });
          }
        });
      }
      await reportProgress(this.db, jobId, { done, total });
      await this.persist(last?.seq ?? null, { v: INDEX_VERSION, complete: true, builtAt: Date.now() }, true);
    } finally {
      this.building = false;
    }
    // The next search loads the index from what was just stored: a built index holds ~1.6× the heap
    // of a loaded one at full scale (206 vs 127 MB), and searches during the build used the partial one.
    this.index = null;
    this.loading = null;
    return { docs: index.counts(), segments: index.segmentCount, bytes: index.bytes, ms: Math.round(performance.now() - started) };
  }

  private async verify(jobId: string, state: { cancelled: boolean }, repair: boolean): Promise<VerifyReport> {
    const index = await this.loadedForMaintenance();
    await this.drainNow();
    const total = await this.totals();
    const report: VerifyReport = { checked: 0, missing: 0, stale: 0, extra: 0, repaired: 0 };
    let done = 0;
    for (const kind of SEARCH_KINDS) {
      const seen = new Set<string>();
      await walkDocs(this.db, kind, async (docs, rows) => {
        if (state.cancelled) throw new CodedError('CANCELLED');
        for (const doc of docs) {
          seen.add(doc.key);
          report.checked++;
          const stored = index.signature(kind, doc.key);
          if (stored === docSignature(doc)) continue;
          if (stored === undefined) report.missing++;
          else report.stale++;
          if (repair) {
            index.upsert(doc);
            report.repaired++;
          }
        }
        done += rows;
        await reportProgress(this.db, jobId, { done, total });
      });
      const extra = [...index.keys(kind)].filter((key) => !seen.has(key));
      report.extra += extra.length;
      if (repair) for (const key of extra) if (index.remove(kind, key)) report.repaired++;
    }
    if (report.repaired > 0) {
      await this.persist(null);
      await appendJobLog(this.db, jobId, `repaired ${report.repaired} index entries (${report.missing} missing, ${report.stale} stale, ${report.extra} extra)`);
    }
    return report;
  }

  private async compact(jobId: string): Promise<{ segments: number; bytesBefore: number; bytesAfter: number }> {
    const index = await this.loadedForMaintenance();
    await this.drainNow();
    const bytesBefore = index.bytes;
    await this.persist(null, undefined, true);
    await reportProgress(this.db, jobId, { done: index.segmentCount, total: index.segmentCount });
    return { segments: index.segmentCount, bytesBefore, bytesAfter: index.bytes };
  }

  /** Inside the queue: the loaded index, with the journal applied (a missing index cannot be verified: it is rebuilt). */
  private async loadedForMaintenance(): Promise<SearchIndex> {
    if (!this.index) {
      if (!(await this.storedIndexComplete())) throw new CodedError('SEARCH_INDEX_BUSY', 'The index has not been built yet: rebuild it first');
      this.index = SearchIndex.load(await this.db.searchSegments.toArray());
      this.loading = Promise.resolve(this.index);
    }
    return this.index;
  }
}
