/** Commands of search: the query box, index health and maintenance jobs (docs/search.md). */
import { z } from 'zod';
import { id, timestamp } from '../schemas/entities';
import { SEARCH_KINDS } from '../search/kinds';
import { defineCommand, OWN_PAGES } from './define';

export const searchKind = z.lazy(() => z.enum(SEARCH_KINDS));

/** A piece of text with highlighted ranges ([start, end) offsets into `text`). */
export const snippet = z.lazy(() => z.object({ text: z.string(), marks: z.array(z.tuple([z.number().int(), z.number().int()])) }));
export type Snippet = z.infer<typeof snippet>;

export const searchHit = z.lazy(() => z.object({
  kind: searchKind,
  /** The index key: a URL key for visits and pages, the row id for the other kinds. */
  key: z.string(),
  title: z.string(),
  url: z.string().nullable(),
  snippet: snippet,
  titleMarks: snippet.unwrap().shape.marks,
  /** Last visit, page capture, or last update. */
  at: timestamp,
  /** Visits to the URL (visits only). */
  visits: z.number().int().nullable(),
  /** Where opening the hit goes, beyond its URL. */
  threadId: id.nullable(),
  taskId: id.nullable(),
  pageId: id.nullable(),
  score: z.number(),
  /** How it was found: words, vectors, or both. */
  match: z.enum(['text', 'vector', 'both']),
}));
export type SearchHit = z.infer<typeof searchHit>;

export const searchParams = z.lazy(() => z.object({
  q: z.string().max(500),
  kinds: z.array(searchKind).min(1).optional(),
  from: timestamp.optional(),
  to: timestamp.optional(),
  /** A host name; subdomains match too (docs.example.com matches example.com). */
  domain: z.string().max(253).optional(),
  limit: z.number().int().min(1).max(200).default(40),
}));
export type SearchParams = z.infer<typeof searchParams>;

export const indexStatus = z.lazy(() => z.object({
  docs: z.record(searchKind, z.number().int()),
  segments: z.number().int(),
  bytes: z.number().int(),
  loaded: z.boolean(),
  /** Writes recorded in the journal and not yet in the index. */
  pending: z.number().int(),
  version: z.string(),
  embeddings: z.object({ configured: z.boolean(), model: z.string().nullable(), vectors: z.number().int(), dims: z.number().int().nullable() }),
}));
export type IndexStatus = z.infer<typeof indexStatus>;

export const searchCommands = {
  'search.query': defineCommand({
    callers: OWN_PAGES,
    summary: 'Full-text (and, with embeddings, hybrid) search over visits, pages, threads, messages, tasks and memories; best first, with highlighted snippets.',
    params: () => searchParams,
    result: () => z.object({ hits: z.array(searchHit), tookMs: z.number(), hybrid: z.boolean(), terms: z.array(z.string()) }),
  }),
  'search.related': defineCommand({
    callers: OWN_PAGES,
    summary: 'Items related to a page URL or a thread: nearest vectors when embeddings exist, otherwise the best full-text matches of its most distinctive words.',
    params: () => z.object({ url: z.string().max(2_097_152).optional(), threadId: id.optional(), limit: z.number().int().min(1).max(50).default(10) }),
    result: () => z.object({ hits: z.array(searchHit), by: z.enum(['vector', 'text']) }),
  }),
  'search.status': defineCommand({
    callers: OWN_PAGES,
    summary: 'Index health: documents per kind, segments and bytes, pending journal writes, embeddings.',
    params: () => z.object({}),
    result: () => indexStatus,
  }),
  'search.rebuild': defineCommand({
    callers: OWN_PAGES,
    summary: 'Rebuilds the whole index from the stores as an `index_rebuild` job.',
    params: () => z.object({}),
    result: () => z.object({ jobId: id }),
  }),
  'search.verify': defineCommand({
    callers: OWN_PAGES,
    summary: 'Compares the index with the stores as an `index_verify` job; with repair, fixes every difference found.',
    params: () => z.object({ repair: z.boolean().default(true) }),
    result: () => z.object({ jobId: id }),
  }),
  'search.compact': defineCommand({
    callers: OWN_PAGES,
    summary: 'Rewrites every segment without removed entries as an `index_compact` job.',
    params: () => z.object({}),
    result: () => z.object({ jobId: id }),
  }),
};
