/**
 * The embeddings endpoint: OpenAI-compatible `POST {base}/v1/embeddings` and Ollama
 * `POST {base}/api/embed`, both `{model, input: string[]}`. Inputs go in batches; every reply is
 * checked in full (count, shape, finite numbers, one dimension) before anything is returned, so a
 * caller never stores part of a bad reply. Failures are coded errors, as for the chat endpoint.
 */
import type { EmbeddingSettings } from '../../../shared/commands/embeddings';
import { CodedError } from '../../../shared/errors';
import { apiBase, endpointHeaders, responseError } from '../../chat/endpoint';

/** Inputs per request: small enough for any server's limits, large enough to amortize the round trip. */
export const EMBED_BATCH = 32;
/** One request's time budget during a job (a local model on a CPU can take seconds per batch). */
export const JOB_TIMEOUT_MS = 60_000;
/** A search query's time budget: past it, search answers from the full-text index alone. */
export const QUERY_TIMEOUT_MS = 2_000;

export interface EmbedOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  batchSize?: number;
  /** The dimension every vector must have (an earlier batch's); null accepts the first one seen. */
  dims?: number | null;
}

function endpointUrl(settings: EmbeddingSettings): string {
  return `${apiBase(settings)}${settings.kind === 'ollama' ? '/api/embed' : '/embeddings'}`;
}

async function post(settings: EmbeddingSettings, body: unknown, signal: AbortSignal | undefined, timeoutMs: number): Promise<unknown> {
  const url = endpointUrl(settings);
  const timeout = AbortSignal.timeout(timeoutMs);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: endpointHeaders(settings),
      body: JSON.stringify(body),
      credentials: 'omit',
      signal: combined,
    });
  } catch (error) {
    if (signal?.aborted) throw new CodedError('CANCELLED', 'Cancelled');
    if (timeout.aborted) throw new CodedError('MODEL_UNREACHABLE', `The embeddings endpoint ${new URL(url).origin} did not answer within ${timeoutMs} ms`);
    throw new CodedError('MODEL_UNREACHABLE', `Cannot reach ${new URL(url).origin}: the connection was refused or the network is down (${(error as Error).message})`);
  }
  if (!response.ok) throw await responseError(response, 'embeddings endpoint');
  try {
    return await response.json();
  } catch {
    if (signal?.aborted) throw new CodedError('CANCELLED', 'Cancelled');
    throw new CodedError('EMBEDDINGS_BAD_RESPONSE', 'The embeddings endpoint sent a body that is not JSON');
  }
}

function bad(message: string): CodedError {
  return new CodedError('EMBEDDINGS_BAD_RESPONSE', message);
}

function readVector(value: unknown, where: string): number[] {
  if (!Array.isArray(value) || value.length === 0) throw bad(`${where} is not a list of numbers`);
  for (const item of value) if (typeof item !== 'number' || !Number.isFinite(item)) throw bad(`${where} holds a value that is not a finite number`);
  return value as number[];
}

/** The vectors of one reply, in input order, checked against the input count. */
function readReply(settings: EmbeddingSettings, body: unknown, count: number): number[][] {
  if (typeof body !== 'object' || body === null) throw bad('The reply is not a JSON object');
  if (settings.kind === 'ollama') {
    const embeddings = (body as { embeddings?: unknown }).embeddings;
    if (!Array.isArray(embeddings)) throw bad('The reply has no "embeddings" list (Ollama /api/embed)');
    if (embeddings.length !== count) throw bad(`The reply has ${embeddings.length} embeddings for ${count} inputs`);
    return embeddings.map((vector, i) => readVector(vector, `embeddings[${i}]`));
  }
  const data = (body as { data?: unknown }).data;
  if (!Array.isArray(data)) throw bad('The reply has no "data" list (OpenAI /v1/embeddings)');
  if (data.length !== count) throw bad(`The reply has ${data.length} embeddings for ${count} inputs`);
  const out: (number[] | undefined)[] = new Array<number[] | undefined>(count);
  data.forEach((item: unknown, position) => {
    const entry = item as { index?: unknown; embedding?: unknown } | null;
    // Servers may answer out of order; `index` says which input each vector is for.
    const index = entry?.index ?? position;
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= count || out[index]) throw bad(`data[${position}].index is missing, out of range or repeated`);
    out[index] = readVector(entry?.embedding, `data[${position}].embedding`);
  });
  return out as number[][];
}

/**
 * Embeds `inputs` (in batches of `batchSize`), returning one vector per input in input order.
 * Every vector has the same dimension (`options.dims` when given): a reply that changes it is
 * EMBEDDINGS_BAD_RESPONSE.
 */
export async function embedTexts(settings: EmbeddingSettings, inputs: readonly string[], options: EmbedOptions = {}): Promise<number[][]> {
  const batchSize = options.batchSize ?? EMBED_BATCH;
  let dims = options.dims ?? null;
  const out: number[][] = [];
  for (let start = 0; start < inputs.length; start += batchSize) {
    const batch = inputs.slice(start, start + batchSize);
    const body = await post(settings, { model: settings.model, input: batch }, options.signal, options.timeoutMs ?? JOB_TIMEOUT_MS);
    for (const vector of readReply(settings, body, batch.length)) {
      dims ??= vector.length;
      if (vector.length !== dims) throw bad(`The endpoint returned a vector of ${vector.length} dimensions where earlier ones had ${dims}`);
      out.push(vector);
    }
  }
  return out;
}
