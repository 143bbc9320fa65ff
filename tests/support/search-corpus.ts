/**
 * A generated search corpus at the size of issue #9 (scale 1: 1M visits over 200k URLs on 5k
 * domains, 20k page snapshots of 300–3,000 words, 50k messages of 10–200 words, 5k threads, 3k
 * tasks, 2k memories), the two-word queries people would type into it, and the linear scan every
 * engine is measured against. Everything is drawn from one seeded PRNG, so a run at a given scale
 * and seed always produces the same documents and queries on any machine.
 *
 * Words come from a 50k-word Zipf vocabulary (a few hundred common words make most of any text,
 * as in real language); ~3% of the words carry accents and ~0.5% are Greek, Cyrillic or Japanese,
 * so folding and CJK pairs are exercised by the index and by the queries. Visits aggregate per URL
 * (one document per URL: `n` visits, `at` the last one), as the index stores them.
 */
import { serialize } from 'node:v8';
import { fold, queryTerms } from '../../shared/search/tokenize';
import type { IndexDoc } from '../../shared/search/engine';
import { urlKey } from '../../shared/url';

/** Documents as the index takes them. */
export type CorpusDoc = IndexDoc;

export interface CorpusSizes {
  visits: number;
  urls: number;
  domains: number;
  pages: number;
  messages: number;
  threads: number;
  tasks: number;
  memories: number;
  vocabulary: number;
}

export const FULL_SIZES: CorpusSizes = { visits: 1_000_000, urls: 200_000, domains: 5_000, pages: 20_000, messages: 50_000, threads: 5_000, tasks: 3_000, memories: 2_000, vocabulary: 50_000 };

/** Sizes at a fraction of the corpus. The vocabulary and domain count do not shrink (they are properties of language and of the web, not of one user's history). */
export function scaledSizes(scale: number): CorpusSizes {
  const part = (value: number) => Math.max(1, Math.round(value * scale));
  return {
    visits: part(FULL_SIZES.visits),
    urls: part(FULL_SIZES.urls),
    domains: Math.min(FULL_SIZES.domains, part(FULL_SIZES.urls)),
    pages: part(FULL_SIZES.pages),
    messages: part(FULL_SIZES.messages),
    threads: part(FULL_SIZES.threads),
    tasks: part(FULL_SIZES.tasks),
    memories: part(FULL_SIZES.memories),
    vocabulary: FULL_SIZES.vocabulary,
  };
}

/** mulberry32: tiny, fast, good enough for fixtures; never for anything secret. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Draws ranks 0..n-1 with P(r) ∝ 1 / (r + 2.7)^s (Zipf–Mandelbrot, the shape of word frequencies). */
export function zipfSampler(n: number, s: number, random: () => number): () => number {
  const cdf = new Float64Array(n);
  let total = 0;
  for (let r = 0; r < n; r++) {
    total += 1 / Math.pow(r + 2.7, s);
    cdf[r] = total;
  }
  return () => {
    const x = random() * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

const ONSETS = ['b', 'c', 'd', 'f', 'g', 'h', 'j', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'w', 'z', 'ch', 'sh', 'th', 'br', 'tr', 'st', 'pl', 'gr'];
const NUCLEI = ['a', 'e', 'i', 'o', 'u', 'ai', 'ou', 'ea'];
const CODAS = ['', '', '', 'n', 'r', 's', 'l', 'x', 'nd', 'rt'];
const ACCENTED: Record<string, string[]> = { a: ['á', 'à', 'â', 'ä'], e: ['é', 'è', 'ê', 'ë'], i: ['í', 'ï'], o: ['ó', 'ô', 'ö'], u: ['ú', 'ü', 'û'], n: ['ñ'], c: ['ç'] };
const GREEK = 'αβγδεζηθικλμνξοπρστυφχψω';
const CYRILLIC = 'абвгдежзиклмнопрстуфхцчшыэюя';
const KATAKANA = 'アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン';

export interface Vocabulary {
  /** Words as they appear in text (accents, scripts), by frequency rank. */
  words: string[];
  /** Folded form (what the index holds) → rank. */
  rankOf: Map<string, number>;
}

/** 50k distinct words (distinct after folding); short words are the frequent ones, as in language. */
export function makeVocabulary(size: number, random: () => number): Vocabulary {
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const words: string[] = [];
  const rankOf = new Map<string, number>();
  while (words.length < size) {
    const rank = words.length;
    const special = random();
    let word: string;
    if (rank > 2_000 && special < 0.002) word = Array.from({ length: 2 + Math.floor(random() * 3) }, () => pick([...KATAKANA])).join('');
    else if (rank > 500 && special < 0.005) word = Array.from({ length: 4 + Math.floor(random() * 5) }, () => pick([...(random() < 0.5 ? GREEK : CYRILLIC)])).join('');
    else {
      const syllables = rank < 300 ? 1 + Math.floor(random() * 2) : rank < 5_000 ? 2 + Math.floor(random() * 2) : 2 + Math.floor(random() * 3);
      word = '';
      for (let k = 0; k < syllables; k++) word += pick(ONSETS) + pick(NUCLEI);
      word += pick(CODAS);
      if (special > 0.97) {
        const chars = [...word];
        const at = chars.findIndex((ch, k) => k > 0 && ACCENTED[ch] !== undefined);
        if (at >= 0) chars[at] = pick(ACCENTED[chars[at]!]!);
        word = chars.join('');
      }
    }
    const folded = fold(word);
    if (rankOf.has(folded)) continue;
    rankOf.set(folded, rank);
    words.push(word);
  }
  return { words, rankOf };
}

export interface SearchQuery {
  q: string;
  /** How it was drawn (for reading results): common/rare words, typed prefix, folded accents. */
  shape: string;
}

export interface Corpus {
  sizes: CorpusSizes;
  vocabulary: Vocabulary;
  docs: CorpusDoc[];
  queries: SearchQuery[];
  /** The clock the corpus was generated against (`at` values are before it). */
  now: number;
}

const DAY = 86_400_000;
/** Words at ranks below this are "common" (about half of all running text). */
const COMMON_RANK = 500;

export function makeCorpus(scale: number, seed = 9, queryCount = 200): Corpus {
  const sizes = scaledSizes(scale);
  const random = seededRandom(seed);
  const vocabulary = makeVocabulary(sizes.vocabulary, random);
  const nextWord = zipfSampler(sizes.vocabulary, 1.0, random);
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const now = Date.UTC(2026, 11, 1);
  const word = () => vocabulary.words[nextWord()]!;
  const phrase = (count: number) => Array.from({ length: count }, word).join(' ');
  const capital = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
  const prose = (count: number) => {
    const parts: string[] = [];
    for (let left = count; left > 0; ) {
      const length = Math.min(left, int(6, 18));
      parts.push(`${capital(phrase(length))}${random() < 0.15 ? ',' : '.'}`);
      left -= length;
    }
    return parts.join(' ');
  };
  const ascii = (text: string) => fold(text).replace(/[^a-z0-9]+/g, '') || 'x';

  const domains = Array.from({ length: sizes.domains }, (_, k) => `${ascii(vocabulary.words[k + 100]!)}${ascii(word())}.${['com', 'org', 'net', 'io', 'de', 'fr', 'dev'][k % 7]}`);
  const nextDomain = zipfSampler(sizes.domains, 1.0, random);
  const docs: CorpusDoc[] = [];

  // Visits: every URL visited once, the rest of the visits revisit URLs with Zipf popularity.
  const visitCount = new Uint32Array(sizes.urls).fill(1);
  const nextUrl = zipfSampler(sizes.urls, 1.0, random);
  for (let v = sizes.urls; v < sizes.visits; v++) visitCount[nextUrl()]!++;
  const urlDocs: CorpusDoc[] = [];
  for (let i = 0; i < sizes.urls; i++) {
    const domain = domains[nextDomain()]!;
    const url = `https://${domain}/${ascii(word())}/${ascii(word())}-${ascii(word())}-${i.toString(36)}`;
    const n = visitCount[i]!;
    // Often-visited URLs were visited recently; one-off visits spread over two years.
    const age = n > 3 ? random() * 30 * DAY : random() * 730 * DAY;
    const doc: CorpusDoc = { kind: 'visit', key: urlKey(url), title: capital(phrase(int(3, 12))), text: '', url, domain, at: Math.round(now - age), n };
    urlDocs.push(doc);
    docs.push(doc);
  }
  // Pages: snapshots of distinct visited URLs (the page's title is the visit's title).
  const pageOf = new Set<number>();
  while (pageOf.size < Math.min(sizes.pages, sizes.urls)) pageOf.add(Math.floor(random() * sizes.urls));
  for (const i of pageOf) {
    const visit = urlDocs[i]!;
    docs.push({ kind: 'page', key: visit.key, title: visit.title, text: prose(int(300, 3_000)), url: visit.url, domain: visit.domain, at: visit.at });
  }
  const rowId = (prefix: string, k: number) => `${prefix}${k.toString(36).padStart(6, '0')}`;
  const threadAt: number[] = [];
  for (let k = 0; k < sizes.threads; k++) {
    const page = urlDocs[Math.floor(random() * urlDocs.length)]!;
    const at = Math.round(now - random() * 365 * DAY);
    threadAt.push(at);
    docs.push({ kind: 'thread', key: rowId('t', k), title: capital(phrase(int(2, 8))), text: '', url: page.url, domain: page.domain, at });
  }
  for (let k = 0; k < sizes.messages; k++) {
    const thread = Math.floor(random() * sizes.threads);
    docs.push({ kind: 'message', key: rowId('m', k), title: '', text: prose(int(10, 200)), url: null, domain: '', at: threadAt[thread]! + Math.round(random() * DAY) });
  }
  for (let k = 0; k < sizes.tasks; k++) {
    docs.push({ kind: 'task', key: rowId('k', k), title: capital(phrase(int(3, 10))), text: random() < 0.5 ? prose(int(5, 50)) : '', url: null, domain: '', at: Math.round(now - random() * 365 * DAY) });
  }
  for (let k = 0; k < sizes.memories; k++) {
    docs.push({ kind: 'memory', key: rowId('y', k), title: '', text: prose(int(5, 30)), url: null, domain: '', at: Math.round(now - random() * 365 * DAY) });
  }
  return { sizes, vocabulary, docs, queries: makeQueries(docs, vocabulary, queryCount, random), now };
}

/**
 * Two-word queries the way people type them: both words from one document they saw (mostly a
 * title, sometimes a page or message body), one common and one rarer word when the document has
 * both; a third of them with the last word cut to its first 3–4 letters (still typing); some in
 * capitals, accented words sometimes typed without their accents.
 */
function makeQueries(docs: readonly CorpusDoc[], vocabulary: Vocabulary, count: number, random: () => number): SearchQuery[] {
  const queries: SearchQuery[] = [];
  const seen = new Set<string>();
  for (let attempt = 0; queries.length < count && attempt < count * 50; attempt++) {
    const doc = docs[Math.floor(random() * docs.length)]!;
    const source = doc.title && random() < 0.75 ? doc.title : doc.text || doc.title;
    const words = [...new Set(source.split(/[\s.,]+/).filter(Boolean))];
    if (words.length < 2) continue;
    const rank = (w: string) => vocabulary.rankOf.get(fold(w)) ?? 0;
    const common = words.filter((w) => rank(w) < COMMON_RANK);
    const rare = words.filter((w) => rank(w) >= COMMON_RANK);
    const from = (list: string[]) => list[Math.floor(random() * list.length)]!;
    let pair: string[];
    let shape: string;
    if (common.length && rare.length) {
      pair = random() < 0.5 ? [from(common), from(rare)] : [from(rare), from(common)];
      shape = rank(pair[0]!) < COMMON_RANK ? 'common+rare' : 'rare+common';
    } else {
      const first = from(words);
      const second = from(words.filter((w) => w !== first));
      pair = [first, second];
      shape = common.length ? 'common+common' : 'rare+rare';
    }
    pair = pair.map((w) => (/[A-Z]/.test(w.charAt(0)) && random() < 0.7 ? w.toLowerCase() : w));
    if (pair.some((w) => fold(w) !== w.toLowerCase()) && random() < 0.5) {
      pair = pair.map((w) => fold(w));
      shape += ',typed-unaccented';
    }
    const last = pair[1]!;
    if (random() < 1 / 3 && [...last].length > 4 && queryTerms(last).prefix !== null) {
      pair[1] = [...last].slice(0, random() < 0.5 ? 3 : 4).join('');
      shape += ',prefix';
    } else if (random() < 0.5) {
      // A finished word: the user typed a space after it, so it is not expanded as a prefix.
      pair[1] = `${last} `;
    }
    const q = pair.join(' ');
    if (seen.has(q)) continue;
    seen.add(q);
    queries.push({ q, shape });
  }
  return queries;
}

const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const WORD_CHAR = /[\p{L}\p{N}\p{M}]/u;

/** True when `text` holds `term` as a whole word (or as the start of a word when `prefix`), the way tokenize splits text. */
function holdsWord(text: string, term: string, prefix: boolean): boolean {
  // CJK text is indexed as overlapping character pairs: any occurrence is a match.
  if (CJK.test(term)) return text.includes(term);
  const isWordChar = (ch: string) => ch !== '' && WORD_CHAR.test(ch) && !CJK.test(ch);
  for (let at = text.indexOf(term); at >= 0; at = text.indexOf(term, at + 1)) {
    if (at > 0 && isWordChar(text.charAt(at - 1))) continue;
    if (!prefix && isWordChar(text.charAt(at + term.length))) continue;
    return true;
  }
  return false;
}

export interface ScanResult {
  /** `kind:key` of the best 40, best first. */
  top: string[];
  /** Every document holding all the words. */
  matches: Set<string>;
}

/**
 * The baseline: every document folded once up front (the cheapest a scan can be: the folded text
 * already in memory), then each query tests every document for all its words (last one as a
 * prefix while typed), scores 3 per word in the title or URL + 1 per word in the body, newest
 * first among equals, and keeps the best 40.
 */
export class LinearScan {
  private readonly heads: string[];
  private readonly bodies: string[];
  private readonly ids: string[];
  private readonly at: number[];

  constructor(docs: readonly CorpusDoc[]) {
    this.heads = docs.map((doc) => fold(`${doc.title}\n${doc.url ?? ''}`));
    this.bodies = docs.map((doc) => fold(doc.text));
    this.ids = docs.map((doc) => `${doc.kind}:${doc.key}`);
    this.at = docs.map((doc) => doc.at);
  }

  search(q: string, limit = 40): ScanResult {
    const { exact, prefix } = queryTerms(q);
    const terms = [...exact.map((term) => ({ term, prefix: false })), ...(prefix ? [{ term: prefix, prefix: true }] : [])];
    const hits: { index: number; score: number }[] = [];
    for (let i = 0; i < this.ids.length; i++) {
      let score = 0;
      let all = terms.length > 0;
      for (const { term, prefix: isPrefix } of terms) {
        const inHead = holdsWord(this.heads[i]!, term, isPrefix);
        const inBody = holdsWord(this.bodies[i]!, term, isPrefix);
        if (!inHead && !inBody) {
          all = false;
          break;
        }
        score += (inHead ? 3 : 0) + (inBody ? 1 : 0);
      }
      if (all) hits.push({ index: i, score });
    }
    hits.sort((a, b) => b.score - a.score || this.at[b.index]! - this.at[a.index]!);
    return { top: hits.slice(0, limit).map((hit) => this.ids[hit.index]!), matches: new Set(hits.map((hit) => this.ids[hit.index]!)) };
  }

  /** Every query's result and its time (ms), in query order: the baseline both search benches time. */
  timed(queries: readonly { q: string }[], limit: number): { results: ScanResult[]; times: number[] } {
    const times: number[] = [];
    const results = queries.map(({ q }) => {
      const t = performance.now();
      const result = this.search(q, limit);
      times.push(performance.now() - t);
      return result;
    });
    return { results, times };
  }
}

/** The documents' own text (title, text, URL) as structured clone would store it: what an index's size compares with. */
export function storedTextBytes(docs: readonly CorpusDoc[]): number {
  return docs.reduce((sum, doc) => sum + serialize({ title: doc.title, text: doc.text, url: doc.url }).byteLength, 0);
}
