/**
 * The full-text index over everything HydraFlow keeps: documents of six kinds, each kind split by
 * a hash of the document key into a fixed number of segments (shared/search/segment.ts). A write
 * touches one segment, so persisting a change rewrites one small row instead of the whole index;
 * a query runs over the segments of the kinds asked for and merges their best hits.
 *
 * Ranking: BM25 (k1 1.2, b 0.75) with idf over the whole kind, the typed last word matched as a
 * prefix (its completions weigh 0.375 of an exact match, the word itself counts in full), times a
 * recency lift (30-day half-life) and, for visits, the visit count (log). Every query word must
 * match (AND): two words narrow, they never widen.
 */
import { CodedError } from '../errors';
import { SEARCH_KINDS, type SearchKind } from './kinds';
import { idf, postingsSize, Segment, TopK, type SegmentData, type SegmentHit } from './segment';
import { queryTerms } from './tokenize';

/** Bump when the segment format or the tokenizer changes: stored segments of another version are rebuilt. */
export const INDEX_VERSION = 'hf-ii-3';

/**
 * Segments per kind. A change rewrites its document's whole segment, so segments stay around a
 * megabyte at the design's scale (1M visits ≈ 200k URLs, 20k pages of long text, 50k messages):
 * about 1,500 URLs, 300 pages or 800 messages each. More segments cost each query a few lookups.
 */
export const SEGMENTS_PER_KIND: Record<SearchKind, number> = { visit: 128, page: 64, message: 64, thread: 8, task: 8, memory: 8 };

export const PREFIX_WEIGHT = 0.375;

export interface IndexDoc {
  kind: SearchKind;
  key: string;
  title: string;
  text: string;
  url: string | null;
  domain: string;
  at: number;
  /** Visits to the URL (visits); 0 for the other kinds. */
  n?: number;
}

export interface EngineQuery {
  q: string;
  kinds?: readonly SearchKind[];
  from?: number;
  to?: number;
  domain?: string;
  limit: number;
  now?: number;
}

export interface EngineHit {
  kind: SearchKind;
  key: string;
  score: number;
  at: number;
  n: number;
}

export interface SegmentRecord {
  key: string;
  kind: SearchKind;
  data: SegmentData;
}

/** FNV-1a over UTF-16 code units: a fast, stable string hash (segment choice, signatures). */
export function hash32(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The signature of a document's content: verify compares the index's with the one the rows give. */
export function docSignature(doc: IndexDoc): number {
  return hash32(`${doc.title}\u0000${doc.text}\u0000${doc.url ?? ''}\u0000${doc.domain}\u0000${doc.at}\u0000${doc.n ?? 0}`);
}

/** The searchable part of a URL: host and path words, without the scheme and "www". */
export function urlWords(url: string): string {
  return url.replace(/^[a-z][a-z0-9+.-]*:\/\/(www\.)?/i, '');
}

export function segmentKey(kind: SearchKind, key: string): string {
  return `${kind}/${hash32(key) % SEGMENTS_PER_KIND[kind]}`;
}

export class SearchIndex {
  private readonly segments = new Map<string, { kind: SearchKind; segment: Segment }>();
  private readonly dirty = new Set<string>();

  static empty(): SearchIndex {
    return new SearchIndex();
  }

  static load(rows: readonly SegmentRecord[]): SearchIndex {
    const index = new SearchIndex();
    for (const row of rows) index.segments.set(row.key, { kind: row.kind, segment: new Segment(row.data) });
    return index;
  }

  private segmentFor(kind: SearchKind, key: string): Segment {
    const name = segmentKey(kind, key);
    let entry = this.segments.get(name);
    if (!entry) {
      entry = { kind, segment: new Segment() };
      this.segments.set(name, entry);
    }
    return entry.segment;
  }

  upsert(doc: IndexDoc): void {
    const name = segmentKey(doc.kind, doc.key);
    this.segmentFor(doc.kind, doc.key).upsert({ key: doc.key, at: doc.at, n: doc.n ?? 0, domain: doc.domain, sig: docSignature(doc), title: doc.title, text: doc.url ? `${doc.text} ${urlWords(doc.url)}` : doc.text });
    this.dirty.add(name);
  }

  remove(kind: SearchKind, key: string): boolean {
    const name = segmentKey(kind, key);
    const entry = this.segments.get(name);
    if (!entry?.segment.remove(key)) return false;
    this.dirty.add(name);
    return true;
  }

  has(kind: SearchKind, key: string): boolean {
    return this.segments.get(segmentKey(kind, key))?.segment.has(key) ?? false;
  }

  signature(kind: SearchKind, key: string): number | undefined {
    return this.segments.get(segmentKey(kind, key))?.segment.signature(key);
  }

  *keys(kind: SearchKind): Generator<string> {
    for (const entry of this.segments.values()) if (entry.kind === kind) yield* entry.segment.liveKeys();
  }

  count(kind?: SearchKind): number {
    let total = 0;
    for (const entry of this.segments.values()) if (kind === undefined || entry.kind === kind) total += entry.segment.size;
    return total;
  }

  counts(): Record<SearchKind, number> {
    const out = Object.fromEntries(SEARCH_KINDS.map((kind) => [kind, 0])) as Record<SearchKind, number>;
    for (const entry of this.segments.values()) out[entry.kind] += entry.segment.size;
    return out;
  }

  get segmentCount(): number {
    return this.segments.size;
  }

  get bytes(): number {
    let total = 0;
    for (const entry of this.segments.values()) total += entry.segment.bytes;
    return total;
  }

  /** Removes every document of a kind (a cleared store). */
  clearKind(kind: SearchKind): void {
    for (const [name, entry] of this.segments) {
      if (entry.kind !== kind) continue;
      this.segments.set(name, { kind, segment: new Segment() });
      this.dirty.add(name);
    }
  }

  /** Documents holding `word`, over every kind. */
  documentFrequency(word: string): number {
    let df = 0;
    for (const entry of this.segments.values()) df += entry.segment.df(word);
    return df;
  }

  search(query: EngineQuery): { hits: EngineHit[]; terms: string[] } {
    const { exact, prefix } = queryTerms(query.q);
    if (exact.length === 0 && prefix === null) throw new CodedError('SEARCH_QUERY_EMPTY');
    return this.run(exact, prefix, query, false);
  }

  /** Documents holding any of `words` (already tokenized), scores summed: "more like this". */
  searchAny(words: readonly string[], limit: number, now = Date.now()): { hits: EngineHit[]; terms: string[] } {
    return this.run([...new Set(words)], null, { q: '', limit, now }, true);
  }

  private run(exact: string[], prefix: string | null, query: EngineQuery, any: boolean): { hits: EngineHit[]; terms: string[] } {
    const kinds = new Set<SearchKind>(query.kinds ?? SEARCH_KINDS);
    const top = new TopK<SegmentHit>(query.limit);
    const now = query.now ?? Date.now();
    const domain = query.domain ? query.domain.trim().toLowerCase().replace(/^www\./, '') : null;
    for (const kind of kinds) {
      const segments = [...this.segments.values()].filter((entry) => entry.kind === kind).map((entry) => entry.segment);
      let docCount = 0;
      let lengthSum = 0;
      for (const segment of segments) {
        docCount += segment.size;
        lengthSum += segment.lengthSum;
      }
      if (docCount === 0) continue;
      // idf over the whole kind, so the segment a document landed in does not change its score.
      // Each segment looks each word up once: the same lookups serve the idf and the search.
      const found = segments.map((segment) => exact.map((term) => segment.lookup(term)));
      const weighted = exact.map((term, t) => {
        let df = 0;
        for (const lookups of found) df += postingsSize(lookups[t]!);
        return { term, idf: idf(docCount, df) };
      });
      let prefixDf = 0;
      if (prefix !== null) for (const segment of segments) prefixDf += segment.df(prefix);
      const segmentQuery = {
        any,
        exact: weighted,
        prefix,
        prefixIdf: idf(docCount, prefixDf),
        prefixWeight: PREFIX_WEIGHT,
        docCount,
        avgLen: lengthSum / docCount,
        from: query.from ?? -Infinity,
        to: query.to ?? Infinity,
        domain,
        now,
      };
      segments.forEach((segment, s) => segment.search(segmentQuery, top, found[s]!));
    }
    const kindOf = new Map<Segment, SearchKind>();
    for (const entry of this.segments.values()) kindOf.set(entry.segment, entry.kind);
    const hits = top.sorted().map(({ score, item }) => {
      const { key, at, n } = item.segment.describe(item.doc);
      return { kind: kindOf.get(item.segment)!, key, score, at, n };
    });
    return { hits, terms: prefix === null ? exact : [...exact, prefix] };
  }

  /** Freezes and returns every segment changed since `markClean`; persist them, then call `markClean`. */
  dirtySegments(): SegmentRecord[] {
    const out: SegmentRecord[] = [];
    for (const name of this.dirty) {
      const entry = this.segments.get(name);
      if (entry) out.push({ key: name, kind: entry.kind, data: entry.segment.freeze() });
    }
    return out;
  }

  markClean(keys: readonly string[]): void {
    for (const key of keys) this.dirty.delete(key);
  }

  get dirtyCount(): number {
    return this.dirty.size;
  }

  /** Freezes every segment (drops removed documents' words everywhere) and returns them all. */
  compact(): SegmentRecord[] {
    return [...this.segments].map(([key, entry]) => ({ key, kind: entry.kind, data: entry.segment.freeze() }));
  }
}
