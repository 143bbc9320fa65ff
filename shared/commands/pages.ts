/** Commands of page versions (docs/refresh.md). */
import { z } from 'zod';
import { id, page } from '../schemas/entities';
import { defineCommand, OWN_PAGES } from './define';

export const pageMetaSchema = z.lazy(() => page.unwrap().omit({ text: true }));

const diffLine = z.lazy(() => z.object({ op: z.enum(['equal', 'add', 'remove']), text: z.string(), oldLine: z.number().int().nullable(), newLine: z.number().int().nullable() }));
const diffHunk = z.lazy(() => z.object({ oldStart: z.number().int(), newStart: z.number().int(), lines: z.array(diffLine) }));

export const pageCommands = {
  'pages.diff': defineCommand({
    callers: OWN_PAGES,
    summary: 'Line diff of a page version against another version of the same page (default: the one before it); hunks with 3 lines of context.',
    params: () => z.object({ pageId: id, againstId: id.optional() }),
    result: () => z.object({ from: pageMetaSchema.nullable(), to: pageMetaSchema, added: z.number().int(), removed: z.number().int(), exact: z.boolean(), hunks: z.array(diffHunk) }),
  }),
};
