/** Preact hooks over commands and liveQuery: how UI pages read state. They never write. */
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { CommandName, CommandParams, CommandResult } from '../../shared/commands';
import type { AppError } from '../../shared/errors';
import { sendCommand } from '../commands/client';
import type { HydraDb } from '../db';

export type Loadable<T> = { state: 'loading' } | { state: 'ready'; value: T } | { state: 'failed'; error: AppError };

/** Runs a command on mount (and on `reload`), exposing loading / value / error. */
export function useCommand<C extends CommandName>(method: C, params: CommandParams<C>, deps: unknown[] = []): [Loadable<CommandResult<C>>, (override?: CommandParams<C>) => void] {
  const [value, setValue] = useState<Loadable<CommandResult<C>>>({ state: 'loading' });
  const run = useCallback(
    (override?: CommandParams<C>) => {
      // A reload keeps what is shown until the new answer arrives (a live view must not flicker).
      setValue((shown) => (shown.state === 'ready' ? shown : { state: 'loading' }));
      void sendCommand(method, override ?? params).then((reply) => setValue(reply.ok ? { state: 'ready', value: reply.result } : { state: 'failed', error: reply.error }));
    },
    [method, ...deps],
  );
  useEffect(() => run(), [run]);
  return [value, run];
}

/**
 * Subscribes to a Dexie query over the extension's database; re-renders whenever the rows it read
 * change (in any context). Dexie and the database module are loaded on first use, not with the
 * page: what a page paints first (from command replies) does not wait for them.
 */
export function useLiveQuery<T>(query: (db: HydraDb) => Promise<T> | T, deps: unknown[] = []): T | undefined {
  const [value, setValue] = useState<T | undefined>(undefined);
  useEffect(() => {
    let live = true;
    let unsubscribe = () => undefined as void;
    void databaseGate.then(() => Promise.all([import('dexie'), import('../db')])).then(([{ liveQuery }, { getDb }]) => {
      if (!live) return;
      const subscription = liveQuery(() => query(getDb())).subscribe({ next: setValue, error: (error: unknown) => console.error('[hydraflow] live query failed', error) });
      unsubscribe = () => subscription.unsubscribe();
    });
    return () => {
      live = false;
      unsubscribe();
    };
    // The caller lists what the query depends on (the closure itself is new every render).
  }, deps);
  return value;
}

let databaseGate: Promise<unknown> = Promise.resolve();

/**
 * The page's database (Dexie, its module and connection, for every live query) is loaded once
 * `gate` settles, then opened at once: the side panel keeps it out of the way of its first view
 * (threads/first-view.ts).
 */
export function openDatabaseAfter(gate: Promise<unknown>): void {
  databaseGate = gate;
  void gate.then(() => import('../db')).then(({ getDb }) => getDb().open()).catch(() => undefined);
}

/**
 * When a row of the `settings` store last changed (its `updatedAt`, 0 when absent): a settings form
 * lists it as a dependency to reload what another page saved.
 */
export function useSettingsRow(key: string): number | undefined {
  return useLiveQuery(async (db) => (await db.settings.get(key))?.updatedAt ?? 0, [key]);
}

/**
 * Re-runs `reload` (at most once per `throttleMs`) whenever `tick` changes after its first value:
 * how a view built from a command reply follows the database.
 */
export function useReloadOn(tick: unknown, reload: () => void, throttleMs = 250): void {
  const [first, setFirst] = useState(true);
  useEffect(() => {
    if (tick === undefined) return;
    if (first) {
      setFirst(false);
      return;
    }
    const timer = setTimeout(reload, throttleMs);
    return () => clearTimeout(timer);
  }, [tick]);
}

/** Changes whenever what `search.status` reports changes in the database (index, journal, embeddings). */
export function useSearchStatusTick(): string | undefined {
  return useLiveQuery(async (db) => {
    const [segments, pending, finished, vectors, embeddings] = await Promise.all([
      db.searchSegments.count(),
      db.searchJournal.count(),
      db.jobs
        .where('type')
        .anyOf(['index_rebuild', 'index_verify', 'index_compact', 'embed'])
        .filter((job) => job.status !== 'queued' && job.status !== 'running')
        .count(),
      db.vectors.count(),
      db.settings.get('embeddings'),
    ]);
    return `${segments}|${pending}|${finished}|${vectors}|${embeddings?.updatedAt ?? 0}`;
  }, []);
}
