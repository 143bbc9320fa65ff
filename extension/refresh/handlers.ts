import type { CommandHandlers } from '../commands/router';
import type { HydraDb } from '../db';
import type { refreshCommands } from '../../shared/commands/refresh';
import { extractInOffscreen, holdOffscreen } from './offscreen';
import { realClock } from './politeness';
import type { RefreshDeps } from './runner';
import { startRefresh } from './start';

/**
 * The real dependencies of a run in the service worker. New page versions reach the search index
 * through its journal (written with the page); `reindex` applies the journal at once, so the
 * changed pages are searchable when the job reports them.
 */
export function workerRefreshDeps(reindex: () => Promise<unknown> = async () => undefined): RefreshDeps {
  return {
    fetch: (url, init) => fetch(url, init),
    extract: extractInOffscreen,
    clock: realClock,
    reindex: async () => {
      await reindex();
    },
    // An extension API call resets the worker's idle timer while a long run waits between requests.
    keepAlive: () => void chrome.runtime.getPlatformInfo().catch(() => undefined),
    release: holdOffscreen(),
  };
}

export function refreshCommandHandlers(db: HydraDb, reindex?: () => Promise<unknown>): Pick<CommandHandlers, keyof typeof refreshCommands> {
  return {
    'refresh.start': (params) => startRefresh(db, params, () => workerRefreshDeps(reindex)),
  };
}
