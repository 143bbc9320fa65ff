/**
 * The `embed` job: walks pages (the latest version of each URL key, in URL-key order), then
 * messages (in id order), embeds those whose vector is missing or out of date, then removes
 * vectors whose item is gone. Each batch's vectors and the job's cursor are written in one
 * transaction, so the stored cursor always means "everything up to here has its vector": a
 * worker killed mid-job resumes from the cursor and never sends a finished item again. Up to
 * date means same model and same text hash; a page is first checked by its version ids
 * (`source`), so an unchanged page is skipped without reading its text.
 */
import { z } from 'zod';
import { CodedError, toAppError } from '../../../shared/errors';
import { quantize, type VectorKind } from '../../../shared/search/vectors';
import type { Job, Page } from '../../../shared/schemas/entities';
import { writeTransaction, type HydraDb, type VectorRow } from '../../db';
import { appendJobLog, createJob, failJob, finishJob, reportProgress, startJob } from '../../jobs';
import { EMBED_BATCH, embedTexts, JOB_TIMEOUT_MS } from './client';
import { DAY_MS } from '../../../shared/time';
import { applyToMatrix, forgetMatrix, getEmbeddingSettings, messageText, modelId, pageSource, pageText, textHash, vectorKey } from './store';

const embedCursor = z.lazy(() => z.object({
  phase: z.enum(['page', 'message', 'sweep']),
  /** The last URL key (pages) or message id (messages) whose vector is stored; null: from the start. */
  after: z.string().nullable(),
  done: z.number().int(),
  embedded: z.number().int(),
  /** Items whose text had not changed: their vector was kept. */
  reused: z.number().int(),
  /** Messages passed over because their reply was still streaming. */
  streaming: z.number().int().default(0),
  /** The dimension of this job's vectors, once the first reply said it. */
  dims: z.number().int().nullable(),
}));
type EmbedCursor = z.infer<typeof embedCursor>;
const storeSignature = z.lazy(() => z.object({ pages: z.number(), messages: z.number(), newestPage: z.number(), newestMessage: z.number() }));
/** What pages and messages looked like when a job was created (the periodic run compares it). */
export type StoreSignature = z.infer<typeof storeSignature>;
export const embedParams = z.lazy(() => z.object({ model: z.string(), signature: storeSignature.optional() }));

/** Settings row: the signature the last successful job started from, and what it left for later. */
export const LAST_RUN_KEY = 'embeddings.lastRun';
const lastRun = z.lazy(() => z.object({ signature: storeSignature, streaming: z.number(), at: z.number() }));
/** Even with no sign of change, the periodic run walks everything once a day. */
const FULL_RUN_EVERY_MS = DAY_MS;

/**
 * Counts and newest times of pages and messages: any added item moves a newest time, any deleted
 * one a count. A message's text changes only while it streams (a run that skipped one says so).
 */
export async function signatureOf(db: HydraDb): Promise<StoreSignature> {
  const [pages, messages, newestPage, newestMessage] = await Promise.all([
    db.pages.count(),
    db.messages.count(),
    db.pages.orderBy('capturedAt').last(),
    db.messages.orderBy('createdAt').last(),
  ]);
  return { pages, messages, newestPage: newestPage?.capturedAt ?? 0, newestMessage: newestMessage?.createdAt ?? 0 };
}

/** Whether the periodic run has anything to do: something changed since the last successful job. */
export async function periodicRunNeeded(db: HydraDb, now = Date.now()): Promise<boolean> {
  const last = lastRun.safeParse((await db.settings.get(LAST_RUN_KEY))?.value);
  if (!last.success || last.data.streaming > 0 || now - last.data.at > FULL_RUN_EVERY_MS) return true;
  return JSON.stringify(await signatureOf(db)) !== JSON.stringify(last.data.signature);
}

export interface EmbedJobResult {
  walked: number;
  embedded: number;
  reused: number;
  removed: number;
  dims: number | null;
}

export interface EmbedJobOptions {
  /** Items per request and per write (tests make it small). */
  batchSize?: number;
  timeoutMs?: number;
  /** Called every ~20 s while the job runs: an extension API call keeps the worker alive. */
  keepAlive?: () => void;
}

/** With nothing to write, the cursor is still stored every this many items walked. */
const CURSOR_EVERY = 1_000;
const KEEP_ALIVE_MS = 20_000;

/** Jobs running in this worker (for cancel, and so a second start is deduplicated). */
const running = new Map<string, { controller: AbortController; finished: Promise<void> }>();

const initialCursor = (): EmbedCursor => ({ phase: 'page', after: null, done: 0, embedded: 0, reused: 0, streaming: 0, dims: null });

/**
 * Starts an embed job, or returns the one already queued or running. `finished` settles when
 * the job ends (tests wait on it; the command returns without waiting).
 */
export async function startEmbedJob(db: HydraDb, options: EmbedJobOptions = {}): Promise<{ jobId: string; deduplicated: boolean; finished: Promise<void> }> {
  const settings = await getEmbeddingSettings(db);
  if (!settings) throw new CodedError('EMBEDDINGS_NOT_CONFIGURED', 'No embeddings endpoint is configured: add one in Settings to embed pages and messages');
  const signature = await signatureOf(db);
  const { job, deduplicated } = await db.transaction('rw', db.jobs, async () => {
    const active = await db.jobs
      .where('status')
      .anyOf('queued', 'running')
      .filter((row) => row.type === 'embed')
      .first();
    if (active) return { job: active, deduplicated: true };
    const created = await createJob(db, { type: 'embed', params: { model: modelId(settings), signature } });
    // The cursor exists from the start, so a worker killed before the first batch still resumes.
    const cursor = initialCursor();
    await db.jobs.update(created.id, { cursor });
    await startJob(db, created.id);
    return { job: { ...created, cursor, status: 'running' as const }, deduplicated: false };
  });
  if (deduplicated) return { jobId: job.id, deduplicated, finished: running.get(job.id)?.finished ?? Promise.resolve() };
  return { jobId: job.id, deduplicated, finished: runEmbedJob(db, job, options) };
}

/** The resumer for 'embed': picks the job up from its stored cursor. */
export function resumeEmbedJob(db: HydraDb, job: Job, options: EmbedJobOptions = {}): Promise<void> {
  return runEmbedJob(db, job, options);
}

/** Stops the job if this worker runs it (it ends `cancelled`); false otherwise. */
export function cancelEmbedJob(jobId: string): boolean {
  const entry = running.get(jobId);
  if (!entry) return false;
  entry.controller.abort();
  return true;
}

/** Stops whatever embed job runs here or is left queued/running (before a model change). */
export async function stopEmbedJobs(db: HydraDb): Promise<void> {
  const active = await db.jobs.where('status').anyOf('queued', 'running').filter((row) => row.type === 'embed').toArray();
  for (const job of active) {
    const entry = running.get(job.id);
    if (entry) {
      entry.controller.abort();
      await entry.finished;
    } else {
      await failJob(db, job.id, { code: 'CANCELLED', message: 'Cancelled: the embeddings settings changed' });
    }
  }
}

/** Every URL key with its version ids, in URL-key order, read from the index alone (no page text). */
async function pageGroups(db: HydraDb): Promise<{ urlKey: string; ids: string[] }[]> {
  const keys = (await db.pages.orderBy('urlKey').keys()) as string[];
  const ids = (await db.pages.orderBy('urlKey').primaryKeys()) as string[];
  const groups: { urlKey: string; ids: string[] }[] = [];
  keys.forEach((urlKey, i) => {
    const last = groups[groups.length - 1];
    if (last?.urlKey === urlKey) last.ids.push(ids[i]!);
    else groups.push({ urlKey, ids: [ids[i]!] });
  });
  return groups;
}

interface Item {
  kind: VectorKind;
  key: string;
  text: string;
  hash: string;
  source?: string;
}

class Restart extends Error {}

export async function runEmbedJob(db: HydraDb, job: Job, options: EmbedJobOptions = {}): Promise<void> {
  const controller = new AbortController();
  let resolveFinished!: () => void;
  const finished = new Promise<void>((resolve) => (resolveFinished = resolve));
  running.set(job.id, { controller, finished });
  const keepAlive = options.keepAlive ? setInterval(options.keepAlive, KEEP_ALIVE_MS) : null;
  const batchSize = options.batchSize ?? EMBED_BATCH;
  try {
    const settings = await getEmbeddingSettings(db);
    if (!settings) throw new CodedError('EMBEDDINGS_NOT_CONFIGURED', 'The embeddings endpoint was removed from Settings');
    const model = modelId(settings);
    const params = embedParams.parse(job.params);
    if (params.model !== model) throw new CodedError('CANCELLED', 'The embeddings model changed; a new job embeds with the new one');
    let cursor = embedCursor.parse(job.cursor);
    let stored = cursor;
    const storedDims = (await db.vectors.where('model').equals(model).first())?.dims ?? null;
    const checkCancel = () => {
      if (controller.signal.aborted) throw new CodedError('CANCELLED', 'Embedding cancelled');
    };

    /** Embeds `items` and builds their rows; the first reply of a job fixes the dimension. */
    const embed = async (items: Item[]): Promise<{ rows: VectorRow[]; reset: boolean }> => {
      if (items.length === 0) return { rows: [], reset: false };
      const vectors = await embedTexts(settings, items.map((item) => item.text), { signal: controller.signal, timeoutMs: options.timeoutMs ?? JOB_TIMEOUT_MS, batchSize, dims: cursor.dims });
      checkCancel();
      const dims = vectors[0]!.length;
      // Stored vectors of another dimension (the server's model changed under the same name) are
      // useless with the new ones: they are dropped and the walk starts over.
      const reset = cursor.dims === null && storedDims !== null && storedDims !== dims;
      cursor = { ...cursor, dims };
      const now = Date.now();
      const rows = items.map((item, i): VectorRow => {
        const { q, scale } = quantize(vectors[i]!);
        return { key: vectorKey(item.kind, item.key), kind: item.kind, model, dims, scale, q, textHash: item.hash, ...(item.source ? { source: item.source } : {}), at: now };
      });
      return { rows, reset };
    };

    /** One transaction: the rows and the cursor that says they are stored. */
    const commit = async (rows: VectorRow[], reset: boolean, total: number) => {
      if (reset) cursor = { ...initialCursor(), dims: cursor.dims };
      const next = cursor;
      await writeTransaction(db, [db.vectors, db.jobs], async () => {
        if (reset) await db.vectors.clear();
        if (rows.length) await db.vectors.bulkPut(rows);
        await reportProgress(db, job.id, { done: next.done, total, cursor: next });
      });
      stored = next;
      if (reset) {
        forgetMatrix(db);
        await appendJobLog(db, job.id, `the endpoint now returns ${next.dims}-dimension vectors: stored vectors of ${storedDims} dimensions dropped, starting over`);
        throw new Restart();
      }
      await applyToMatrix(db, rows, []);
    };

    for (;;) {
      try {
        const groups = await pageGroups(db);
        const total = groups.length + (await db.messages.count());
        if (cursor.phase === 'page') {
          let start = cursor.after === null ? 0 : groups.findIndex((group) => group.urlKey > cursor.after!);
          if (start < 0) start = groups.length;
          for (let i = start; i < groups.length; i += batchSize) {
            checkCancel();
            const chunk = groups.slice(i, i + batchSize);
            const existing = await db.vectors.bulkGet(chunk.map((group) => vectorKey('page', group.urlKey)));
            const stale = chunk.filter((group, j) => !(existing[j]?.model === model && existing[j].source === pageSource(group.ids)));
            const kept: VectorRow[] = [];
            const toEmbed: Item[] = [];
            if (stale.length) {
              const versions = (await db.pages.bulkGet(stale.flatMap((group) => group.ids))).filter((page): page is Page => !!page);
              const latest = new Map<string, Page>();
              for (const page of versions) {
                const best = latest.get(page.urlKey);
                if (!best || page.version > best.version || (page.version === best.version && page.capturedAt > best.capturedAt)) latest.set(page.urlKey, page);
              }
              for (const group of stale) {
                const page = latest.get(group.urlKey);
                if (!page) continue;
                const text = pageText(page);
                const item: Item = { kind: 'page', key: group.urlKey, text, hash: textHash(text), source: pageSource(group.ids) };
                const row = existing[chunk.indexOf(group)];
                // A new version whose embedded part is unchanged keeps its vector.
                if (row?.model === model && row.textHash === item.hash && (cursor.dims === null || row.dims === cursor.dims)) kept.push({ ...row, source: item.source! });
                else if (text) toEmbed.push(item);
              }
            }
            const { rows, reset } = await embed(toEmbed);
            cursor = { ...cursor, after: chunk[chunk.length - 1]!.urlKey, done: cursor.done + chunk.length, embedded: cursor.embedded + rows.length, reused: cursor.reused + kept.length };
            if (rows.length || kept.length || reset || cursor.done - stored.done >= CURSOR_EVERY) await commit([...rows, ...kept], reset, total);
          }
          cursor = { ...cursor, phase: 'message', after: null };
          await commit([], false, total);
        }
        if (cursor.phase === 'message') {
          for (;;) {
            checkCancel();
            const batch = await db.messages.where('id').above(cursor.after ?? '').limit(batchSize).toArray();
            if (batch.length === 0) break;
            const items: Item[] = [];
            for (const message of batch) {
              // A reply still streaming is embedded by a later run, once its text is final.
              if (message.status === 'streaming') {
                cursor = { ...cursor, streaming: cursor.streaming + 1 };
                continue;
              }
              const text = messageText(message);
              if (text) items.push({ kind: 'message', key: message.id, text, hash: textHash(text) });
            }
            const existing = await db.vectors.bulkGet(items.map((item) => vectorKey('message', item.key)));
            const toEmbed = items.filter((item, j) => !(existing[j]?.model === model && existing[j].textHash === item.hash));
            const { rows, reset } = await embed(toEmbed);
            cursor = { ...cursor, after: batch[batch.length - 1]!.id, done: cursor.done + batch.length, embedded: cursor.embedded + rows.length, reused: cursor.reused };
            if (rows.length || reset || cursor.done - stored.done >= CURSOR_EVERY) await commit(rows, reset, total);
          }
          cursor = { ...cursor, phase: 'sweep', after: null };
          await commit([], false, total);
        }
        checkCancel();
        const removed = await sweep(db, model, new Set(groups.map((group) => group.urlKey)));
        await applyToMatrix(db, [], removed);
        const result: EmbedJobResult = { walked: cursor.done, embedded: cursor.embedded, reused: cursor.reused, removed: removed.length, dims: cursor.dims };
        await reportProgress(db, job.id, { done: cursor.done, total: cursor.done });
        await appendJobLog(db, job.id, `done: walked ${result.walked}, embedded ${result.embedded}, kept ${result.reused}, removed ${result.removed}`);
        await writeTransaction(db, [db.jobs, db.settings], async () => {
          if (params.signature) await db.settings.put({ key: LAST_RUN_KEY, value: { signature: params.signature, streaming: cursor.streaming, at: Date.now() }, updatedAt: Date.now() });
          await finishJob(db, job.id, result);
        });
        return;
      } catch (error) {
        if (error instanceof Restart) continue;
        throw error;
      }
    }
  } catch (error) {
    await failJob(db, job.id, controller.signal.aborted ? { code: 'CANCELLED', message: 'Embedding cancelled' } : toAppError(error));
  } finally {
    if (keepAlive) clearInterval(keepAlive);
    running.delete(job.id);
    resolveFinished();
  }
}

/** Deletes vectors of another model and of pages and messages that no longer exist. */
async function sweep(db: HydraDb, model: string, pageKeys: Set<string>): Promise<string[]> {
  const otherModel = (await db.vectors.where('model').notEqual(model).primaryKeys()) as string[];
  const keys = (await db.vectors.where('model').equals(model).primaryKeys()) as string[];
  const messageIds = keys.filter((key) => key.startsWith('message:')).map((key) => key.slice('message:'.length));
  const present = new Set((await db.messages.where('id').anyOf(messageIds).primaryKeys()) as string[]);
  const orphans = keys.filter((key) => (key.startsWith('page:') ? !pageKeys.has(key.slice('page:'.length)) : !present.has(key.slice('message:'.length))));
  const removed = [...otherModel, ...orphans];
  if (removed.length) await db.vectors.bulkDelete(removed);
  return removed;
}
