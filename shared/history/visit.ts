/** The one visit shape every history reader produces (host readers, Takeout in the extension). */
import { z } from 'zod';
import { timestamp, urlText } from '../schemas/entities';
import { TRANSITIONS, VISIT_SOURCES } from '../schemas/statuses';

export const historyVisit = z.object({
  url: urlText,
  title: z.string(),
  visitedAt: timestamp,
  transition: z.enum(TRANSITIONS),
  source: z.enum(VISIT_SOURCES),
});
export type HistoryVisit = z.infer<typeof historyVisit>;
