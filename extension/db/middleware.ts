/**
 * What the database's DBCore middlewares (counters.ts, search/journal.ts) have in common: each
 * writes a store of its own in the same transaction as the writes it watches, and leaves upgrades
 * alone (a migration takes care of its own rows). A capability above the database registers its
 * middleware here (`registerDbMiddleware`) when its module loads; every database created after
 * that uses it, so the database itself knows no capability.
 */
import type { DBCore, DBCoreTransaction, Middleware } from 'dexie';

const registered: Middleware<DBCore>[] = [];

export function registerDbMiddleware(middleware: Middleware<DBCore>): void {
  if (!registered.includes(middleware)) registered.push(middleware);
}

export function registeredMiddlewares(): readonly Middleware<DBCore>[] {
  return registered;
}

/** The stores of a transaction, plus `extra` when it is a read-write one over a `watched` store. */
export function widenWrites(stores: string[], mode: 'readonly' | 'readwrite', watched: (store: string) => boolean, extra: string): string[] {
  return mode === 'readwrite' && stores.some(watched) && !stores.includes(extra) ? [...stores, extra] : stores;
}

/** Whether a write runs inside a schema upgrade (a versionchange transaction). */
export function isUpgrade(trans: DBCoreTransaction): boolean {
  return (trans as unknown as { mode?: string }).mode === 'versionchange';
}

let journalSignal: (() => void) | null = null;

/** Who hears that a search journal row was written outside the journal middleware (the search journal sets it). */
export function setJournalSignal(signal: (() => void) | null): void {
  journalSignal = signal;
}

/** A writer that adds search journal rows itself (the visit store) calls this after adding one. */
export function signalJournal(): void {
  if (journalSignal) setTimeout(() => journalSignal?.(), 0);
}
