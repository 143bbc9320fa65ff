/** overview.get / recount / refreshSizes. A stale size estimate is refreshed after answering, never before. */
import type { CommandHandlers } from '../commands/router';
import type { HydraDb } from '../db';
import type { HostConnection } from '../host';
import { getOverview, recount, refreshSizes } from './overview';

export function overviewCommandHandlers(db: HydraDb, host: HostConnection | null): Pick<CommandHandlers, 'overview.get' | 'overview.recount' | 'overview.refreshSizes'> {
  let refreshing: Promise<unknown> | null = null;
  const refreshInBackground = () => {
    refreshing ??= refreshSizes(db, host)
      .catch((error: unknown) => console.error('[hydraflow] size refresh failed', error))
      .finally(() => (refreshing = null));
  };
  return {
    'overview.get': async () => {
      const { overview, sizesStale } = await getOverview(db);
      if (sizesStale) refreshInBackground();
      return overview;
    },
    'overview.recount': () => recount(db),
    'overview.refreshSizes': () => refreshSizes(db, host),
  };
}
