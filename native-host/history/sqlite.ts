/**
 * Opens a snapshot copy with better-sqlite3 and turns SQLite's failures into our codes. Integers
 * come back as BigInt (Chrome times exceed 2^53); callers convert them through shared/time.ts.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type Database from 'better-sqlite3';
import { CodedError } from '../../shared/errors';

export type Sqlite = Database.Database;

let loaded: { Database: typeof Database; options: Database.Options } | null = null;

/**
 * better-sqlite3 is a native addon: the host package lists it as an optional dependency, so the
 * host installs (and bundles and repo tools work) even where npm could neither download a
 * prebuilt binary nor compile one. It is loaded on first use, with a message saying what to do.
 * Its addon is named by the path where npm puts it (build/Release), which spares the `bindings`
 * package's search of a dozen paths at every CLI start; elsewhere better-sqlite3 finds it itself.
 */
function loadDatabase(): { Database: typeof Database; options: Database.Options } {
  if (loaded) return loaded;
  try {
    const require = createRequire(import.meta.url);
    const constructor = require('better-sqlite3') as typeof Database;
    const addon = join(dirname(require.resolve('better-sqlite3/package.json')), 'build', 'Release', 'better_sqlite3.node');
    const options: Database.Options = existsSync(addon) ? { nativeBinding: addon } : {};
    new constructor(':memory:', options).close();
    loaded = { Database: constructor, options };
    return loaded;
  } catch (error) {
    throw new CodedError('HISTORY_READER_UNAVAILABLE', sqliteHelp((error as Error).message));
  }
}

function sqliteHelp(reason: string): string {
  const toolchain =
    process.platform === 'win32'
      ? 'Visual Studio Build Tools with "Desktop development with C++" (https://visualstudio.microsoft.com/visual-cpp-build-tools/) and Python 3'
      : process.platform === 'darwin'
        ? 'the Xcode command line tools (xcode-select --install)'
        : 'python3, make and a C++ compiler (Debian/Ubuntu: sudo apt-get install -y python3 make g++; Fedora: sudo dnf install -y python3 make gcc-c++)';
  return (
    `better-sqlite3, which reads browser History files, is not usable with Node ${process.version} on ${process.platform}-${process.arch} (${reason.split('\n')[0]}). ` +
    `npm found no prebuilt binary for this Node and could not compile one. Either use a Node LTS release (prebuilt binaries exist for those) or install ${toolchain}, ` +
    'then reinstall the host: npm install -g hydraflow-host && hydraflow-host install. Bundles and repo tools work without it.'
  );
}

/** Why history files cannot be read here, or null when better-sqlite3 loads (install and doctor say it). */
export function sqliteProblem(): string | null {
  try {
    loadDatabase();
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

const CORRUPT_CODES = new Set(['SQLITE_CORRUPT', 'SQLITE_NOTADB', 'SQLITE_FORMAT', 'SQLITE_IOERR_SHORT_READ']);

/**
 * Read-only first. A copy taken while the browser was mid-write can carry a hot journal or a WAL
 * that a read-only connection may not replay; the copy is ours alone, so we then reopen it
 * read-write to let SQLite recover it. The original file is never opened.
 */
export function openSnapshot(path: string): Sqlite {
  const { Database, options } = loadDatabase();
  let db: Sqlite;
  try {
    db = new Database(path, { ...options, readonly: true, fileMustExist: true });
    db.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (error) {
    if (isCorrupt(error)) throw corrupt(error);
    try {
      db = new Database(path, { ...options, fileMustExist: true });
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
