/**
 * Embedding vectors, pure: int8 quantization, cosine similarity on quantized vectors, an
 * in-memory matrix for brute-force nearest-neighbour search, and reciprocal-rank fusion of a
 * full-text ranking with a vector ranking. No storage, no network (extension/search/embeddings
 * owns those).
 *
 * Quantization: a vector is L2-normalized, then each value is divided by a per-vector `scale`
 * (the largest magnitude / 127) and rounded to an int8. Cosine similarity survives this almost
 * exactly (within 0.01 at 384 and 768 dimensions, unit-tested), at a quarter of the bytes of float32.
 */
import type { SearchKind } from './kinds';

export interface QuantizedVector {
  q: Int8Array;
  /** The value of one int8 step: `q[i] * scale` is the i-th value of the unit-length vector. */
  scale: number;
}

/** L2-normalizes then quantizes to int8 with one scale per vector. A zero vector stays zero (scale 0). */
export function quantize(vector: ArrayLike<number>): QuantizedVector {
  const dims = vector.length;
  let norm = 0;
  for (let i = 0; i < dims; i++) norm += vector[i]! * vector[i]!;
  norm = Math.sqrt(norm);
  let max = 0;
  for (let i = 0; i < dims; i++) max = Math.max(max, Math.abs(vector[i]! / (norm || 1)));
  const q = new Int8Array(dims);
  if (max === 0 || !Number.isFinite(max)) return { q, scale: 0 };
  const scale = max / 127;
  for (let i = 0; i < dims; i++) q[i] = Math.round(vector[i]! / norm / scale);
  return { q, scale };
}

export function dequantize(vector: QuantizedVector): Float32Array {
  const out = new Float32Array(vector.q.length);
  for (let i = 0; i < out.length; i++) out[i] = vector.q[i]! * vector.scale;
  return out;
}

/** Cosine similarity of two quantized vectors (the scales cancel out); 0 when either is zero. */
export function cosineInt8(a: Int8Array, b: Int8Array): number {
  if (a.length !== b.length) throw new RangeError(`Vectors differ in dimension: ${a.length} and ${b.length}`);
  return cosine(a, b);
}

/** Cosine similarity of two float vectors; 0 when either is zero. */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

/** The mean of unit-length versions of `vectors` (a thread's centre); null for none. */
export function meanDirection(vectors: readonly QuantizedVector[]): Float32Array | null {
  if (vectors.length === 0) return null;
  const out = new Float32Array(vectors[0]!.q.length);
  for (const vector of vectors) {
    const unit = dequantize(vector);
    for (let i = 0; i < out.length; i++) out[i]! += unit[i]!;
  }
  return out;
}

export type VectorKind = Extract<SearchKind, 'page' | 'message'>;

export interface VectorNeighbour {
  kind: VectorKind;
  /** The index key (URL key for pages, message id for messages). */
  key: string;
  sim: number;
}

const INITIAL_CAPACITY = 1024;
/** Above this many vectors a search first ranks by sign bits, then rescores the best candidates exactly. */
export const EXACT_SCAN_LIMIT = 4096;
/** Candidates kept by the sign-bit pass, per result asked for (and at least MIN_CANDIDATES). */
const OVERSAMPLE = 40;
const MIN_CANDIDATES = 1000;

/** popcount of a 32-bit integer. */
function bitCount(n: number): number {
  n = n - ((n >>> 1) & 0x55555555);
  n = (n & 0x33333333) + ((n >>> 2) & 0x33333333);
  return (((n + (n >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/**
 * Every stored vector of one model in one Int8Array (row-major, `dims` per row), searched by
 * brute force. Rows are replaced in place and removed rows leave a hole that the next insert
 * reuses, so the matrix can follow the writes of an embed job without being reloaded.
 *
 * A full int8 scan of 70k × 768 values takes tens of milliseconds in JavaScript. Large
 * matrices therefore keep one sign bit per value as well (`dims / 32` words per row): the
 * Hamming distance between sign patterns ranks all rows in a few milliseconds, and only the best
 * `max(limit × 40, 1000)` are rescored with the exact int8 cosine. Sign-bit ranking keeps the
 * true nearest neighbours among its top candidates with high probability (docs/search.md,
 * measured in tests/unit/search/embeddings.test.ts); small matrices are always scanned exactly.
 */
export class VectorMatrix {
  readonly dims: number;
  private data: Int8Array;
  private bits: Int32Array;
  private norms: Float32Array;
  private keys: (string | null)[] = [];
  private kinds: (VectorKind | null)[] = [];
  private slots = new Map<string, number>();
  private free: number[] = [];
  private readonly words: number;

  constructor(dims: number, capacity = INITIAL_CAPACITY) {
    if (!Number.isInteger(dims) || dims <= 0) throw new RangeError(`Invalid dimension ${dims}`);
    this.dims = dims;
    this.words = Math.ceil(dims / 32);
    this.data = new Int8Array(dims * capacity);
    this.bits = new Int32Array(this.words * capacity);
    this.norms = new Float32Array(capacity);
  }

  get size(): number {
    return this.slots.size;
  }

  private get capacity(): number {
    return this.norms.length;
  }

  private grow(): void {
    const capacity = this.capacity * 2;
    const data = new Int8Array(this.dims * capacity);
    data.set(this.data);
    const bits = new Int32Array(this.words * capacity);
    bits.set(this.bits);
    const norms = new Float32Array(capacity);
    norms.set(this.norms);
    this.data = data;
    this.bits = bits;
    this.norms = norms;
  }

  /** `<kind>:<key>`, the matrix's identity of a row (the same as the stored row key). */
  static id(kind: VectorKind, key: string): string {
    return `${kind}:${key}`;
  }

  upsert(kind: VectorKind, key: string, q: Int8Array): void {
    if (q.length !== this.dims) throw new RangeError(`Vector of dimension ${q.length} in a matrix of ${this.dims}`);
    const id = VectorMatrix.id(kind, key);
    let slot = this.slots.get(id);
    if (slot === undefined) {
      slot = this.free.pop() ?? this.keys.length;
      if (slot >= this.capacity) this.grow();
      this.slots.set(id, slot);
    }
    this.keys[slot] = key;
    this.kinds[slot] = kind;
    this.data.set(q, slot * this.dims);
    let norm = 0;
    const wordBase = slot * this.words;
    this.bits.fill(0, wordBase, wordBase + this.words);
    for (let i = 0; i < this.dims; i++) {
      const value = q[i]!;
      norm += value * value;
      if (value > 0) this.bits[wordBase + (i >>> 5)]! |= 1 << (i & 31);
    }
    this.norms[slot] = Math.sqrt(norm);
  }

  remove(kind: VectorKind, key: string): boolean {
    const id = VectorMatrix.id(kind, key);
    const slot = this.slots.get(id);
    if (slot === undefined) return false;
    this.slots.delete(id);
    this.keys[slot] = null;
    this.kinds[slot] = null;
    this.norms[slot] = 0;
    this.free.push(slot);
    return true;
  }

  /** The stored vector of an item (a copy), or null. */
  get(kind: VectorKind, key: string): Int8Array | null {
    const slot = this.slots.get(VectorMatrix.id(kind, key));
    return slot === undefined ? null : this.data.slice(slot * this.dims, (slot + 1) * this.dims);
  }

  /**
   * The `limit` rows most similar (cosine) to `query`, best first. `accept` filters rows by kind
   * and key (e.g. to leave out the item a "related" list is for). The query is any float or int8
   * vector of the matrix's dimension; its length does not matter.
   */
  nearest(query: ArrayLike<number>, limit: number, accept?: (kind: VectorKind, key: string) => boolean): VectorNeighbour[] {
    if (query.length !== this.dims) throw new RangeError(`Query of dimension ${query.length} for a matrix of ${this.dims}`);
    let queryNorm = 0;
    for (let i = 0; i < this.dims; i++) queryNorm += query[i]! * query[i]!;
    queryNorm = Math.sqrt(queryNorm);
    if (queryNorm === 0 || limit <= 0 || this.size === 0) return [];
    const rows = this.keys.length;
    let candidates: Int32Array | null = null;
    if (this.size > EXACT_SCAN_LIMIT) candidates = this.signCandidates(query, Math.max(limit * OVERSAMPLE, MIN_CANDIDATES), accept);
    const q = Float64Array.from(query);
    const best = new TopK(limit);
    const dims = this.dims;
    const data = this.data;
    const visit = (slot: number) => {
      const norm = this.norms[slot]!;
      if (norm === 0) return;
      const kind = this.kinds[slot]!;
      const key = this.keys[slot]!;
      if (!candidates && accept && !accept(kind, key)) return;
      let dot = 0;
      const base = slot * dims;
      for (let i = 0; i < dims; i++) dot += q[i]! * data[base + i]!;
      best.offer(dot / (norm * queryNorm), slot);
    };
    if (candidates) for (const slot of candidates) visit(slot);
    else for (let slot = 0; slot < rows; slot++) visit(slot);
    return best.sorted().map(({ score, slot }) => ({ kind: this.kinds[slot]!, key: this.keys[slot]!, sim: score }));
  }

  /** Slots of the `count` rows whose sign pattern is closest (Hamming) to the query's. */
  private signCandidates(query: ArrayLike<number>, count: number, accept?: (kind: VectorKind, key: string) => boolean): Int32Array {
    const words = this.words;
    const mine = new Int32Array(words);
    for (let i = 0; i < this.dims; i++) if (query[i]! > 0) mine[i >>> 5]! |= 1 << (i & 31);
    const rows = this.keys.length;
    // Counting sort by distance: distances are small integers (0..dims).
    const distance = new Uint16Array(rows);
    const histogram = new Uint32Array(this.dims + 2);
    const bits = this.bits;
    for (let slot = 0; slot < rows; slot++) {
      if (this.norms[slot] === 0 || (accept && !accept(this.kinds[slot]!, this.keys[slot]!))) {
        distance[slot] = this.dims + 1;
        continue;
      }
      let d = 0;
      const base = slot * words;
      for (let w = 0; w < words; w++) d += bitCount(bits[base + w]! ^ mine[w]!);
      distance[slot] = d;
      histogram[d]!++;
    }
    let cutoff = 0;
    for (let seen = 0; cutoff <= this.dims && seen < count; cutoff++) seen += histogram[cutoff]!;
    const out: number[] = [];
    for (let slot = 0; slot < rows; slot++) if (distance[slot]! < cutoff) out.push(slot);
    return Int32Array.from(out);
  }
}

/** The k best (highest score) of a stream, in a small binary min-heap. */
class TopK {
  private scores: number[] = [];
  private slots: number[] = [];
  constructor(private readonly k: number) {}

  offer(score: number, slot: number): void {
    if (this.scores.length < this.k) {
      this.scores.push(score);
      this.slots.push(slot);
      this.up(this.scores.length - 1);
    } else if (score > this.scores[0]!) {
      this.scores[0] = score;
      this.slots[0] = slot;
      this.down(0);
    }
  }

  sorted(): { score: number; slot: number }[] {
    return this.scores.map((score, i) => ({ score, slot: this.slots[i]! })).sort((a, b) => b.score - a.score || a.slot - b.slot);
  }

  private swap(a: number, b: number): void {
    [this.scores[a], this.scores[b]] = [this.scores[b]!, this.scores[a]!];
    [this.slots[a], this.slots[b]] = [this.slots[b]!, this.slots[a]!];
  }

  private up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.scores[parent]! <= this.scores[i]!) return;
      this.swap(parent, i);
      i = parent;
    }
  }

  private down(i: number): void {
    const n = this.scores.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let smallest = i;
      if (l < n && this.scores[l]! < this.scores[smallest]!) smallest = l;
      if (r < n && this.scores[r]! < this.scores[smallest]!) smallest = r;
      if (smallest === i) return;
      this.swap(smallest, i);
      i = smallest;
    }
  }
}

export interface TextRanked {
  kind: SearchKind;
  key: string;
  score: number;
  /** The index's time and visit count of the document, carried into the fused hit (hydration uses them). */
  at?: number;
  n?: number;
}
export interface VectorRanked {
  kind: SearchKind;
  key: string;
  sim: number;
}
export interface FusedHit {
  kind: SearchKind;
  key: string;
  /** The fused score: the sum of 1 / (RRF_K + rank) over the lists the item is in. */
  score: number;
  match: 'text' | 'vector' | 'both';
  /** 1-based ranks in each list, null when absent. */
  textRank: number | null;
  vectorRank: number | null;
  /** From the text hit, when it had them. */
  at?: number;
  n?: number;
}

/** The RRF constant from Cormack, Clarke & Büttcher (2009); it damps the weight of the very top ranks. */
export const RRF_K = 60;

/**
 * Reciprocal-rank fusion of a full-text ranking and a vector ranking (each best first): an item
 * scores Σ 1 / (RRF_K + rank) over the lists it appears in. Only ranks count, never the raw
 * scores, so BM25-like scores and cosine similarities need no calibration against each other; an
 * item found by both lists beats one found by a single list at a similar rank. Ties keep the
 * better text rank first, then the better vector rank. Each result says which lists found it.
 */
export function fuseHybrid(textHits: readonly TextRanked[], vectorHits: readonly VectorRanked[], limit: number): FusedHit[] {
  const fused = new Map<string, FusedHit>();
  const id = (kind: SearchKind, key: string) => `${kind}\u0000${key}`;
  textHits.forEach((hit, index) => {
    const key = id(hit.kind, hit.key);
    if (fused.has(key)) return;
    const figures = { ...(hit.at !== undefined ? { at: hit.at } : {}), ...(hit.n !== undefined ? { n: hit.n } : {}) };
    fused.set(key, { kind: hit.kind, key: hit.key, score: 1 / (RRF_K + index + 1), match: 'text', textRank: index + 1, vectorRank: null, ...figures });
  });
  vectorHits.forEach((hit, index) => {
    const key = id(hit.kind, hit.key);
    const existing = fused.get(key);
    if (existing?.vectorRank !== undefined && existing.vectorRank !== null) return;
    const part = 1 / (RRF_K + index + 1);
    if (existing) {
      existing.score += part;
      existing.match = 'both';
      existing.vectorRank = index + 1;
    } else {
      fused.set(key, { kind: hit.kind, key: hit.key, score: part, match: 'vector', textRank: null, vectorRank: index + 1 });
    }
  });
  const rank = (value: number | null) => value ?? Number.MAX_SAFE_INTEGER;
  return [...fused.values()].sort((a, b) => b.score - a.score || rank(a.textRank) - rank(b.textRank) || rank(a.vectorRank) - rank(b.vectorRank)).slice(0, Math.max(0, limit));
}
