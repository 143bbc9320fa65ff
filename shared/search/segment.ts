/**
 * One segment of the full-text index: an inverted index over a few thousand documents of one
 * kind, compact enough that a million visits fit in tens of megabytes.
 *
 * A segment has a frozen part (`SegmentData`: sorted terms in one string, postings in typed
 * arrays, per-document columns) and a small mutable overlay (documents added since the last
 * freeze, and "dead" marks on frozen documents that were removed or replaced). `freeze()` merges
 * the overlay and drops dead documents, so a persisted segment never holds the words of a deleted
 * item. IndexedDB stores `SegmentData` by structured clone: typed arrays go in as raw bytes.
 *
 * Postings of one term are sorted by document number (frozen documents are numbered in order,
 * overlay documents after them), so intersections walk lists forward with galloping search.
 */
import { tokenize } from './tokenize';
import { DAY_MS } from '../time';

/** Title words count this many times (a word in the title says more than one in the body). */
export const TITLE_WEIGHT = 3;
/** Words of a document past this many are not indexed (a 2 MB page is found by its first 20k words). */
export const MAX_DOC_WORDS = 20_000;
const MAX_TF = 255;

export interface SegmentData {
  /** Sorted distinct terms, concatenated; term i is terms.slice(termOff[i], termOff[i + 1]). */
  terms: string;
  termOff: Uint32Array;
  /** Postings of term i: postDoc/postTf[postOff[i] .. postOff[i + 1]). Document numbers fit 16 bits in any segment of up to 65,535 documents (all of them at the design's scale): half the bytes. */
  postOff: Uint32Array;
  postDoc: Uint16Array | Uint32Array;
  postTf: Uint8Array;
  /** Document keys, concatenated; key d is keys.slice(keyOff[d], keyOff[d + 1]). */
  keys: string;
  keyOff: Uint32Array;
  /** Per document: time (ms), visit count, length in words, domain number, content signature. */
  at: Float64Array;
  n: Uint32Array;
  len: Uint32Array;
  dom: Uint32Array;
  sig: Uint32Array;
  domains: string[];
}

/** What the index stores of one document, already tokenized. */
export interface DocInput {
  key: string;
  at: number;
  n: number;
  domain: string;
  sig: number;
  title: string;
  text: string;
}

/** BM25 parameters (the usual defaults). */
const K1 = 1.2;
const B = 0.75;

function emptyData(): SegmentData {
  return {
    terms: '',
    termOff: new Uint32Array(1),
    postOff: new Uint32Array(1),
    postDoc: new Uint16Array(0),
    postTf: new Uint8Array(0),
    keys: '',
    keyOff: new Uint32Array(1),
    at: new Float64Array(0),
    n: new Uint32Array(0),
    len: new Uint32Array(0),
    dom: new Uint32Array(0),
    sig: new Uint32Array(0),
    domains: [],
  };
}

/** Term frequencies of a document: title words weigh TITLE_WEIGHT, at most MAX_DOC_WORDS words. */
export function termFrequencies(title: string, text: string): { tf: Map<string, number>; len: number } {
  const tf = new Map<string, number>();
  const titleWords = tokenize(title);
  for (const word of titleWords) tf.set(word, Math.min(MAX_TF, (tf.get(word) ?? 0) + TITLE_WEIGHT));
  const words = tokenize(text.length > MAX_DOC_WORDS * 12 ? text.slice(0, MAX_DOC_WORDS * 12) : text);
  const count = Math.min(words.length, MAX_DOC_WORDS);
  for (let i = 0; i < count; i++) {
    const word = words[i]!;
    tf.set(word, Math.min(MAX_TF, (tf.get(word) ?? 0) + 1));
  }
  return { tf, len: Math.max(1, titleWords.length * TITLE_WEIGHT + count) };
}

/** Scores of a query inside one segment, handed in by the index (global statistics). */
export interface SegmentQuery {
  /** Any exact term suffices (scores add up): "more like this". Default: every term is needed. */
  any?: boolean;
  /** Exact terms with their global idf. */
  exact: { term: string; idf: number }[];
  prefix: string | null;
  /** Global idf of the prefix as a whole word (a completion's own idf is estimated from this segment). */
  prefixIdf: number;
  /** Weight of a completion of the prefix that is not the prefix itself. */
  prefixWeight: number;
  /** Live documents of the kind (for a completion's idf) and the kind's average length. */
  docCount: number;
  avgLen: number;
  from: number;
  to: number;
  /** Allowed domains (a document's domain equals one or ends with "." + one); null = all. */
  domain: string | null;
  now: number;
}

/** Keeps the best `limit` (score, payload) pairs: a min-heap on score. */
export class TopK<T> {
  readonly scores: number[] = [];
  readonly items: T[] = [];
  constructor(readonly limit: number) {}

  /** The score a new entry must beat once full. */
  get floor(): number {
    return this.scores.length < this.limit ? -Infinity : this.scores[0]!;
  }

  push(score: number, item: T): void {
    const { scores, items } = this;
    if (scores.length < this.limit) {
      let i = scores.length;
      scores.push(score);
      items.push(item);
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (scores[parent]! <= score) break;
        scores[i] = scores[parent]!;
        items[i] = items[parent]!;
        i = parent;
      }
      scores[i] = score;
      items[i] = item;
      return;
    }
    if (score <= scores[0]!) return;
    // Replace the root and sift down.
    let i = 0;
    const size = scores.length;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= size) break;
      const right = left + 1;
      const child = right < size && scores[right]! < scores[left]! ? right : left;
      if (scores[child]! >= score) break;
      scores[i] = scores[child]!;
      items[i] = items[child]!;
      i = child;
    }
    scores[i] = score;
    items[i] = item;
  }

  /** Best first. */
  sorted(): { score: number; item: T }[] {
    return this.scores.map((score, i) => ({ score, item: this.items[i]! })).sort((a, b) => b.score - a.score);
  }
}

export interface SegmentHit {
  segment: Segment;
  doc: number;
}

/** Recency boost halves every 30 days: last week's page outranks last year's at equal text score. */
const RECENCY_HALF_LIFE_MS = 30 * DAY_MS;

/** The final score: text relevance, lifted by recency and (for visits) by how often the URL was visited. */
export function rankScore(text: number, at: number, n: number, now: number): number {
  const age = Math.max(0, now - at);
  const recency = Math.pow(2, -age / RECENCY_HALF_LIFE_MS);
  return text * (1 + 0.5 * recency) * (1 + 0.1 * Math.log2(1 + n));
}

export function idf(docCount: number, df: number): number {
  const d = Math.min(df, docCount);
  return Math.log(1 + (docCount - d + 0.5) / (d + 0.5));
}

/** A posting list: a frozen range followed by overlay pairs (docs ascending throughout). */
export interface Postings {
  start: number;
  end: number;
  /** [doc, tf, doc, tf, …] of overlay documents, or null. */
  extra: number[] | null;
}

/** Documents in a posting list (0 for none). */
export function postingsSize(p: Postings | null): number {
  return p ? p.end - p.start + (p.extra ? p.extra.length / 2 : 0) : 0;
}

export class Segment {
  private data: SegmentData;
  /** Frozen document count. */
  private base: number;
  /** Dead marks, frozen and overlay documents alike (index = document number). */
  private dead: Uint8Array;
  private deadCount = 0;
  // Overlay documents (numbered base, base + 1, …).
  private oKeys: string[] = [];
  private oAt: number[] = [];
  private oN: number[] = [];
  private oLen: number[] = [];
  private oDom: number[] = [];
  private oSig: number[] = [];
  private overlay = new Map<string, number[]>();
  private domainIndex: Map<string, number> | null = null;
  private byKey: Map<string, number> | null = null;
  private totalLen: number;

  constructor(data: SegmentData = emptyData()) {
    this.data = data;
    this.base = data.at.length;
    this.dead = new Uint8Array(this.base + 16);
    let total = 0;
    for (let i = 0; i < this.base; i++) total += data.len[i]!;
    this.totalLen = total;
  }

  /** Live documents. */
  get size(): number {
    return this.base + this.oKeys.length - this.deadCount;
  }

  get lengthSum(): number {
    return this.totalLen;
  }

  /** True when documents were added or removed since the last freeze. */
  get changed(): boolean {
    return this.oKeys.length > 0 || this.deadCount > 0;
  }

  private keyOf(doc: number): string {
    if (doc < this.base) return this.data.keys.slice(this.data.keyOff[doc], this.data.keyOff[doc + 1]);
    return this.oKeys[doc - this.base]!;
  }

  private keys(): Map<string, number> {
    if (!this.byKey) {
      const map = new Map<string, number>();
      const total = this.base + this.oKeys.length;
      for (let d = 0; d < total; d++) if (!this.dead[d]) map.set(this.keyOf(d), d);
      this.byKey = map;
    }
    return this.byKey;
  }

  has(key: string): boolean {
    return this.keys().has(key);
  }

  /** The signature stored for a key (undefined when absent): verify compares it with the row's. */
  signature(key: string): number | undefined {
    const doc = this.keys().get(key);
    if (doc === undefined) return undefined;
    return doc < this.base ? this.data.sig[doc] : this.oSig[doc - this.base];
  }

  *liveKeys(): Generator<string> {
    yield* this.keys().keys();
  }

  private lenOf(doc: number): number {
    return doc < this.base ? this.data.len[doc]! : this.oLen[doc - this.base]!;
  }

  remove(key: string): boolean {
    const keys = this.keys();
    const doc = keys.get(key);
    if (doc === undefined) return false;
    keys.delete(key);
    if (doc >= this.dead.length) {
      const grown = new Uint8Array(Math.max(doc + 1, this.dead.length * 2));
      grown.set(this.dead);
      this.dead = grown;
    }
    this.dead[doc] = 1;
    this.deadCount++;
    this.totalLen -= this.lenOf(doc);
    return true;
  }

  upsert(input: DocInput): void {
    this.remove(input.key);
    const { tf, len } = termFrequencies(input.title, input.text);
    const doc = this.base + this.oKeys.length;
    this.domainIndex ??= new Map(this.data.domains.map((domain, i) => [domain, i]));
    let dom = this.domainIndex.get(input.domain);
    if (dom === undefined) {
      dom = this.data.domains.length;
      this.data.domains.push(input.domain);
      this.domainIndex.set(input.domain, dom);
    }
    this.oKeys.push(input.key);
    this.oAt.push(input.at);
    this.oN.push(input.n);
    this.oLen.push(len);
    this.oDom.push(dom);
    this.oSig.push(input.sig >>> 0);
    for (const [term, count] of tf) {
      const list = this.overlay.get(term);
      if (list) list.push(doc, count);
      else this.overlay.set(term, [doc, count]);
    }
    this.totalLen += len;
    this.keys().set(input.key, doc);
    if (doc >= this.dead.length) {
      const grown = new Uint8Array(this.dead.length * 2 + 16);
      grown.set(this.dead);
      this.dead = grown;
    }
  }

  /** Index of the first frozen term >= `term` (binary search over the concatenated terms). */
  private lowerBound(term: string): number {
    const { terms, termOff } = this.data;
    let lo = 0;
    let hi = termOff.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (terms.slice(termOff[mid], termOff[mid + 1]) < term) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private termAt(i: number): string {
    return this.data.terms.slice(this.data.termOff[i], this.data.termOff[i + 1]);
  }

  /** Where `term`'s postings are in this segment (null: no document holds it). Valid until the next change. */
  lookup(term: string): Postings | null {
    const i = this.lowerBound(term);
    const frozen = i < this.data.termOff.length - 1 && this.termAt(i) === term;
    const extra = this.overlay.get(term) ?? null;
    if (!frozen && !extra) return null;
    return { start: frozen ? this.data.postOff[i]! : 0, end: frozen ? this.data.postOff[i + 1]! : 0, extra };
  }

  /** Documents holding `term` here (dead ones included: an upper bound, good for idf). */
  df(term: string): number {
    return postingsSize(this.lookup(term));
  }

  /**
   * Adds this segment's matches to `top`: documents holding every exact term and (when there is
   * one) a word starting with the prefix, inside the filters. `found[i]` is this segment's
   * `lookup` of `query.exact[i]` (the index already looked them up for the idf).
   */
  search(query: SegmentQuery, top: TopK<SegmentHit>, found: readonly (Postings | null)[]): void {
    const { postDoc, postTf, at, dom } = this.data;
    const total = this.base + this.oKeys.length;
    if (total === 0 || this.size === 0) return;
    const lists: { p: Postings; idf: number; cursor: number }[] = [];
    query.exact.forEach(({ idf: weight }, i) => {
      const p = found[i] ?? null;
      if (p) lists.push({ p, idf: weight, cursor: 0 });
    });
    if (!query.any && lists.length < query.exact.length) return;
    const length = postingsSize;
    lists.sort((a, b) => length(a.p) - length(b.p));

    const allowedDomain = this.domainFilter(query.domain);
    const avgLen = query.avgLen || 1;
    const bm25 = (tf: number, doc: number) => {
      const len = doc < this.base ? this.data.len[doc]! : this.oLen[doc - this.base]!;
      return (tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * len) / avgLen));
    };
    const accept = (doc: number): boolean => {
      if (this.dead[doc]) return false;
      const time = doc < this.base ? at[doc]! : this.oAt[doc - this.base]!;
      if (time < query.from || time > query.to) return false;
      if (allowedDomain) {
        const d = doc < this.base ? dom[doc]! : this.oDom[doc - this.base]!;
        if (!allowedDomain[d]) return false;
      }
      return true;
    };

    if (query.any) {
      const sums = new Float64Array(total);
      const touched: number[] = [];
      for (const list of lists) {
        const size = length(list.p);
        for (let i = 0; i < size; i++) {
          const doc = this.docAt(list.p, i);
          if (!accept(doc)) continue;
          if (sums[doc] === 0) touched.push(doc);
          sums[doc] = sums[doc]! + list.idf * bm25(this.tfAt(list.p, i), doc);
        }
      }
      for (const doc of touched) this.offer(doc, sums[doc]!, query, top);
      return;
    }

    // Candidates from the exact terms (rarest first, galloping through the others).
    let candidates: Int32Array | null = null;
    let candidateScores: Float64Array | null = null;
    let candidateCount = 0;
    if (lists.length > 0) {
      const first = lists[0]!;
      const firstLength = length(first.p);
      candidates = new Int32Array(firstLength);
      candidateScores = new Float64Array(firstLength);
      for (let i = 0; i < firstLength; i++) {
        const doc = this.docAt(first.p, i);
        let all = true;
        for (let t = 1; t < lists.length; t++) {
          const list = lists[t]!;
          const index = this.seek(list.p, list.cursor, doc);
          list.cursor = index;
          if (index >= length(list.p) || this.docAt(list.p, index) !== doc) {
            all = false;
            break;
          }
        }
        if (!all || !accept(doc)) continue;
        let score = first.idf * bm25(this.tfAt(first.p, i), doc);
        for (let t = 1; t < lists.length; t++) score += lists[t]!.idf * bm25(this.tfAt(lists[t]!.p, lists[t]!.cursor), doc);
        candidates[candidateCount] = doc;
        candidateScores[candidateCount++] = score;
      }
      if (candidateCount === 0) return;
    }

    if (query.prefix === null) {
      for (let i = 0; i < candidateCount; i++) this.offer(candidates![i]!, candidateScores![i]!, query, top);
      return;
    }

    // The prefix: best completion per document, over every completion's postings (a sequential
    // walk of typed arrays, no per-completion allocation). Only candidates count when there are exact terms.
    const prefixScore = new Float64Array(total);
    let member: Uint8Array | null = null;
    if (candidates) {
      member = new Uint8Array(total);
      for (let i = 0; i < candidateCount; i++) member[candidates[i]!] = 1;
    }
    const touched: number[] = [];
    const visit = (doc: number, tf: number, weight: number) => {
      if (member ? !member[doc] : !accept(doc)) return;
      const s = weight * bm25(tf, doc);
      if (s > prefixScore[doc]!) {
        if (prefixScore[doc] === 0) touched.push(doc);
        prefixScore[doc] = s;
      }
    };
    const prefix = query.prefix;
    const { terms, termOff, postOff } = this.data;
    const termCount = termOff.length - 1;
    // A completion's document frequency over the kind, estimated from this segment's share of it.
    const scale = query.docCount / this.size;
    for (let i = this.lowerBound(prefix); i < termCount; i++) {
      const start = termOff[i]!;
      const end = termOff[i + 1]!;
      if (end - start < prefix.length || !terms.startsWith(prefix, start)) break;
      const from = postOff[i]!;
      const to = postOff[i + 1]!;
      const weight = end - start === prefix.length ? query.prefixIdf : query.prefixWeight * idf(query.docCount, (to - from) * scale);
      for (let j = from; j < to; j++) visit(postDoc[j]!, postTf[j]!, weight);
    }
    for (const [term, list] of this.overlay) {
      if (!term.startsWith(prefix)) continue;
      const weight = term.length === prefix.length ? query.prefixIdf : query.prefixWeight * idf(query.docCount, this.df(term) * scale);
      for (let j = 0; j < list.length; j += 2) visit(list[j]!, list[j + 1]!, weight);
    }
    if (candidates) {
      for (let i = 0; i < candidateCount; i++) {
        const doc = candidates[i]!;
        const extra = prefixScore[doc]!;
        if (extra > 0) this.offer(doc, candidateScores![i]! + extra, query, top);
      }
    } else for (const doc of touched) this.offer(doc, prefixScore[doc]!, query, top);
  }

  private offer(doc: number, text: number, query: SegmentQuery, top: TopK<SegmentHit>): void {
    const time = doc < this.base ? this.data.at[doc]! : this.oAt[doc - this.base]!;
    const count = doc < this.base ? this.data.n[doc]! : this.oN[doc - this.base]!;
    const score = rankScore(text, time, count, query.now);
    if (score > top.floor) top.push(score, { segment: this, doc });
  }

  private docAt(p: Postings, i: number): number {
    const frozen = p.end - p.start;
    return i < frozen ? this.data.postDoc[p.start + i]! : p.extra![(i - frozen) * 2]!;
  }

  private tfAt(p: Postings, i: number): number {
    const frozen = p.end - p.start;
    return i < frozen ? this.data.postTf[p.start + i]! : p.extra![(i - frozen) * 2 + 1]!;
  }

  /** Galloping search: the first position at or after `from` whose document is >= `doc`. */
  private seek(p: Postings, from: number, doc: number): number {
    const size = p.end - p.start + (p.extra ? p.extra.length / 2 : 0);
    let lo = from;
    let step = 1;
    let hi = from;
    while (hi < size && this.docAt(p, hi) < doc) {
      lo = hi + 1;
      hi += step;
      step *= 2;
    }
    if (hi > size) hi = size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.docAt(p, mid) < doc) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private domainFilter(domain: string | null): Uint8Array | null {
    if (domain === null) return null;
    const allowed = new Uint8Array(this.data.domains.length);
    this.data.domains.forEach((d, i) => {
      if (d === domain || d.endsWith(`.${domain}`)) allowed[i] = 1;
    });
    return allowed;
  }

  /** What a hit shows: its key, time and visit count. */
  describe(doc: number): { key: string; at: number; n: number } {
    return {
      key: this.keyOf(doc),
      at: doc < this.base ? this.data.at[doc]! : this.oAt[doc - this.base]!,
      n: doc < this.base ? this.data.n[doc]! : this.oN[doc - this.base]!,
    };
  }

  /**
   * Merges the overlay into a new frozen part without dead documents, and returns it. Words of
   * removed documents are gone from the result.
   */
  freeze(): SegmentData {
    if (!this.changed) return this.data;
    const old = this.data;
    const total = this.base + this.oKeys.length;
    const renumber = new Int32Array(total).fill(-1);
    let live = 0;
    for (let d = 0; d < total; d++) if (!this.dead[d]) renumber[d] = live++;

    // Per-document columns and keys; domains still used, renumbered.
    const at = new Float64Array(live);
    const n = new Uint32Array(live);
    const len = new Uint32Array(live);
    const dom = new Uint32Array(live);
    const sig = new Uint32Array(live);
    const keyOff = new Uint32Array(live + 1);
    const keyParts: string[] = [];
    const domainMap = new Map<number, number>();
    const domains: string[] = [];
    let keyLength = 0;
    for (let d = 0; d < total; d++) {
      const to = renumber[d]!;
      if (to < 0) continue;
      const frozen = d < this.base;
      const o = d - this.base;
      at[to] = frozen ? old.at[d]! : this.oAt[o]!;
      n[to] = frozen ? old.n[d]! : this.oN[o]!;
      len[to] = frozen ? old.len[d]! : this.oLen[o]!;
      sig[to] = frozen ? old.sig[d]! : this.oSig[o]!;
      const oldDom = frozen ? old.dom[d]! : this.oDom[o]!;
      let newDom = domainMap.get(oldDom);
      if (newDom === undefined) {
        newDom = domains.length;
        domains.push(old.domains[oldDom]!);
        domainMap.set(oldDom, newDom);
      }
      dom[to] = newDom;
      const key = this.keyOf(d);
      keyParts.push(key);
      keyLength += key.length;
      keyOff[to + 1] = keyLength;
    }

    // Terms: frozen and overlay terms merged in sorted order, postings renumbered, empty terms dropped.
    const overlayTerms = [...this.overlay.keys()].sort();
    const termParts: string[] = [];
    const termOffs: number[] = [0];
    const postOffs: number[] = [0];
    const docs: number[] = [];
    const tfs: number[] = [];
    let termLength = 0;
    const oldTermCount = old.termOff.length - 1;
    let i = 0;
    let j = 0;
    while (i < oldTermCount || j < overlayTerms.length) {
      const frozenTerm = i < oldTermCount ? old.terms.slice(old.termOff[i], old.termOff[i + 1]) : null;
      const overlayTerm = j < overlayTerms.length ? overlayTerms[j]! : null;
      let term: string;
      let fromFrozen = false;
      let extra: number[] | undefined;
      if (overlayTerm === null || (frozenTerm !== null && frozenTerm < overlayTerm)) {
        term = frozenTerm!;
        fromFrozen = true;
        i++;
      } else if (frozenTerm === null || overlayTerm < frozenTerm) {
        term = overlayTerm;
        extra = this.overlay.get(term);
        j++;
      } else {
        term = frozenTerm;
        fromFrozen = true;
        extra = this.overlay.get(term);
        i++;
        j++;
      }
      const before = docs.length;
      if (fromFrozen) {
        for (let k = old.postOff[i - 1]!; k < old.postOff[i]!; k++) {
          const to = renumber[old.postDoc[k]!]!;
          if (to < 0) continue;
          docs.push(to);
          tfs.push(old.postTf[k]!);
        }
      }
      if (extra) {
        for (let k = 0; k < extra.length; k += 2) {
          const to = renumber[extra[k]!]!;
          if (to < 0) continue;
          docs.push(to);
          tfs.push(extra[k + 1]!);
        }
      }
      if (docs.length === before) continue;
      termParts.push(term);
      termLength += term.length;
      termOffs.push(termLength);
      postOffs.push(docs.length);
    }

    const data: SegmentData = {
      terms: termParts.join(''),
      termOff: Uint32Array.from(termOffs),
      postOff: Uint32Array.from(postOffs),
      postDoc: live <= 0xffff ? Uint16Array.from(docs) : Uint32Array.from(docs),
      postTf: Uint8Array.from(tfs),
      keys: keyParts.join(''),
      keyOff,
      at,
      n,
      len,
      dom,
      sig,
      domains,
    };
    this.data = data;
    this.base = live;
    this.dead = new Uint8Array(live + 16);
    this.deadCount = 0;
    this.oKeys = [];
    this.oAt = [];
    this.oN = [];
    this.oLen = [];
    this.oDom = [];
    this.oSig = [];
    this.overlay = new Map();
    this.domainIndex = null;
    this.byKey = null;
    let totalLen = 0;
    for (let d = 0; d < live; d++) totalLen += len[d]!;
    this.totalLen = totalLen;
    return data;
  }

  /** Approximate bytes of the frozen part (what a persisted row weighs). */
  get bytes(): number {
    return segmentBytes(this.data);
  }
}

/** Approximate bytes of a segment's data: its arrays, and its strings at two bytes a character. */
export function segmentBytes(d: SegmentData): number {
  return d.terms.length * 2 + d.keys.length * 2 + d.termOff.byteLength + d.postOff.byteLength + d.postDoc.byteLength + d.postTf.byteLength + d.keyOff.byteLength + d.at.byteLength + d.n.byteLength + d.len.byteLength + d.dom.byteLength + d.sig.byteLength;
}
