/**
 * `search.query` and `search.related`: the engine's hits turned into what the UI shows (title,
 * URL, snippet with highlighted words, where opening it goes), read from the stores for the few
 * hits returned. With embeddings configured, vector neighbours are fused in (hybrid ranking).
 */
import type { SearchHit, SearchParams } from '../../shared/commands/search';
import type { EngineHit } from '../../shared/search/engine';
import type { SearchKind } from '../../shared/search/kinds';
import { markWords, snippetOf } from '../../shared/search/snippet';
import { queryTerms, tokenize, type QueryTerms } from '../../shared/search/tokenize';
import { latestPage } from '../../shared/pages/latest';
import { urlKey } from '../../shared/url';
import type { HydraDb } from '../db';
import { visitAt, visitsOfUrls } from '../visits';
import { visitDoc } from './documents';
import type { VectorSearch } from './embeddings';
import type { Indexer } from './indexer';

type Ranked = { kind: SearchKind; key: string; score: number; match: SearchHit['match']; at?: number; n?: number };

export async function searchQuery(db: HydraDb, indexer: Indexer, params: SearchParams, vectors: VectorSearch | null): Promise<{ hits: SearchHit[]; tookMs: number; hybrid: boolean; terms: string[] }> {
  const started = performance.now();
  const index = await indexer.ready();
  // A write from a moment ago (a message just sent) is found: apply the journal first (one chunk
  // at most: after a big import the rest is applied in the background, between searches).
  if (!indexer.building) await indexer.drain('chunk');
  const query = { q: params.q, limit: params.limit, ...(params.kinds ? { kinds: params.kinds } : {}), ...(params.from !== undefined ? { from: params.from } : {}), ...(params.to !== undefined ? { to: params.to } : {}), ...(params.domain ? { domain: params.domain } : {}) };
  const { hits, terms } = index.search(query);
  let ranked: Ranked[] = hits.map((hit) => ({ ...hit, match: 'text' as const }));
  let hybrid = false;
  // Vectors know no dates or domains: only plain queries are fused.
  if (vectors && params.from === undefined && params.to === undefined && !params.domain) {
    const near = await vectors.hits(params.q, { ...(params.kinds ? { kinds: params.kinds } : {}), limit: params.limit }).catch(() => null);
    if (near && near.length > 0) {
      hybrid = true;
      ranked = vectors.fuse(hits, near, params.limit);
    }
  }
  const shown = await hydrate(db, ranked, queryTerms(params.q));
  return { hits: shown, tookMs: Math.round((performance.now() - started) * 10) / 10, hybrid, terms };
}

/** Reads the rows behind the hits (a handful of gets) and builds what the UI shows. Hits whose row vanished are dropped. */
export async function hydrate(db: HydraDb, ranked: readonly Ranked[], terms: QueryTerms): Promise<SearchHit[]> {
  const out = await Promise.all(ranked.map((hit) => hydrateOne(db, hit, terms)));
  return out.filter((hit): hit is SearchHit => hit !== null);
}

async function hydrateOne(db: HydraDb, hit: Ranked, terms: QueryTerms): Promise<SearchHit | null> {
  const base = { kind: hit.kind, key: hit.key, score: hit.score, match: hit.match, threadId: null, taskId: null, pageId: null, visits: null };
  const titled = (title: string) => ({ title, titleMarks: markWords(title, terms) });
  switch (hit.kind) {
    case 'visit': {
      const summary = await visitSummary(db, hit);
      if (!summary) return null;
      const { url, title, at, visits } = summary;
      const thread = await db.threads.where('urlKeys').equals(hit.key).first();
      return { ...base, ...titled(title || url), url, snippet: { text: url, marks: markWords(url, terms) }, at, visits, threadId: thread?.id ?? null };
    }
    case 'page': {
      const page = latestPage(await db.pages.where('urlKey').equals(hit.key).toArray());
      if (!page) return null;
      const thread = await db.threads.where('urlKeys').equals(hit.key).first();
      return { ...base, ...titled(page.title || page.url), url: page.url, snippet: snippetOf(page.text, terms), at: page.capturedAt, pageId: page.id, threadId: thread?.id ?? null };
    }
    case 'thread': {
      const thread = await db.threads.get(hit.key);
      if (!thread) return null;
      const last = await db.messages.where('[threadId+createdAt]').between([thread.id, -Infinity], [thread.id, Infinity]).last();
      return { ...base, ...titled(thread.title), url: thread.url, snippet: snippetOf(last?.content ?? '', terms), at: thread.updatedAt, threadId: thread.id };
    }
    case 'message': {
      const message = await db.messages.get(hit.key);
      if (!message) return null;
      const thread = await db.threads.get(message.threadId);
      return { ...base, ...titled(thread?.title ?? 'Message'), url: thread?.url ?? null, snippet: snippetOf(message.content, terms), at: message.createdAt, threadId: message.threadId };
    }
    case 'task': {
      const task = await db.tasks.get(hit.key);
      if (!task) return null;
      return { ...base, ...titled(task.title), url: null, snippet: snippetOf(task.description, terms), at: task.updatedAt, threadId: task.threadId, taskId: task.id };
    }
    case 'memory': {
      const memory = await db.memories.get(hit.key);
      if (!memory) return null;
      return { ...base, ...titled('Memory'), url: null, snippet: snippetOf(memory.text, terms), at: memory.createdAt, threadId: memory.threadId || null };
    }
  }
}

/**
 * A URL's newest visit, its newest title and its visit count. A hit from the index carries the
 * URL's newest visit time and visit count, so the usual case reads only the visits at that very
 * time (one chunk: the one whose key is the greatest at or below it) instead of every visit of the URL: thousands for a mail
 * inbox or a local dev server, which the visit-count lift ranks first. When the hit has no
 * figures, or the rows moved on since the index saw them (that visit deleted, its title not
 * there), every visit of the URL is read.
 */
async function visitSummary(db: HydraDb, hit: Ranked): Promise<{ url: string; title: string; at: number; visits: number } | null> {
  if (hit.at !== undefined && hit.n !== undefined && hit.n > 0) {
    const visit = await visitAt(db, hit.key, hit.at);
    if (visit?.title) return { url: visit.url, title: visit.title, at: visit.visitedAt, visits: hit.n };
  }
  // The same summary the index keeps of the URL (its document), from every visit.
  const doc = visitDoc(hit.key, (await visitsOfUrls(db, [hit.key])).get(hit.key) ?? []);
  return doc && { url: doc.url ?? '', title: doc.title, at: doc.at, visits: doc.n ?? 0 };
}

/** Words of a text, most distinctive first: frequent here, rare in the index. */
function distinctiveWords(text: string, df: (word: string) => number, count: number): string[] {
  const tf = new Map<string, number>();
  for (const word of tokenize(text).slice(0, 5000)) if (word.length > 2 && !/^\d+$/.test(word)) tf.set(word, (tf.get(word) ?? 0) + 1);
  return [...tf]
    .map(([word, n]) => ({ word, weight: n / Math.log(2 + df(word)) }))
    .sort((a, b) => b.weight - a.weight)
    .slice(0, count)
    .map((entry) => entry.word);
}

/**
 * The best documents for a question in plain language: its most distinctive words that the index
 * knows, any of them (the words of a question are rarely all in one document), fused with the
 * question's vector neighbours when embeddings exist. "From my history" in chat uses it, on the
 * way to the model request: unlike the search box it does not apply the journal first (that
 * persists segments), since the writes of a moment ago are the question's own, in its thread
 * (left out anyway); the scheduled drain applies them 300 ms later.
 */
export async function searchQuestion(db: HydraDb, indexer: Indexer, question: string, options: { kinds: SearchKind[]; limit: number }, vectors: VectorSearch | null): Promise<{ hits: SearchHit[]; terms: QueryTerms }> {
  const index = await indexer.ready();
  const words = distinctiveWords(question, (word) => index.documentFrequency(word) || Infinity, 8).filter((word) => index.documentFrequency(word) > 0);
  let ranked: Ranked[] = words.length > 0 ? index.searchAny(words, options.limit * 3).hits.filter((hit) => options.kinds.includes(hit.kind)).slice(0, options.limit).map((hit) => ({ ...hit, match: 'text' as const })) : [];
  const near = vectors ? await vectors.hits(question.slice(0, 2000), { kinds: options.kinds, limit: options.limit }).catch(() => null) : null;
  if (vectors && near && near.length > 0) ranked = vectors.fuse(ranked, near, options.limit);
  const terms = { exact: words, prefix: null };
  return { hits: await hydrate(db, ranked, terms), terms };
}

/**
 * Items related to a page or a thread: its vector neighbours when embeddings exist; otherwise the
 * best matches of its most distinctive words (any of them, not all), itself left out.
 */
export async function related(db: HydraDb, indexer: Indexer, target: { url?: string; threadId?: string; limit: number }, vectors: VectorSearch | null): Promise<{ hits: SearchHit[]; by: 'vector' | 'text' }> {
  const self = new Set<string>();
  if (target.url) {
    self.add(`page:${urlKey(target.url)}`);
    self.add(`visit:${urlKey(target.url)}`);
  }
  if (target.threadId) self.add(`thread:${target.threadId}`);
  const near = vectors ? await vectors.related(target, target.limit + self.size + 10).catch(() => null) : null;
  if (near && near.length > 0) {
    const ranked = near.filter((hit) => !self.has(`${hit.kind}:${hit.key}`)).slice(0, target.limit).map((hit) => ({ kind: hit.kind, key: hit.key, score: hit.sim, match: 'vector' as const }));
    return { hits: await hydrate(db, ranked, { exact: [], prefix: null }), by: 'vector' };
  }
  let text = '';
  if (target.url) {
    const page = latestPage(await db.pages.where('urlKey').equals(urlKey(target.url)).toArray());
    const visit = page ? null : visitDoc(urlKey(target.url), (await visitsOfUrls(db, [urlKey(target.url)])).get(urlKey(target.url)) ?? []);
    text = page ? `${page.title} ${page.title} ${page.text}` : (visit?.title ?? '');
  }
  if (target.threadId) {
    const thread = await db.threads.get(target.threadId);
    const messages = await db.messages.where('[threadId+createdAt]').between([target.threadId, -Infinity], [target.threadId, Infinity]).reverse().limit(50).toArray();
    text += ` ${thread?.title ?? ''} ${messages.map((m) => m.content).join(' ')}`;
  }
  const index = await indexer.ready();
  await indexer.drain('chunk');
  const words = distinctiveWords(text, (word) => index.documentFrequency(word), 8);
  if (words.length === 0) return { hits: [], by: 'text' };
  const { hits } = index.searchAny(words, target.limit + self.size + 5);
  const ranked = hits.filter((hit: EngineHit) => !self.has(`${hit.kind}:${hit.key}`)).slice(0, target.limit).map((hit) => ({ ...hit, match: 'text' as const }));
  return { hits: await hydrate(db, ranked, { exact: words, prefix: null }), by: 'text' };
}
