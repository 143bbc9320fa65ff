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
  return {
    id: visitId(key, input.visitedAt),
    url: input.url,
    urlKey: key,
    hostRev: reverseHost(host),
    title: input.title,
    visitedAt: input.visitedAt,
    transition: input.transition,
    source: input.source,
  };
}
