/**
 * Opens a snapshot copy with better-sqlite3 and turns SQLite's failures into our codes. Integers
 * come back as BigInt (Chrome times exceed 2^53); callers convert them through shared/time.ts.
 */
import Database from 'better-sqlite3';
import { CodedError } from '../../shared/errors';

export type Sqlite = Database.Database;

const CORRUPT_CODES = new Set(['SQLITE_CORRUPT', 'SQLITE_NOTADB', 'SQLITE_FORMAT', 'SQLITE_IOERR_SHORT_READ']);

/**
 * Read-only first. A copy taken while the browser was mid-write can carry a hot journal or a WAL
 * that a read-only connection may not replay; the copy is ours alone, so we then reopen it
 * read-write to let SQLite recover it. The original file is never opened.
 */
export function openSnapshot(path: string): Sqlite {
  let db: Sqlite;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    db.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (error) {
    if (isCorrupt(error)) throw corrupt(error);
    try {
      db = new Database(path, { fileMustExist: true });
      db.prepare('SELECT count(*) FROM sqlite_master').get();
    } catch (retry) {
      throw corrupt(retry);
    }
  }
  db.defaultSafeIntegers(true);
  return db;
}

export function isCorrupt(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && CORRUPT_CODES.has(code);
}

export function corrupt(error: unknown): CodedError {
  return new CodedError('HISTORY_FILE_CORRUPT', `The history database is damaged: ${(error as Error).message}`);
}

/** Runs `work`, mapping SQLite corruption errors (raised lazily, while stepping rows) to our code. */
export function guarded<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof CodedError) throw error;
    if (isCorrupt(error) || (error as { code?: unknown })?.code !== undefined) throw corrupt(error);
    throw error;
  }
}

export function tableNames(db: Sqlite): Set<string> {
  const rows = guarded(() => db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]);
  return new Set(rows.map((row) => row.name));
}
