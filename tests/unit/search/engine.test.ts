/**
 * The index against a plain reference: random documents, edits and deletes; every query's result
 * set must equal what a scan of the same documents finds, before and after freezing, and after a
 * structured-clone round trip (what IndexedDB does to a segment row).
 */
import { describe, expect, it } from 'vitest';
import { SearchIndex, type IndexDoc } from '../../../shared/search/engine';
import { Segment } from '../../../shared/search/segment';
import { queryTerms, tokenize } from '../../../shared/search/tokenize';
import type { SearchKind } from '../../../shared/search/kinds';

const NOW = Date.UTC(2026, 10, 1);
const DAY = 86_400_000;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const VOCAB = ['alpha', 'alps', 'alpine', 'beta', 'bet', 'gamma', 'garden', 'delta', 'déjà', 'vu', 'café', 'Straße', 'zeta', 'eta', 'theta', 'iota', 'kappa', 'kapok', 'lambda', 'mu', '東京都', 'naïve', 'omega'];

function randomDoc(random: () => number, kind: SearchKind, key: string): IndexDoc {
  const words = (count: number) => Array.from({ length: count }, () => VOCAB[Math.floor(random() * VOCAB.length)]!).join(' ');
  return { kind, key, title: words(1 + Math.floor(random() * 3)), text: words(Math.floor(random() * 12)), url: null, domain: random() < 0.5 ? 'example.com' : 'docs.other.org', at: NOW - Math.floor(random() * 90) * DAY, n: 1 };
}

/** What a scan finds: every exact word present, and a word starting with the prefix. */
function reference(docs: Map<string, IndexDoc>, q: string, filter: { kinds?: SearchKind[]; domain?: string; from?: number } = {}): string[] {
  const { exact, prefix } = queryTerms(q);
  const out: string[] = [];
  for (const [id, doc] of docs) {
    if (filter.kinds && !filter.kinds.includes(doc.kind)) continue;
    if (filter.domain && doc.domain !== filter.domain && !doc.domain.endsWith(`.${filter.domain}`)) continue;
    if (filter.from !== undefined && doc.at < filter.from) continue;
    const words = new Set(tokenize(`${doc.title} ${doc.text}`));
    if (!exact.every((w) => words.has(w))) continue;
    if (prefix !== null && ![...words].some((w) => w.startsWith(prefix))) continue;
    out.push(id);
  }
  return out.sort();
}

const found = (index: SearchIndex, q: string, filter: { kinds?: SearchKind[]; domain?: string; from?: number } = {}) =>
  index
    .search({ q, limit: 10_000, now: NOW, ...filter })
    .hits.map((h) => `${h.kind}:${h.key}`)
    .sort();

const QUERIES = ['alpha', 'al', 'alp', 'beta gam', 'bet', 'cafe', 'CAFÉ', 'strasse', 'deja vu', 'naive om', '東京', 'kap', 'kappa ', 'eta theta', 'mu la', 'zeta omega alp'];

describe('search index', () => {
  it('finds exactly what a scan finds, through edits, deletes, freezes and a structured-clone reload', () => {
    const random = rng(7);
    const kinds: SearchKind[] = ['visit', 'page', 'message'];
    const docs = new Map<string, IndexDoc>();
    let index = SearchIndex.empty();
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < 300; i++) {
        const kind = kinds[Math.floor(random() * kinds.length)]!;
        const key = `k${Math.floor(random() * 400)}`;
        const id = `${kind}:${key}`;
        if (random() < 0.2) {
          expect(index.remove(kind, key)).toBe(docs.delete(id));
        } else {
          const doc = randomDoc(random, kind, key);
          docs.set(id, doc);
          index.upsert(doc);
        }
      }
      for (const q of QUERIES) expect(found(index, q), `${q} (round ${round}, overlay)`).toEqual(reference(docs, q));
      expect(found(index, 'al', { kinds: ['page'] })).toEqual(reference(docs, 'al', { kinds: ['page'] }));
      expect(found(index, 'beta', { domain: 'other.org' })).toEqual(reference(docs, 'beta', { domain: 'other.org' }));
      expect(found(index, 'gamma', { from: NOW - 30 * DAY })).toEqual(reference(docs, 'gamma', { from: NOW - 30 * DAY }));
      const rows = structuredClone(index.dirtySegments());
      index.markClean(rows.map((r) => r.key));
      expect(index.dirtyCount).toBe(0);
      for (const q of QUERIES) expect(found(index, q), `${q} (round ${round}, frozen)`).toEqual(reference(docs, q));
      // Reload from every segment (clean ones included): a cold worker start.
      index = SearchIndex.load(structuredClone(index.compact()));
      for (const q of QUERIES) expect(found(index, q), `${q} (round ${round}, reloaded)`).toEqual(reference(docs, q));
      expect(index.count()).toBe(docs.size);
    }
  });

  it('folds case, accents and compatibility forms; splits CJK into pairs', () => {
    expect(tokenize('Café DÉJÀ-vu Straße ﬁle 東京都')).toEqual(['cafe', 'deja', 'vu', 'straße', 'file', '東京', '京都']);
    expect(queryTerms('deja vu')).toEqual({ exact: ['deja'], prefix: 'vu' });
    expect(queryTerms('deja vu ')).toEqual({ exact: ['deja', 'vu'], prefix: null });
    expect(queryTerms('rust a')).toEqual({ exact: ['rust', 'a'], prefix: null });
  });

  it('ranks the title above the body, the exact word above a completion, and recent above old', () => {
    const index = SearchIndex.empty();
    const base = { kind: 'page' as const, url: null, domain: 'a.com', n: 0 };
    index.upsert({ ...base, key: 'body', title: 'notes', text: 'rust borrow checker explained', at: NOW });
    index.upsert({ ...base, key: 'title', title: 'Rust borrow checker', text: 'notes', at: NOW });
    expect(index.search({ q: 'rust borrow', limit: 5, now: NOW }).hits.map((h) => h.key)).toEqual(['title', 'body']);

    const words = SearchIndex.empty();
    words.upsert({ ...base, key: 'completion', title: 'justification', text: '', at: NOW });
    words.upsert({ ...base, key: 'exact', title: 'just', text: '', at: NOW });
    expect(words.search({ q: 'just', limit: 5, now: NOW }).hits.map((h) => h.key)).toEqual(['exact', 'completion']);

    const ages = SearchIndex.empty();
    ages.upsert({ ...base, key: 'old', title: 'tokio runtime', text: '', at: NOW - 365 * DAY });
    ages.upsert({ ...base, key: 'new', title: 'tokio runtime', text: '', at: NOW - DAY });
    expect(ages.search({ q: 'tokio runtime', limit: 5, now: NOW }).hits.map((h) => h.key)).toEqual(['new', 'old']);
  });

  it('never persists the words of a removed document', () => {
    const segment = new Segment();
    segment.upsert({ key: 'a', at: NOW, n: 0, domain: 'x.com', sig: 1, title: 'secretword', text: 'common' });
    segment.upsert({ key: 'b', at: NOW, n: 0, domain: 'x.com', sig: 2, title: 'other', text: 'common' });
    segment.freeze();
    segment.remove('a');
    const data = segment.freeze();
    expect(data.terms).not.toContain('secretword');
    expect(data.keys).toBe('b');
    expect(data.domains).toEqual(['x.com']);
  });

  it('stores document numbers in 16 bits up to 65,535 documents per segment, and in 32 bits beyond', () => {
    const segment = new Segment();
    for (let i = 0; i < 65_535; i++) segment.upsert({ key: `d${i}`, at: NOW, n: 0, domain: '', sig: i, title: i === 65_534 ? 'last' : 'doc', text: '' });
    expect(segment.freeze().postDoc).toBeInstanceOf(Uint16Array);
    segment.upsert({ key: 'beyond', at: NOW, n: 0, domain: '', sig: 1, title: 'farthest', text: '' });
    expect(segment.freeze().postDoc).toBeInstanceOf(Uint32Array);
    const index = SearchIndex.load([{ key: 'page/0', kind: 'page', data: segment.freeze() }]);
    expect(index.search({ q: 'farthest', limit: 5, now: NOW }).hits.map((h) => h.key)).toEqual(['beyond']);
    expect(index.search({ q: 'last', limit: 5, now: NOW }).hits.map((h) => h.key)).toEqual(['d65534']);
  });

  it('refuses a query with no words', () => {
    expect(() => SearchIndex.empty().search({ q: ' ?! ', limit: 5 })).toThrow(expect.objectContaining({ code: 'SEARCH_QUERY_EMPTY' }));
  });

  it('keeps the best hits across segments and honours the limit', () => {
    const index = SearchIndex.empty();
    for (let i = 0; i < 500; i++) index.upsert({ kind: 'visit', key: `u${i}`, title: 'shared word', text: '', url: null, domain: 'a.com', at: NOW - i * DAY, n: 1 });
    const hits = index.search({ q: 'shared word', limit: 7, now: NOW }).hits;
    expect(hits).toHaveLength(7);
    // Same text score: recency decides, newest first.
    expect(hits.map((h) => h.key)).toEqual(['u0', 'u1', 'u2', 'u3', 'u4', 'u5', 'u6']);
    expect([...hits].sort((a, b) => b.score - a.score)).toEqual(hits);
  });
});
