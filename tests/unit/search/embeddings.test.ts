/**
 * Embeddings: int8 vectors and their search, reciprocal-rank fusion, and the `embed` job against
 * a real embeddings server on loopback (tests/support/fake-embeddings.ts, both API shapes) with
 * Dexie on fake-indexeddb. The server counts every input it answers, so "embedded once" is
 * checked where it happens.
 */
import { createHash } from 'node:crypto';
import Dexie from 'dexie';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDatabase, type HydraDb } from '../../../extension/db';
import { recoverInterruptedJobs } from '../../../extension/jobs';
import {
  cancelEmbedJob,
  embeddingCommandHandlers,
  forgetVectors,
  periodicRunNeeded,
  embedTexts,
  relatedByVector,
  resumeEmbedJob,
  saveEmbeddingSettings,
  startEmbedJob,
  vectorHits,
  type EmbedJobResult,
} from '../../../extension/search/embeddings';
import type { EmbeddingSettings } from '../../../shared/commands/embeddings';
import { CodedError } from '../../../shared/errors';
import type { Job, Message, Page } from '../../../shared/schemas/entities';
import { cosine, cosineInt8, dequantize, fuseHybrid, quantize, VectorMatrix, EXACT_SCAN_LIMIT } from '../../../shared/search/vectors';
import { urlKey } from '../../../shared/url';
import { startFakeEmbeddings, type FakeEmbeddings } from '../../support/fake-embeddings';

/** A seeded pseudo-random generator: the same numbers on every run. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('int8 vectors', () => {
  it('keeps cosine similarity within 0.01 of float32 at 384 and 768 dimensions', () => {
    const next = random(7);
    for (const dims of [384, 768]) {
      let worst = 0;
      for (let trial = 0; trial < 200; trial++) {
        const a = Array.from({ length: dims }, () => next() * 2 - 1);
        // b shares part of a, so similarities cover a useful range, not only ~0.
        const mix = next();
        const b = a.map((value) => value * mix + (next() * 2 - 1) * (1 - mix));
        const exact = cosine(a, b);
        worst = Math.max(worst, Math.abs(cosineInt8(quantize(a).q, quantize(b).q) - exact));
      }
      expect(worst, `${dims} dims`).toBeLessThan(0.01);
    }
  });

  it('stores a unit-length vector: dequantized values match the normalized input', () => {
    const input = [3, -4, 0, 12];
    const { q, scale } = quantize(input);
    expect(Math.max(...[...q].map(Math.abs))).toBe(127);
    const back = dequantize({ q, scale });
    const expected = input.map((value) => value / 13);
    back.forEach((value, i) => expect(value).toBeCloseTo(expected[i]!, 2));
    expect(quantize([0, 0, 0]).scale).toBe(0);
    expect(cosineInt8(quantize([0, 0, 0, 0]).q, q)).toBe(0);
  });

  it('finds the exact nearest neighbours in a small matrix, honours the filter, and follows updates and removals', () => {
    const matrix = new VectorMatrix(3);
    matrix.upsert('page', 'x', quantize([1, 0, 0]).q);
    matrix.upsert('page', 'y', quantize([0, 1, 0]).q);
    matrix.upsert('message', 'z', quantize([0.9, 0.1, 0]).q);
    expect(matrix.nearest([1, 0, 0], 2).map((hit) => hit.key)).toEqual(['x', 'z']);
    expect(matrix.nearest([1, 0, 0], 2, (kind) => kind === 'page').map((hit) => hit.key)).toEqual(['x', 'y']);
    matrix.upsert('page', 'x', quantize([0, 0, 1]).q);
    expect(matrix.nearest([1, 0, 0], 1)[0]).toMatchObject({ kind: 'message', key: 'z' });
    expect(matrix.remove('message', 'z')).toBe(true);
    expect(matrix.size).toBe(2);
    expect(matrix.nearest([1, 0, 0], 5).map((hit) => hit.key).sort()).toEqual(['x', 'y']);
    // A removed row's slot is reused.
    matrix.upsert('message', 'w', quantize([1, 0, 0]).q);
    expect(matrix.nearest([1, 0, 0], 1)[0]!.key).toBe('w');
  });

  it('keeps ≥ 95% of the true top 10 above the exact-scan size (sign-bit candidates, exact rescoring)', () => {
    const next = random(11);
    const dims = 256;
    const count = EXACT_SCAN_LIMIT * 3;
    const centres = Array.from({ length: 100 }, () => Array.from({ length: dims }, () => next() * 2 - 1));
    const rows: number[][] = [];
    const matrix = new VectorMatrix(dims);
    for (let i = 0; i < count; i++) {
      const row = centres[i % centres.length]!.map((value) => value + (next() * 2 - 1) * 1.2);
      rows.push(row);
      matrix.upsert('page', String(i), quantize(row).q);
    }
    let found = 0;
    const queries = 30;
    for (let k = 0; k < queries; k++) {
      const query = centres[k]!.map((value) => value + (next() * 2 - 1) * 1.2);
      const exact = rows
        .map((row, i) => ({ i: String(i), sim: cosine(row, query) }))
        .sort((a, b) => b.sim - a.sim)
        .slice(0, 10)
        .map((hit) => hit.i);
      const got = matrix.nearest(query, 10).map((hit) => hit.key);
      found += got.filter((key) => exact.includes(key)).length;
    }
    expect(found / (queries * 10)).toBeGreaterThanOrEqual(0.95);
  });
});

describe('reciprocal-rank fusion', () => {
  it('ranks items found by both lists first, then by rank, and says how each was found', () => {
    const text = [
      { kind: 'page' as const, key: 'a', score: 9 },
      { kind: 'message' as const, key: 'b', score: 5 },
      { kind: 'page' as const, key: 'c', score: 1 },
    ];
    const vectors = [
      { kind: 'page' as const, key: 'c', sim: 0.9 },
      { kind: 'page' as const, key: 'd', sim: 0.8 },
      { kind: 'page' as const, key: 'a', sim: 0.1 },
    ];
    const fused = fuseHybrid(text, vectors, 10);
    // a: 1/61 + 1/63, c: 1/63 + 1/61 (tie: better text rank first... a is text #1), b: 1/62, d: 1/62 (tie: text rank first).
    expect(fused.map((hit) => [hit.key, hit.match])).toEqual([
      ['a', 'both'],
      ['c', 'both'],
      ['b', 'text'],
      ['d', 'vector'],
    ]);
    expect(fused[0]!.score).toBeCloseTo(1 / 61 + 1 / 63, 10);
    expect(fuseHybrid(text, vectors, 2).map((hit) => hit.key)).toEqual(['a', 'c']);
    // A page and a message with the same key are different items.
    expect(fuseHybrid([{ kind: 'page', key: 'k', score: 1 }], [{ kind: 'message', key: 'k', sim: 1 }], 5).map((hit) => hit.match)).toEqual(['text', 'vector']);
    // A text hit's time and visit count (hydrating a History hit reads by them) stay with it.
    expect(fuseHybrid([{ kind: 'visit', key: 'v', score: 1, at: 1234, n: 7 }], [{ kind: 'page', key: 'p', sim: 1 }], 5)).toMatchObject([
      { key: 'v', match: 'text', at: 1234, n: 7 },
      { key: 'p', match: 'vector' },
    ]);
    expect(fuseHybrid(text, [], 5).map((hit) => hit.key)).toEqual(['a', 'b', 'c']);
  });
});

// ---------------------------------------------------------------------------------------------

let db: HydraDb;
let server: FakeEmbeddings;
let n = 0;

beforeEach(async () => {
  db = createDatabase(`embed-test-${n++}`);
  await db.open();
  server = await startFakeEmbeddings({ dims: 32 });
});
afterEach(async () => {
  await server.close();
  db.close();
  await Dexie.delete(db.name);
});

const settings = (kind: 'openai' | 'ollama' = 'openai', model = 'fake-embed'): EmbeddingSettings => ({ kind, baseUrl: server.url, model });

function makePage(url: string, title: string, text: string, version = 1, capturedAt = 1_780_000_000_000 + version): Page {
  return {
    id: `page-${urlKey(url)}-${version}`,
    url,
    urlKey: urlKey(url),
    hostRev: 'example',
    title,
    byline: null,
    text,
    contentHash: createHash('sha256').update(text).digest('hex'),
    version,
    capturedAt,
  };
}

function makeMessage(id: string, threadId: string, content: string, status: Message['status'] = 'complete', createdAt = 1_780_000_000_000): Message {
  return { id, threadId, role: 'user', content, status, model: null, error: null, createdAt, updatedAt: createdAt };
}

const FRUIT = ['apple', 'banana', 'cherry', 'kiwi', 'mango', 'papaya', 'plum', 'lime', 'grape', 'peach'];

/** 12 pages (one with two versions) and 10 messages (one streaming, one empty) about fruit. */
async function seed(): Promise<{ pages: Page[]; messages: Message[] }> {
  const pages = Array.from({ length: 12 }, (_, i) => makePage(`https://fruit.example/${i}`, `About ${FRUIT[i % 10]}`, `${FRUIT[i % 10]} ${FRUIT[(i + 3) % 10]} orchard notes number ${i}`));
  const old = makePage('https://fruit.example/0', 'About apple (old)', 'an outdated text about stones', 1);
  pages[0] = { ...pages[0]!, id: 'page-0-v2', version: 2, capturedAt: old.capturedAt + 10 };
  const messages = Array.from({ length: 10 }, (_, i) => makeMessage(`m${String(i).padStart(2, '0')}`, i < 5 ? 't1' : 't2', `I like ${FRUIT[i]} and ${FRUIT[(i + 1) % 10]} smoothies`, 'complete', 1_780_000_000_000 + i));
  messages[8] = { ...messages[8]!, status: 'streaming' };
  messages[9] = { ...messages[9]!, content: '   ' };
  await db.pages.bulkAdd([old, ...pages]);
  await db.messages.bulkAdd(messages);
  return { pages, messages };
}

async function runJob(batchSize = 4): Promise<Job> {
  const { jobId, finished } = await startEmbedJob(db, { batchSize });
  await finished;
  return (await db.jobs.get(jobId))!;
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  const error = await promise.then(
    () => null,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(CodedError);
  expect((error as CodedError).code).toBe(code);
}

describe('embeddings client', () => {
  it('reads both API shapes, in input order, in batches', async () => {
    const inputs = ['kiwi', 'plum tart', 'lime', 'kiwi plum', 'grape'];
    const openai = await embedTexts(settings('openai'), inputs, { batchSize: 2 });
    const ollama = await embedTexts(settings('ollama'), inputs, { batchSize: 3 });
    expect(openai).toEqual(ollama);
    expect(openai.map((vector) => vector.length)).toEqual([32, 32, 32, 32, 32]);
    // The OpenAI server answers in reverse order: the `index` field put each back in place.
    expect(cosine(openai[0]!, openai[3]!)).toBeGreaterThan(0.5);
    expect(cosine(openai[0]!, openai[4]!)).toBeLessThan(0.5);
    expect(server.requests.map((request) => [request.path, request.input.length])).toEqual([
      ['/v1/embeddings', 2],
      ['/v1/embeddings', 2],
      ['/v1/embeddings', 1],
      ['/api/embed', 3],
      ['/api/embed', 2],
    ]);
    // A base URL that already ends in /v1 is not doubled.
    await embedTexts({ ...settings('openai'), baseUrl: `${server.url}/v1/` }, ['x']);
    expect(server.requests.at(-1)!.path).toBe('/v1/embeddings');
  });

  it('turns every failure into a coded error', async () => {
    server.plan.set(1, { kind: 'status', status: 401 });
    await expectCode(embedTexts(settings(), ['a']), 'MODEL_UNAUTHORIZED');
    server.plan.set(2, { kind: 'status', status: 500 });
    await expectCode(embedTexts(settings(), ['a']), 'MODEL_HTTP_ERROR');
    server.plan.set(3, { kind: 'missing-field' });
    await expectCode(embedTexts(settings(), ['a']), 'EMBEDDINGS_BAD_RESPONSE');
    server.plan.set(4, { kind: 'wrong-count' });
    await expectCode(embedTexts(settings('ollama'), ['a', 'b']), 'EMBEDDINGS_BAD_RESPONSE');
    server.plan.set(5, { kind: 'not-numbers' });
    await expectCode(embedTexts(settings(), ['a']), 'EMBEDDINGS_BAD_RESPONSE');
    // The second batch comes back with another dimension.
    server.plan.set(7, { kind: 'dims', dims: 16 });
    await expectCode(embedTexts(settings(), ['a', 'b'], { batchSize: 1 }), 'EMBEDDINGS_BAD_RESPONSE');
    server.plan.set(8, { kind: 'hold' });
    await expectCode(embedTexts(settings(), ['a'], { timeoutMs: 200 }), 'MODEL_UNREACHABLE');
    server.release();
    const closed = await startFakeEmbeddings();
    await closed.close();
    await expectCode(embedTexts({ ...settings(), baseUrl: closed.url }, ['a']), 'MODEL_UNREACHABLE');
  });
});

describe('the embed job', () => {
  it('embeds every latest page version and final message once; a second run sends nothing', async () => {
    const { pages, messages } = await seed();
    await saveEmbeddingSettings(db, settings());
    const job = await runJob();
    expect(job.status, JSON.stringify(job.error)).toBe('succeeded');
    expect(job.result).toEqual<EmbedJobResult>({ walked: 12 + 10, embedded: 12 + 8, reused: 0, removed: 0, dims: 32 });
    const answered = [...server.answered.values()];
    expect(answered.length).toBe(20);
    expect(answered.every((times) => times === 1)).toBe(true);
    // The latest version of page 0 was embedded, never the old one; title first.
    expect(server.answered.has(`${pages[0]!.title}\n${pages[0]!.text}`)).toBe(true);
    expect([...server.answered.keys()].some((text) => text.includes('outdated'))).toBe(false);
    expect(server.answered.has(messages[8]!.content)).toBe(false);
    const rows = await db.vectors.toArray();
    expect(rows.map((row) => row.key).sort()).toEqual([...pages.map((page) => `page:${page.urlKey}`), ...messages.slice(0, 8).map((m) => `message:${m.id}`)].sort());
    expect(rows.every((row) => row.model === 'openai:fake-embed' && row.dims === 32 && row.q instanceof Int8Array && row.q.length === 32)).toBe(true);

    const requests = server.requests.length;
    const second = await runJob();
    expect(second.status).toBe('succeeded');
    expect(server.requests.length).toBe(requests);
    expect(second.result).toMatchObject({ embedded: 0, walked: 22 });

    // The periodic run: a message was still streaming, so it runs again until that one is final.
    expect(await periodicRunNeeded(db)).toBe(true);
    await db.messages.update('m08', { status: 'complete' });
    const third = await runJob();
    expect(third.result).toMatchObject({ embedded: 1 });
    expect(server.answered.get(messages[8]!.content)).toBe(1);
    expect(await periodicRunNeeded(db)).toBe(false);
    // A new message or a deleted page is a change; a day without runs is one too.
    await db.messages.add(makeMessage('m99', 't1', 'a new durian message', 'complete', 1_780_000_001_000));
    expect(await periodicRunNeeded(db)).toBe(true);
    await runJob();
    expect(await periodicRunNeeded(db)).toBe(false);
    await db.pages.delete(pages[4]!.id);
    expect(await periodicRunNeeded(db)).toBe(true);
    await runJob();
    expect(await periodicRunNeeded(db)).toBe(false);
    expect(await periodicRunNeeded(db, Date.now() + 2 * 86_400_000)).toBe(true);
  });

  it('re-embeds only a page whose text changed; a new version with the same text keeps its vector', async () => {
    const { pages } = await seed();
    await saveEmbeddingSettings(db, settings('ollama'));
    await runJob();
    const before = server.requests.length;
    const changed = { ...pages[3]!, id: 'page-3-v2', version: 2, text: 'now about durian only', capturedAt: pages[3]!.capturedAt + 5 };
    const same = { ...pages[5]!, id: 'page-5-v2', version: 2, capturedAt: pages[5]!.capturedAt + 5, text: `${pages[5]!.text}${' '.repeat(3000)}tail beyond the embedded part` };
    await db.pages.bulkAdd([changed, same]);
    const job = await runJob();
    expect(job.result).toMatchObject({ embedded: 1, reused: 1 });
    expect(server.requests.slice(before).flatMap((request) => request.input)).toEqual([`${changed.title}\n${changed.text}`]);
    // The unchanged page's vector now names its new versions: a third run reads no page text.
    const third = await runJob();
    expect(third.result).toMatchObject({ embedded: 0, reused: 0 });
  });

  it('a model change drops every vector and the next run embeds everything with the new model', async () => {
    await seed();
    const handlers = embeddingCommandHandlers(db, { batchSize: 4 });
    await handlers['embeddings.setSettings']({ settings: settings() }, { senderTabId: null });
    await waitForJobs();
    expect(await db.vectors.count()).toBe(20);
    // Same model, another base URL spelling: vectors stay.
    await handlers['embeddings.setSettings']({ settings: { ...settings(), baseUrl: `${server.url}/` } }, { senderTabId: null });
    await waitForJobs();
    expect(await db.vectors.count()).toBe(20);
    expect(server.answered.size).toBe(20);
    await handlers['embeddings.setSettings']({ settings: settings('openai', 'other-model') }, { senderTabId: null });
    await waitForJobs();
    const rows = await db.vectors.toArray();
    expect(rows.length).toBe(20);
    expect(new Set(rows.map((row) => row.model))).toEqual(new Set(['openai:other-model']));
    expect(server.requests.filter((request) => request.model === 'other-model').flatMap((request) => request.input).length).toBe(20);
    await handlers['embeddings.setSettings']({ settings: null }, { senderTabId: null });
    expect(await db.vectors.count()).toBe(0);
    expect((await handlers['embeddings.getSettings']({}, { senderTabId: null })).settings).toBeNull();
    await expectCode(Promise.resolve().then(() => handlers['embeddings.start']({}, { senderTabId: null })), 'EMBEDDINGS_NOT_CONFIGURED');
  });

  it('fails with a coded error on a bad reply or a changed dimension, leaving only whole batches', async () => {
    await seed();
    await saveEmbeddingSettings(db, settings());
    server.plan.set(3, { kind: 'missing-field' });
    const bad = await runJob(4);
    expect(bad.status).toBe('failed');
    expect(bad.error?.code).toBe('EMBEDDINGS_BAD_RESPONSE');
    // Two batches of 4 were answered and stored; the third stored nothing.
    expect(await db.vectors.count()).toBe(8);
    expect(bad.cursor).toMatchObject({ phase: 'page', done: 8, embedded: 8 });

    server.plan.set(5, { kind: 'dims', dims: 48 });
    const changed = await runJob(4);
    expect(changed.status).toBe('failed');
    expect(changed.error?.code).toBe('EMBEDDINGS_BAD_RESPONSE');
    expect(changed.error?.message).toMatch(/48 dimensions where earlier ones had 32/);
    expect(await db.vectors.count()).toBe(12);
    expect((await db.vectors.toArray()).every((row) => row.dims === 32)).toBe(true);
  });

  it('a new dimension at the start of a run (the server changed models) drops the old vectors and starts over', async () => {
    await seed();
    await saveEmbeddingSettings(db, settings());
    await runJob();
    await db.pages.add(makePage('https://fruit.example/new', 'About durian', 'durian'));
    server.dims = 24;
    const job = await runJob();
    expect(job.status, JSON.stringify(job.error)).toBe('succeeded');
    const rows = await db.vectors.toArray();
    expect(rows.length).toBe(21);
    expect(rows.every((row) => row.dims === 24)).toBe(true);
    expect(job.logTail.join('\n')).toMatch(/24-dimension vectors: stored vectors of 32 dimensions dropped/);
  });

  it('resumes from its cursor after the worker dies, never sending a finished item again', async () => {
    await seed();
    await saveEmbeddingSettings(db, settings());
    // The third request's connection dies: the worker's death as the job sees it.
    server.plan.set(3, { kind: 'drop' });
    const cut = await runJob(4);
    expect(cut.status).toBe('failed');
    expect(cut.cursor).toMatchObject({ phase: 'page', done: 8 });
    const finishedItems = server.requests.slice(0, 2).flatMap((request) => request.input);
    // A dead worker leaves its job "running" with the cursor of the last committed batch.
    await db.jobs.update(cut.id, { status: 'running', error: null, finishedAt: null });
    let resumed: Promise<void> = Promise.resolve();
    const recovered = await recoverInterruptedJobs(db, { embed: (job) => (resumed = resumeEmbedJob(db, job, { batchSize: 4 })) });
    expect(recovered.resumed).toEqual([cut.id]);
    await resumed;
    const job = (await db.jobs.get(cut.id))!;
    expect(job.status, JSON.stringify(job.error)).toBe('succeeded');
    // It went on from item 9: every item walked once over both runs.
    expect(job.result).toMatchObject({ walked: 22, embedded: 20 });
    const afterResume = server.requests.slice(3).flatMap((request) => request.input);
    expect(afterResume.filter((text) => finishedItems.includes(text))).toEqual([]);
    expect([...server.answered.values()].every((times) => times === 1)).toBe(true);
    expect(server.answered.size).toBe(20);
    expect(await db.vectors.count()).toBe(20);
    expect(job.logTail.join('\n')).toContain('resumed after a service-worker restart');
  });

  it('a second start returns the running job; cancel ends it cancelled', async () => {
    await seed();
    await saveEmbeddingSettings(db, settings());
    server.plan.set(2, { kind: 'hold' });
    const first = await startEmbedJob(db, { batchSize: 4 });
    const second = await startEmbedJob(db, { batchSize: 4 });
    expect(second).toMatchObject({ jobId: first.jobId, deduplicated: true });
    await server.arrived(2);
    expect(cancelEmbedJob(first.jobId)).toBe(true);
    await first.finished;
    const job = (await db.jobs.get(first.jobId))!;
    expect(job.status).toBe('cancelled');
    expect(await db.vectors.count()).toBe(4);
    const third = await startEmbedJob(db, { batchSize: 4 });
    expect(third.deduplicated).toBe(false);
    server.release();
    await third.finished;
    expect(await db.vectors.count()).toBe(20);
  });

  it('removes the vectors of deleted pages and messages', async () => {
    const { pages } = await seed();
    await saveEmbeddingSettings(db, settings());
    await runJob();
    await db.pages.where('urlKey').equals(pages[2]!.urlKey).delete();
    await db.messages.delete('m01');
    const job = await runJob();
    expect(job.result).toMatchObject({ removed: 2, embedded: 0 });
    expect(await db.vectors.get(`page:${pages[2]!.urlKey}`)).toBeUndefined();
    expect(await db.vectors.get('message:m01')).toBeUndefined();
  });
});

describe('vector queries', () => {
  it('finds the nearest pages and messages to a query, by kind, and caches the query vector', async () => {
    const { pages } = await seed();
    await saveEmbeddingSettings(db, settings());
    expect(await vectorHits(db, 'kiwi', { limit: 5 })).toBeNull();
    await runJob();
    const hits = await vectorHits(db, 'About kiwi kiwi plum orchard', { limit: 3 });
    expect(hits?.[0]).toMatchObject({ kind: 'page', key: pages[3]!.urlKey });
    const before = server.requests.length;
    const messagesOnly = await vectorHits(db, 'About kiwi kiwi plum orchard', { limit: 3, kinds: ['message'] });
    expect(server.requests.length).toBe(before);
    expect(messagesOnly?.length).toBe(3);
    expect(messagesOnly?.every((hit) => hit.kind === 'message')).toBe(true);
    expect(await vectorHits(db, 'kiwi', { limit: 3, kinds: ['visit', 'task'] })).toEqual([]);
    // The endpoint is down or slow: null, and search falls back to full text.
    server.plan.set(server.requests.length + 1, { kind: 'hold' });
    const started = Date.now();
    expect(await vectorHits(db, 'something new', { limit: 3, timeoutMs: 300 })).toBeNull();
    expect(Date.now() - started).toBeLessThan(2_000);
    server.release();
  });

  it('lists items related to a page and to a thread, without the page or the thread’s own messages', async () => {
    const { pages } = await seed();
    await saveEmbeddingSettings(db, settings());
    expect(await relatedByVector(db, { url: pages[1]!.url }, 5)).toBeNull();
    await runJob();
    const related = await relatedByVector(db, { url: `${pages[1]!.url}#section` }, 5);
    expect(related?.length).toBe(5);
    expect(related!.some((hit) => hit.kind === 'page' && hit.key === pages[1]!.urlKey)).toBe(false);
    // Page 1 is "About banana: banana mango"; page 11 says the same but for its number.
    expect(related![0]).toMatchObject({ kind: 'page', key: pages[11]!.urlKey });
    const thread = await relatedByVector(db, { threadId: 't1' }, 30);
    expect(thread!.some((hit) => hit.kind === 'message' && ['m00', 'm01', 'm02', 'm03', 'm04'].includes(hit.key))).toBe(false);
    expect(thread!.length).toBe(20 - 5);
    expect(await relatedByVector(db, { url: 'https://nowhere.example/' }, 5)).toBeNull();
    // A forgotten item leaves the store and the loaded matrix at once.
    expect(await forgetVectors(db, [{ kind: 'page', key: pages[11]!.urlKey }, { kind: 'visit', key: pages[11]!.urlKey }, { kind: 'message', key: 'nope' }])).toBe(1);
    expect(await db.vectors.get(`page:${pages[11]!.urlKey}`)).toBeUndefined();
    expect((await relatedByVector(db, { url: pages[1]!.url }, 30))!.some((hit) => hit.key === pages[11]!.urlKey)).toBe(false);
    expect(await relatedByVector(db, { threadId: 'no-such-thread' }, 5)).toBeNull();
  });
});

/** Waits until no embed job is queued or running. */
async function waitForJobs(): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if ((await db.jobs.where('status').anyOf('queued', 'running').count()) === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('embed job still running');
}
