/**
 * A real embeddings server on 127.0.0.1 (node:http) for tests: OpenAI-compatible
 * `POST /v1/embeddings` and Ollama `POST /api/embed`. Vectors are a deterministic bag of words
 * (each word adds ±1 at two hashed positions), so texts sharing words are near each other and a
 * test can reason about nearest neighbours. It counts every input it answered, so a test can
 * prove that nothing was embedded twice, and it can misbehave on request (wrong shapes, a
 * changed dimension, HTTP errors, a dropped connection, a held request).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Misbehaviour =
  | { kind: 'status'; status: number }
  | { kind: 'missing-field' }
  | { kind: 'wrong-count' }
  | { kind: 'not-numbers' }
  | { kind: 'dims'; dims: number }
  | { kind: 'drop' }
  | { kind: 'hold' };

export interface FakeEmbeddings {
  url: string;
  /** Inputs answered well (a misbehaving reply does not count), with how many times each. */
  answered: Map<string, number>;
  /** Every request's inputs, in arrival order (answered or not). */
  requests: { path: string; model: string; input: string[] }[];
  dims: number;
  delayMs: number;
  /** Misbehaviour for request number n (1-based, counted over the server's life). */
  plan: Map<number, Misbehaviour>;
  /** Resolves when request n has arrived. */
  arrived(n: number): Promise<void>;
  /** Answers every held request normally. */
  release(): void;
  close(): Promise<void>;
}

function fnv(text: string, seed: number): number {
  let h = 0x811c9dc5 ^ seed;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** The server's embedding of a text: a signed bag of lowercase words, plus a small constant. */
export function fakeVector(text: string, dims: number): number[] {
  const out = new Array<number>(dims).fill(0);
  out[0] = 0.01;
  for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    for (const seed of [1, 2]) {
      const h = fnv(word, seed);
      out[h % dims]! += h & 0x80000000 ? -1 : 1;
    }
  }
  return out;
}

export async function startFakeEmbeddings(options: { dims?: number; delayMs?: number } = {}): Promise<FakeEmbeddings> {
  const waiters = new Map<number, () => void>();
  const held: (() => void)[] = [];
  let count = 0;
  const fake: FakeEmbeddings = {
    url: '',
    answered: new Map(),
    requests: [],
    dims: options.dims ?? 32,
    delayMs: options.delayMs ?? 0,
    plan: new Map(),
    arrived: (n) => (count >= n ? Promise.resolve() : new Promise((resolve) => waiters.set(n, resolve))),
    release: () => held.splice(0).forEach((answer) => answer()),
    close: () =>
      new Promise((resolve) => {
        fake.release();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  const reply = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const path = req.url ?? '';
    if (req.method !== 'POST' || (path !== '/v1/embeddings' && path !== '/api/embed')) return reply(res, 404, { error: 'not found' });
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { model: string; input: string[] };
    const n = ++count;
    fake.requests.push({ path, model: body.model, input: body.input });
    waiters.get(n)?.();
    waiters.delete(n);
    const misbehaviour = fake.plan.get(n);
    if (misbehaviour?.kind === 'drop') return req.socket.destroy();
    if (misbehaviour?.kind === 'hold') await new Promise<void>((resolve) => held.push(resolve));
    if (fake.delayMs) await new Promise((resolve) => setTimeout(resolve, fake.delayMs));
    if (misbehaviour?.kind === 'status') return reply(res, misbehaviour.status, { error: { message: `status ${misbehaviour.status}` } });
    const dims = misbehaviour?.kind === 'dims' ? misbehaviour.dims : fake.dims;
    let vectors: unknown[] = body.input.map((text) => fakeVector(text, dims));
    if (misbehaviour?.kind === 'wrong-count') vectors = vectors.slice(1);
    if (misbehaviour?.kind === 'not-numbers') vectors = vectors.map((vector) => (vector as number[]).map(String));
    if (res.destroyed) return;
    // Only a good answer counts: the client discards a bad one.
    if (!misbehaviour || misbehaviour.kind === 'hold') for (const text of body.input) fake.answered.set(text, (fake.answered.get(text) ?? 0) + 1);
    if (misbehaviour?.kind === 'missing-field') return reply(res, 200, { object: 'list' });
    if (path === '/api/embed') return reply(res, 200, { model: body.model, embeddings: vectors });
    // OpenAI: reversed order, as a server may do; `index` says which input each is for.
    return reply(res, 200, { object: 'list', model: body.model, data: vectors.map((embedding, index) => ({ object: 'embedding', index, embedding })).reverse() });
  };

  const server = createServer((req, res) => void handle(req, res).catch(() => res.destroy()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}
