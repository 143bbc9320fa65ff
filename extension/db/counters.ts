/**
 * Exact row counts kept in the database itself, so the overview answers in milliseconds however
 * much is stored (Chromium's IndexedDB `count()` walks every key: ~1 s for 500k visits, and the
 * 90-day visit chart would take ~9 s of range counts).
 *
 * A Dexie DBCore middleware sees every write to a counted store and, in the same transaction,
 * updates the `counters` rows: one per store (`store:<name>`) and one per UTC day of visits
 * (`visitsDay:<day number>`). Same transaction = a crash can never leave a count that disagrees
 * with the rows. Rows written around Dexie (raw IndexedDB, tests' seeds) are not counted:
 * `recountAll` rebuilds every counter from the rows (migration 2 and the overview's repair).
 *
 * Upgrades run in a versionchange transaction, which this middleware does not count: a migration
 * that adds or removes rows must end with `recountAll`.
 *
 * Visits (v5) live in `visitChunks`, many per row: the visit store (extension/history/visit-store.ts),
 * the only writer of that store, moves `store:visits` and `visitsDay:<day>` with `addToCounters`
 * in the same transaction as each chunk write (it knows exactly which visits a write added or
 * removed without reading the chunk twice). Legacy `visits` rows are still counted here.
 */
import { RangeSet, type DBCore, type EntityTable, type DBCoreMutateRequest, type DBCoreMutateResponse, type DBCoreTable, type DBCoreTransaction, type Middleware, type Transaction } from 'dexie';
import type { StoreName } from './stores';
import { isUpgrade, widenWrites } from './middleware';
import { DAY_MS } from '../../shared/time';
import { legacyMovedThrough } from './legacy-visits';

export const COUNTERS_STORE = 'counters';
const VISIT_CHUNKS_STORE = 'visitChunks';

/** Every store whose rows are counted (all but settings and the counters themselves). */
export const COUNTED_STORES = ['threads', 'messages', 'tabs', 'tabSnapshots', 'visits', 'pages', 'tasks', 'taskEvents', 'memories', 'jobs'] as const satisfies readonly StoreName[];
export type CountedStore = (typeof COUNTED_STORES)[number];

export interface Counter {
  key: string;
  n: number;
}

export const storeCounterKey = (store: CountedStore): string => `store:${store}`;
/** Day number = whole UTC days since the Unix epoch. */
export const visitDayOf = (visitedAt: number): number => Math.floor(visitedAt / DAY_MS);
export const visitDayKey = (day: number): string => `visitsDay:${day}`;

const counted = new Set<string>(COUNTED_STORES);

type Deltas = Map<string, number>;

function bump(deltas: Deltas, key: string, by: number): void {
  deltas.set(key, (deltas.get(key) ?? 0) + by);
}

/**
 * Applies deltas to the counter rows inside the request's transaction, and tells Dexie's change
 * tracking (the layer above, which only saw the counted store's write) that these counter rows
 * changed too, so live queries on `counters` in other pages re-run.
 */
async function applyDeltas(counters: DBCoreTable, req: DBCoreMutateRequest, dbName: string, deltas: Deltas): Promise<void> {
  const keys = [...deltas.keys()].filter((key) => deltas.get(key) !== 0);
  if (keys.length === 0) return;
  const trans = req.trans;
  const current = (await counters.getMany({ trans, keys })) as (Counter | undefined)[];
  const values = keys.map((key, i) => ({ key, n: Math.max(0, (current[i]?.n ?? 0) + deltas.get(key)!) }));
  const result = await counters.mutate({ type: 'put', trans, values, keys });
  if (result.numFailures > 0) throw Object.values(result.failures)[0];
  if (req.mutatedParts) {
    const part = `idb://${dbName}/${COUNTERS_STORE}/`;
    const changed = (req.mutatedParts[part] ??= new RangeSet()) as RangeSet;
    changed.addKeys(keys);
  }
}

function visitDay(row: unknown): number | null {
  const visitedAt = (row as { visitedAt?: unknown } | undefined)?.visitedAt;
  return typeof visitedAt === 'number' ? visitDayOf(visitedAt) : null;
}

/**
 * The deltas a mutation causes, computed from what the store held before it (read in the same
 * transaction) and what the request wrote. Called before the mutation for puts and deletes.
 */
async function mutationDeltas(table: DBCoreTable, req: DBCoreMutateRequest): Promise<{ before?: (unknown | undefined)[]; keys?: unknown[] }> {
  const isVisits = table.name === 'visits';
  if (req.type === 'put' || req.type === 'delete') {
    const keys = req.type === 'delete' ? req.keys : (req.keys ?? req.values.map((value) => table.schema.primaryKey.extractKey!(value)));
    // A key only missing or present matters for counts; visits also need the old day.
    const before = isVisits ? await table.getMany({ trans: req.trans, keys }) : await presence(table, req.trans, keys);
    return { before, keys };
  }
  return {};
}

/** For stores whose rows we do not need: which keys exist (values would cost a full read of big rows). */
async function presence(table: DBCoreTable, trans: DBCoreTransaction, keys: unknown[]): Promise<(unknown | undefined)[]> {
  return Promise.all(keys.map(async (key) => ((await table.count({ trans, query: { index: table.schema.primaryKey, range: { type: 1, lower: key, upper: key } } })) > 0 ? true : undefined)));
}

function deltasAfter(table: DBCoreTable, req: DBCoreMutateRequest, res: DBCoreMutateResponse, prior: { before?: (unknown | undefined)[]; keys?: unknown[] }, removedRange: unknown[] | null): Deltas {
  const deltas: Deltas = new Map();
  const storeKey = storeCounterKey(table.name as CountedStore);
  const isVisits = table.name === 'visits';
  const failed = (i: number) => res.failures[i] !== undefined;
  if (req.type === 'add') {
    req.values.forEach((value, i) => {
      if (failed(i)) return;
      bump(deltas, storeKey, 1);
      const day = isVisits ? visitDay(value) : null;
      if (day !== null) bump(deltas, visitDayKey(day), 1);
    });
  } else if (req.type === 'put') {
    // The same key twice in one put counts once: track what this request already created.
    const seen = new Map<unknown, unknown>();
    req.values.forEach((value, i) => {
      if (failed(i)) return;
      const key = prior.keys![i];
      const mapKey = typeof key === 'object' ? JSON.stringify(key) : key;
      const old = seen.has(mapKey) ? seen.get(mapKey) : prior.before![i];
      seen.set(mapKey, isVisits ? value : true);
      if (old === undefined) bump(deltas, storeKey, 1);
      if (isVisits) {
        const oldDay = old === undefined ? null : visitDay(old);
        const newDay = visitDay(value);
        if (oldDay !== null) bump(deltas, visitDayKey(oldDay), -1);
        if (newDay !== null) bump(deltas, visitDayKey(newDay), 1);
      }
    });
  } else if (req.type === 'delete') {
    const seen = new Set<unknown>();
    prior.keys!.forEach((key, i) => {
      const mapKey = typeof key === 'object' ? JSON.stringify(key) : key;
      if (failed(i) || seen.has(mapKey) || prior.before![i] === undefined) return;
      seen.add(mapKey);
      bump(deltas, storeKey, -1);
      const day = isVisits ? visitDay(prior.before![i]) : null;
      if (day !== null) bump(deltas, visitDayKey(day), -1);
    });
  } else if (removedRange) {
    bump(deltas, storeKey, -removedRange.length);
    if (isVisits)
      for (const row of removedRange) {
        const day = visitDay(row);
        if (day !== null) bump(deltas, visitDayKey(day), -1);
      }
  }
  return deltas;
}

export const countersMiddleware: Middleware<DBCore> = {
  stack: 'dbcore',
  name: 'hydraflow-counters',
  // Below every Dexie middleware (they run at levels 0–2): by the time a write reaches this layer
  // Dexie's hooks and zones are done with it, and the calls made here go straight to IndexedDB.
  level: -1,
  create(down) {
    if (!down.schema.tables.some((table) => table.name === COUNTERS_STORE)) return down;
    const counters = down.table(COUNTERS_STORE);
    // Counter updates of one transaction run one after another (read, then write), so two
    // mutations in the same transaction never both read the old value. Once one fails, the
    // transaction is lost: later ones fail with that same error instead of touching a finished
    // transaction (which would hide the cause — a full disk — behind "transaction has finished").
    const queues = new WeakMap<DBCoreTransaction, Promise<unknown>>();
    const serialize = <T>(trans: DBCoreTransaction, run: () => Promise<T>): Promise<T> => {
      const next = (queues.get(trans) ?? Promise.resolve()).then(run);
      queues.set(trans, next);
      return next;
    };
    return {
      ...down,
      transaction(stores, mode, options) {
        return down.transaction(widenWrites(stores, mode, (store) => counted.has(store), COUNTERS_STORE), mode, options);
      },
      table(name) {
        const table = down.table(name);
        if (!counted.has(name)) return table;
        return {
          ...table,
          mutate: (req) =>
            serialize(req.trans, async () => {
              // Upgrades (versionchange) are recounted by the migration itself.
              if (isUpgrade(req.trans)) return table.mutate(req);
              if (req.type === 'deleteRange') {
                const everything = req.range.type === 3;
                const removed = everything && name !== 'visits' ? null : (await table.query({ trans: req.trans, query: { index: table.schema.primaryKey, range: req.range }, values: name === 'visits' })).result;
                const res = await table.mutate(req);
                if (removed === null) {
                  // The whole store went: its counter is simply zero.
                  const all = (await counters.getMany({ trans: req.trans, keys: [storeCounterKey(name as CountedStore)] })) as (Counter | undefined)[];
                  await applyDeltas(counters, req, down.schema.name, new Map([[storeCounterKey(name as CountedStore), -(all[0]?.n ?? 0)]]));
                } else await applyDeltas(counters, req, down.schema.name, deltasAfter(table, req, res, {}, removed));
                return res;
              }
              const prior = await mutationDeltas(table, req);
              const res = await table.mutate(req);
              await applyDeltas(counters, req, down.schema.name, deltasAfter(table, req, res, prior, null));
              return res;
            }),
        };
      },
    };
  },
};

/**
 * Adds `deltas` to counter rows inside the current transaction (it must include `counters`), for a
 * writer whose store this middleware does not count (the visit store).
 */
export async function addToCounters(db: { counters: EntityTable<Counter, 'key'> }, deltas: ReadonlyMap<string, number>): Promise<void> {
  const keys = [...deltas.keys()].filter((key) => deltas.get(key) !== 0);
  if (keys.length === 0) return;
  const current = await db.counters.bulkGet(keys);
  await db.counters.bulkPut(keys.map((key, i) => ({ key, n: Math.max(0, (current[i]?.n ?? 0) + deltas.get(key)!) })));
}

/**
 * Rebuilds every counter from the rows, in one transaction over `tx` (an upgrade transaction) or
 * a fresh one. Costs one pass over the legacy visits' `visitedAt` index (keys only, the rows not
 * yet moved into chunks: db/legacy-visits.ts), one over the visit chunks' times and one count per
 * store; `store:visits` counts the visits of both.
 */
export async function recountAll(tx: Pick<Transaction, 'table'>): Promise<void> {
  const rows: Counter[] = [];
  for (const store of COUNTED_STORES) rows.push({ key: storeCounterKey(store), n: store === 'visits' ? 0 : await tx.table(store).count() });
  const perDay = new Map<number, number>();
  let legacy = 0;
  await tx
    .table('visits')
    .where('visitedAt')
    .above(await legacyMovedThrough(tx))
    .eachKey((visitedAt) => {
      legacy++;
      const day = visitDayOf(visitedAt as number);
      perDay.set(day, (perDay.get(day) ?? 0) + 1);
    });
  let chunked = 0;
  await tx
    .table(VISIT_CHUNKS_STORE)
    .toCollection()
    .each((chunk: { at: number[] }) => {
      chunked += chunk.at.length;
      for (const visitedAt of chunk.at) {
        const day = visitDayOf(visitedAt);
        perDay.set(day, (perDay.get(day) ?? 0) + 1);
      }
    });
  const visits = rows.find((row) => row.key === storeCounterKey('visits'))!;
  visits.n = legacy + chunked;
  for (const [day, n] of perDay) rows.push({ key: visitDayKey(day), n });
  const table = tx.table(COUNTERS_STORE);
  await table.clear();
  await table.bulkPut(rows);
}
