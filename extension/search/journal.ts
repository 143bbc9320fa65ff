/**
 * The index journal: every write to an indexed store records, in the same transaction, which
 * index documents it touched (one `searchJournal` row per write request, however many rows it
 * wrote). The indexer re-reads those documents, updates the index, and deletes the journal rows in
 * the transaction that stores the new segments. So the index can lag behind a write by a moment,
 * but a crash never leaves it silently wrong: an unapplied write is still in the journal.
 *
 * Like the counters (extension/db/counters.ts) this is a Dexie DBCore middleware: it sees every
 * write, including bulk ones, and the journal row commits or aborts with the write itself.
 */
import type { DBCore, DBCoreMutateRequest, DBCoreTable, DBCoreTransaction, Middleware } from 'dexie';
import type { SearchKind } from '../../shared/search/kinds';
import { registerDbMiddleware, type JournalRow } from '../db';
import { isUpgrade, setJournalSignal, widenWrites } from '../db/middleware';

export const JOURNAL_STORE = 'searchJournal';
export const SEGMENTS_STORE = 'searchSegments';

/** Indexed stores and the kind of document each feeds. */
const KIND_OF: Record<string, SearchKind> = { visits: 'visit', pages: 'page', threads: 'thread', messages: 'message', tasks: 'task', memories: 'memory' };

/** A visit's id is `${urlKey}@${visitedAt}`: its document (the URL) comes from the key alone. */
export function visitUrlKey(visitId: string): string {
  const at = visitId.lastIndexOf('@');
  return at < 0 ? visitId : visitId.slice(0, at);
}

/** Who hears about journal writes and cleared segments (the indexer in the service worker). */
export interface JournalListener {
  written(): void;
  segmentsCleared(): void;
}
let listener: JournalListener | null = null;
export function setJournalListener(next: JournalListener | null): void {
  listener = next;
}

function docKeysOfValues(store: string, values: readonly unknown[], keys: readonly unknown[]): string[] {
  if (store === 'pages') return values.map((value) => (value as { urlKey: string }).urlKey);
  if (store === 'visits') return keys.map((key) => visitUrlKey(String(key)));
  return keys.map(String);
}

async function docKeys(table: DBCoreTable, req: DBCoreMutateRequest): Promise<string[] | null> {
  const store = table.name;
  switch (req.type) {
    case 'add':
    case 'put': {
      const keys = req.keys ?? req.values.map((value) => table.schema.primaryKey.extractKey!(value));
      return docKeysOfValues(store, req.values, keys);
    }
    case 'delete': {
      if (store !== 'pages') return docKeysOfValues(store, [], req.keys);
      // A deleted page row's URL key is in the row only: read it before it goes.
      const rows = await table.getMany({ trans: req.trans, keys: req.keys });
      return rows.filter((row) => row !== undefined).map((row) => (row as { urlKey: string }).urlKey);
    }
    case 'deleteRange': {
      if (req.range.type === 3) return null;
      if (store !== 'pages') {
        const found = await table.query({ trans: req.trans, query: { index: table.schema.primaryKey, range: req.range }, values: false });
        return docKeysOfValues(store, [], found.result);
      }
      const found = await table.query({ trans: req.trans, query: { index: table.schema.primaryKey, range: req.range }, values: true });
      return found.result.map((row) => (row as { urlKey: string }).urlKey);
    }
  }
}

export const journalMiddleware: Middleware<DBCore> = {
  stack: 'dbcore',
  name: 'hydraflow-search-journal',
  level: -2,
  create(down) {
    if (!down.schema.tables.some((table) => table.name === JOURNAL_STORE)) return down;
    const journal = down.table(JOURNAL_STORE);
    return {
      ...down,
      transaction(stores, mode, options) {
        return down.transaction(widenWrites(stores, mode, (store) => store in KIND_OF, JOURNAL_STORE), mode, options);
      },
      table(name) {
        const table = down.table(name);
        if (name === SEGMENTS_STORE) {
          return {
            ...table,
            mutate: async (req) => {
              const res = await table.mutate(req);
              if (req.type === 'deleteRange' && req.range.type === 3) listener?.segmentsCleared();
              return res;
            },
          };
        }
        const kind = KIND_OF[name];
        if (!kind) return table;
        return {
          ...table,
          mutate: async (req) => {
            if (isUpgrade(req.trans)) return table.mutate(req);
            const keys = await docKeys(table, req);
            const res = await table.mutate(req);
            await record(journal, req.trans, kind, keys);
            return res;
          },
        };
      },
    };
  },
};

// Every database this context creates from now on keeps the journal.
registerDbMiddleware(journalMiddleware);
// The visit store writes its journal rows itself (extension/history/visit-store.ts).
setJournalSignal(() => listener?.written());

async function record(journal: DBCoreTable, trans: DBCoreTransaction, kind: SearchKind, keys: string[] | null): Promise<void> {
  if (keys !== null && keys.length === 0) return;
  const row: JournalRow = { kind, keys: keys === null ? null : [...new Set(keys)] };
  const result = await journal.mutate({ type: 'add', trans, values: [row] });
  if (result.numFailures > 0) throw Object.values(result.failures)[0];
  // Tell the indexer once the write had a chance to commit (it reads the journal in its own transaction).
  if (listener) setTimeout(() => listener?.written(), 0);
}
