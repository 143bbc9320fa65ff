/**
 * What a focused refresh covers, and its dedupe key. A scope is a thread (its bound pages), a
 * topic query (saved pages whose title, URL or text hold every word), or a set of domains (saved
 * pages on them or their subdomains). Two requests with the same normalized scope are the same
 * refresh: while one is queued or running, asking again returns that job.
 */
import { z } from 'zod';
import { normalizeDomain } from '../blocklist';
import { CodedError } from '../errors';

export const REFRESH_MAX_DEPTH = 2;
export const REFRESH_MAX_PAGES = 500;
export const REFRESH_DEFAULT_PAGES = 50;
export const REFRESH_DEFAULT_INTERVAL_MS = 1000;
export const REFRESH_DEFAULT_TIMEOUT_MS = 15_000;

export const refreshScope = z.lazy(() => z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('thread'), threadId: z.string().min(1).max(100) }),
  z.object({ kind: z.literal('query'), query: z.string().trim().min(1).max(500) }),
  z.object({ kind: z.literal('domains'), domains: z.array(z.string().min(1).max(253)).min(1).max(100) }),
]));
export type RefreshScope = z.infer<typeof refreshScope>;

/** Lowercased (NFKC) words of a topic query, deduplicated and sorted: word order and case do not make a new query. */
export function queryWords(query: string): string[] {
  const words = query
    .normalize('NFKC')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
  return [...new Set(words)].sort();
}

/** The scope in canonical form (domains checked: DOMAIN_INVALID), and its dedupe key. */
export function normalizeScope(scope: RefreshScope): { scope: RefreshScope; key: string } {
  switch (scope.kind) {
    case 'thread':
      return { scope, key: `thread:${scope.threadId}` };
    case 'query': {
      const words = queryWords(scope.query);
      if (words.length === 0) throw new CodedError('INVALID_COMMAND', 'The query has no words to match');
      return { scope: { kind: 'query', query: words.join(' ') }, key: `query:${words.join(' ')}` };
    }
    case 'domains': {
      const domains = [...new Set(scope.domains.map(normalizeDomain))].sort();
      return { scope: { kind: 'domains', domains }, key: `domains:${domains.join(',')}` };
    }
  }
}

/** True when every query word occurs in the page's title, URL or text (case-insensitive). */
export function pageMatchesQuery(words: readonly string[], page: { title: string; url: string; text: string }): boolean {
  const haystack = `${page.title}\n${page.url}\n${page.text}`.normalize('NFKC').toLowerCase();
  return words.every((word) => haystack.includes(word));
}
