import type { Migration } from './types';

/**
 * v1: every entity the product holds. Only keys, dates and short derived tokens are indexed;
 * titles, URLs, page text and message content never are.
 */
export const migration0001: Migration = {
  version: 1,
  description: 'initial schema',
  stores: {
    threads: 'id, updatedAt, *urlKeys, pinned, archived',
    messages: 'id, [threadId+createdAt], createdAt',
    tabs: 'tabId, threadId, urlKey, windowId, open',
    tabSnapshots: 'id, [tabId+capturedAt], urlKey, hostRev, capturedAt, threadId',
    visits: 'id, visitedAt, urlKey, hostRev, source',
    pages: 'id, urlKey, [urlKey+contentHash], hostRev, capturedAt',
    tasks: 'id, threadId, status, updatedAt',
    taskEvents: 'id, [taskId+seq], threadId',
    memories: 'id, scope, threadId, [scope+threadId+textHash], lastUsedAt',
    jobs: 'id, status, type, createdAt, [status+finishedAt]',
    settings: 'key',
  },
};
