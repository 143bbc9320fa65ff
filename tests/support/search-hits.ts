/** Builds search hits for UI tests: every field a real `search.query` reply carries. */
import type { SearchHit } from '../../shared/commands/search';

export function makeHit(partial: Partial<SearchHit> & Pick<SearchHit, 'kind' | 'key'>): SearchHit {
  return {
    title: `Title ${partial.key}`,
    url: null,
    snippet: { text: '', marks: [] },
    titleMarks: [],
    at: Date.UTC(2026, 10, 1),
    visits: null,
    threadId: null,
    taskId: null,
    pageId: null,
    score: 1,
    match: 'text',
    ...partial,
  };
}
