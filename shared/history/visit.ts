/** The one visit shape every history reader produces (host readers, Takeout in the extension). */
import { z } from 'zod';
import { reverseHost } from '../host-key';
import type { Visit } from '../schemas/entities';
import { urlKeyAndHost } from '../url';
import { timestamp, urlText } from '../schemas/entities';
import { TRANSITIONS, VISIT_SOURCES } from '../schemas/statuses';

export const historyVisit = z.lazy(() => z.object({
  url: urlText,
  title: z.string(),
  visitedAt: timestamp,
  transition: z.enum(TRANSITIONS),
  source: z.enum(VISIT_SOURCES),
}));
export type HistoryVisit = z.infer<typeof historyVisit>;

/** A visit's id: the same (normalized URL, time) from any source is one row. */
export function visitId(key: string, visitedAt: number): string {
  return `${key}@${visitedAt}`;
}

/** The stored row of a visit: id, urlKey and hostRev derived from the URL, in one place. */
export function makeVisit(input: HistoryVisit): Visit {
  const { key, host } = urlKeyAndHost(input.url);
  return rowOf(input, key, reverseHost(host));
}

/**
 * `makeVisit` for a long stream of visits (a history import): remembers the URL key and host of
 * up to `limit` URLs, so a URL visited again is neither parsed nor hashed again (a history visits
 * most of its URLs many times; parsing and hashing were the import's largest cost in the worker).
 * Forgets everything when full: memory stays bounded (~250 bytes a URL) whatever the history.
 */
export function visitMaker(limit = 100_000): (input: HistoryVisit) => Visit {
  const derive = urlDeriver(limit);
  return (input) => {
    const { key, hostRev } = derive(input.url);
    return rowOf(input, key, hostRev);
  };
}

/** What a stored row derives from its URL. */
export interface UrlDerivation {
  key: string;
  hostRev: string;
}

/** A URL's key and reversed host, remembered for up to `limit` URLs (see visitMaker). */
export function urlDeriver(limit = 100_000): (url: string) => UrlDerivation {
  const known = new Map<string, UrlDerivation>();
  return (url) => {
    let derived = known.get(url);
    if (!derived) {
      const { key, host } = urlKeyAndHost(url);
      derived = { key, hostRev: reverseHost(host) };
      if (known.size >= limit) known.clear();
      known.set(url, derived);
    }
    return derived;
  };
}

function rowOf(input: HistoryVisit, key: string, hostRev: string): Visit {
  return {
    id: visitId(key, input.visitedAt),
    url: input.url,
    urlKey: key,
    hostRev,
    title: input.title,
    visitedAt: input.visitedAt,
    transition: input.transition,
    source: input.source,
  };
}
