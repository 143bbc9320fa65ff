import type { CommandHandlers } from '../commands/router';
import type { HydraDb } from '../db';
import { diffVersions } from '../pages/versions';
import type { pageCommands } from '../../shared/commands/pages';
import { extractInOffscreen, holdOffscreen } from './offscreen';
import { realClock } from './politeness';
import type { RefreshDeps } from './runner';
import { startRefresh } from './start';

/** The real dependencies of a run in the service worker. */
export function workerRefreshDeps(): RefreshDeps {
  return {
    fetch: (url, init) => fetch(url, init),
    extract: extractInOffscreen,
    clock: realClock,
    // Hook for the search index (issue #9): new page versions are re-indexed here once it lands.
    reindex: async () => undefined,
    // An extension API call resets the worker's idle timer while a long run waits between requests.
    keepAlive: () => void chrome.runtime.getPlatformInfo().catch(() => undefined),
    release: holdOffscreen(),
  };
}

export function pageCommandHandlers(db: HydraDb): Pick<CommandHandlers, keyof typeof pageCommands> {
  return {
    'pages.diff': (params) => diffVersions(db, params.pageId, params.againstId),
    'refresh.start': (params) => startRefresh(db, params, workerRefreshDeps),
  };
}
