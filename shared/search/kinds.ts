/** What the search box finds. Visits and pages are keyed by URL key; the rest by row id. */
export const SEARCH_KINDS = ['visit', 'page', 'thread', 'message', 'task', 'memory'] as const;
export type SearchKind = (typeof SEARCH_KINDS)[number];
