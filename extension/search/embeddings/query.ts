/**
 * What search asks of the vectors: the nearest pages and messages to a query (hybrid search)
 * and to a page or a thread ("related"). Every answer is optional: null means "no vectors
 * here" (not configured, none stored, or the endpoint failed), and search then answers from
 * the full-text index alone. A query is embedded with a short time budget and remembered, so
 * typing the same words again costs no request.
 */
import type { EmbeddingSettings } from '../../../shared/commands/embeddings';
import type { SearchKind } from '../../../shared/search/kinds';
import { fuseHybrid, meanDirection, type FusedHit, type QuantizedVector, type TextRanked, type VectorKind, type VectorNeighbour, type VectorRanked } from '../../../shared/search/vectors';
import { urlKey } from '../../../shared/url';
import type { HydraDb } from '../../db';
import { embedTexts, QUERY_TIMEOUT_MS } from './client';
import { getEmbeddingSettings, modelId, vectorMatrix } from './store';

/** Query vectors kept per worker (most recent first out last). */
const QUERY_CACHE_SIZE = 64;
const queryCache = new Map<string, number[]>();

function cacheKey(settings: EmbeddingSettings, q: string): string {
  return `${settings.kind}\u0000${settings.baseUrl}\u0000${settings.model}\u0000${q}`;
}

/** The query's vector, from the cache or the endpoint; null when the endpoint fails or is slow. */
async function queryVector(settings: EmbeddingSettings, q: string, timeoutMs: number): Promise<number[] | null> {
  const key = cacheKey(settings, q);
  const cached = queryCache.get(key);
  if (cached) {
    queryCache.delete(key);
    queryCache.set(key, cached);
    return cached;
  }
  try {
    const [vector] = await embedTexts(settings, [q], { timeoutMs });
    if (!vector) return null;
    queryCache.set(key, vector);
    if (queryCache.size > QUERY_CACHE_SIZE) queryCache.delete(queryCache.keys().next().value!);
    return vector;
  } catch (error) {
    console.warn('[hydraflow] query embedding failed; searching full text only', error);
    return null;
  }
}

export interface VectorHit {
  kind: VectorKind;
  /** The index key: the URL key of a page, the id of a message. */
  key: string;
  sim: number;
}

function kindFilter(kinds: readonly SearchKind[] | undefined): ((kind: VectorKind) => boolean) | null {
  if (!kinds) return () => true;
  const wanted = new Set(kinds);
  if (!wanted.has('page') && !wanted.has('message')) return null;
  return (kind) => wanted.has(kind);
}

/**
 * The `limit` pages and messages nearest to the query `q` (cosine), best first. Null when
 * embeddings are not configured, no vectors are stored, or the query could not be embedded in
 * time; [] when the kinds asked for have no vectors (neither pages nor messages).
 */
export async function vectorHits(db: HydraDb, q: string, opts: { kinds?: readonly SearchKind[]; limit: number; timeoutMs?: number }): Promise<VectorHit[] | null> {
  const settings = await getEmbeddingSettings(db);
  const text = q.trim();
  if (!settings || !text) return null;
  const accept = kindFilter(opts.kinds);
  if (!accept) return [];
  const matrix = await vectorMatrix(db, modelId(settings));
  if (!matrix || matrix.size === 0) return null;
  const vector = await queryVector(settings, text, opts.timeoutMs ?? QUERY_TIMEOUT_MS);
  if (!vector || vector.length !== matrix.dims) return null;
  return matrix.nearest(vector, opts.limit, (kind) => accept(kind));
}

/**
 * The items nearest to a page (by its URL: the vector of its latest version) or to a thread (the
 * mean direction of its messages' vectors), leaving out the page or the thread's own messages.
 * Null when that page or thread has no vectors (or embeddings are off).
 */
export async function relatedByVector(db: HydraDb, target: { url?: string; threadId?: string }, limit: number): Promise<VectorNeighbour[] | null> {
  const settings = await getEmbeddingSettings(db);
  if (!settings) return null;
  const matrix = await vectorMatrix(db, modelId(settings));
  if (!matrix || matrix.size === 0) return null;
  if (target.url !== undefined) {
    const key = urlKey(target.url);
    const vector = matrix.get('page', key);
    if (!vector) return null;
    return matrix.nearest(vector, limit, (kind, other) => !(kind === 'page' && other === key));
  }
  if (target.threadId !== undefined) {
    const ids = (await db.messages
      .where('[threadId+createdAt]')
      .between([target.threadId, -Infinity], [target.threadId, Infinity])
      .primaryKeys()) as string[];
    const own = new Set(ids);
    // Each message counts once, whatever its int8 scale: the mean of unit vectors.
    const units: QuantizedVector[] = [];
    for (const id of ids) {
      const q = matrix.get('message', id);
      if (!q) continue;
      let norm = 0;
      for (const value of q) norm += value * value;
      if (norm > 0) units.push({ q, scale: 1 / Math.sqrt(norm) });
    }
    const centre = meanDirection(units);
    if (!centre) return null;
    return matrix.nearest(centre, limit, (kind, other) => !(kind === 'message' && own.has(other)));
  }
  return null;
}

/** Hybrid search plugs in here when embeddings exist (extension/search/service.ts uses it). */
export interface VectorSearch {
  /** Nearest documents to the query's embedding; null when embeddings are off or unavailable. */
  hits(q: string, opts: { kinds?: SearchKind[]; limit: number }): Promise<{ kind: SearchKind; key: string; sim: number }[] | null>;
  /** Fuses text and vector rankings (each hit's `match` says which found it; text hits keep their `at` and `n`). */
  fuse(text: readonly TextRanked[], vector: readonly VectorRanked[], limit: number): FusedHit[];
  related(target: { url?: string; threadId?: string }, limit: number): Promise<{ kind: SearchKind; key: string; sim: number }[] | null>;
}

/** What the search service plugs in for hybrid ranking and related lists (extension/search/service.ts). */
export function vectorSearch(db: HydraDb): VectorSearch {
  return {
    hits: (q, opts) => vectorHits(db, q, opts),
    fuse: fuseHybrid,
    related: (target, limit) => relatedByVector(db, target, limit),
  };
}

/** The embeddings part of `search.status`. */
export async function embeddingStatus(db: HydraDb): Promise<{ configured: boolean; model: string | null; vectors: number; dims: number | null }> {
  const settings = await getEmbeddingSettings(db);
  const first = settings ? await db.vectors.where('model').equals(modelId(settings)).first() : undefined;
  return { configured: settings !== null, model: settings?.model ?? null, vectors: await db.vectors.count(), dims: first?.dims ?? null };
}
