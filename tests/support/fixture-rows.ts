/** One valid row (or a few) of every entity, checked against the shared schemas. */
import * as entities from '../../shared/schemas/entities';
import { reverseHost } from '../../shared/host-key';
import { urlKey } from '../../shared/url';

export function makeFixtureRows() {
  const now = Date.UTC(2026, 0, 15, 10, 0, 0);
  const url = 'https://example.com/article?id=7';
  const key = urlKey(url);
  const rows = {
    threads: [entities.thread.parse({ id: 't1', title: 'Reading about <b>tags</b>', titleSource: 'auto', pinned: 0, archived: 0, urlKeys: [key], url, createdAt: now, updatedAt: now })],
    messages: [entities.message.parse({ id: 'm1', threadId: 't1', role: 'user', content: 'What does it say?', status: 'complete', model: null, error: null, createdAt: now, updatedAt: now })],
    tabs: [entities.tab.parse({ tabId: 11, windowId: 1, index: 0, url, urlKey: key, title: 'Article', active: 1, open: 1, threadId: 't1', openedAt: now, updatedAt: now })],
    tabSnapshots: [entities.tabSnapshot.parse({ id: 's1', tabId: 11, url, urlKey: key, hostRev: reverseHost('example.com'), title: 'Article', threadId: 't1', capturedAt: now })],
    visits: [
      entities.visit.parse({ id: `${key}@${now}`, url, urlKey: key, hostRev: reverseHost('example.com'), title: 'Article', visitedAt: now, transition: 'link', source: 'chrome' }),
      entities.visit.parse({ id: `${key}@${now + 1000}`, url, urlKey: key, hostRev: reverseHost('example.com'), title: 'Article', visitedAt: now + 1000, transition: 'reload', source: 'live' }),
    ],
    pages: [entities.page.parse({ id: 'p1', url, urlKey: key, hostRev: reverseHost('example.com'), title: 'Article', byline: null, text: 'Body text', contentHash: 'a'.repeat(64), version: 1, capturedAt: now })],
    tasks: [entities.task.parse({ id: 'k1', threadId: 't1', title: 'Summarize', description: '', status: 'pending', priority: 'normal', dueAt: null, createdAt: now, updatedAt: now })],
    taskEvents: [entities.taskEvent.parse({ id: 'e1', taskId: 'k1', threadId: 't1', type: 'created', seq: 0, at: now, data: {} })],
    memories: [entities.memory.parse({ id: 'y1', text: 'User prefers short answers', textHash: 'b'.repeat(64), scope: 'global', threadId: '', source: { kind: 'user', id: null }, strength: 1, pinned: 0, lastUsedAt: now, createdAt: now, updatedAt: now })],
    jobs: [entities.job.parse({ id: 'j1', type: 'history_import', status: 'succeeded', createdAt: now, startedAt: now, finishedAt: now + 5, progress: { done: 2, total: 2, rate: null }, params: {}, result: { added: 2 }, error: null, parentId: null, relatedIds: [], cursor: null, logTail: [], origin: 'extension' })],
    settings: [entities.setting.parse({ key: 'model', value: { endpoint: null }, updatedAt: now })],
  };
  return rows;
}
