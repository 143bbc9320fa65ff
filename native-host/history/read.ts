/**
 * Reads visits out of a history file, whatever its kind: a Chromium-family `History`, a Firefox
 * `places.sqlite` or a Google Takeout `BrowserHistory.json` (detected by content, not by name).
 * Always from a private snapshot copy, deleted when the reader closes. Visits come ordered by
 * (source time, row id); a `HistoryPosition` names the last visit handed out, so a caller can
 * continue exactly after it (the import job's resume cursor and the per-source incremental cursor).
 */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { CodedError } from '../../shared/errors';
import { takeoutVisits, isImportableUrl } from '../../shared/history/takeout';
import { decodeChromeTransition, firefoxVisitTypeToTransition } from '../../shared/history/transition';
import type { HistoryVisit } from '../../shared/history/visit';
import type { Transition, VisitSource } from '../../shared/schemas/statuses';
import { chromeTimeToUnixMs, unixMicrosToUnixMs, unixMsToChromeTime } from '../../shared/time';
import { snapshotFile, type FileSnapshot } from './snapshot';
import { guarded, openSnapshot, tableNames, type Sqlite } from './sqlite';

export interface HistoryVisitRecord {
  url: string;
  title: string;
  visitedAt: number;
  transition: Transition;
  source: VisitSource;
}

export type HistoryFileKind = 'chromium' | 'firefox' | 'takeout';

/** The last visit read: its time in the source's own unit (decimal string) and its row id. */
export interface HistoryPosition {
  time: string;
  id: number;
}

export interface HistoryBatch {
  visits: HistoryVisitRecord[];
  /** Rows skipped in this batch because their URL or time is unusable. */
  invalid: number;
  /** Position of the last row of this batch (valid or not). */
  position: HistoryPosition;
}

export interface HistoryReadOptions {
  /** Only visits at or after this time (ms since the Unix epoch). */
  since?: number;
  /** Only visits strictly after this position. */
  after?: HistoryPosition | null;
  /** Stop after this many rows (valid and invalid). */
  limit?: number;
  batchSize?: number;
  /** End a batch early once its URLs and titles reach about this many bytes (UTF-8 worst case). */
  maxBatchBytes?: number;
  signal?: AbortSignal;
}

export interface HistoryReader {
  kind: HistoryFileKind;
  source: VisitSource;
  /** Size of the original file in bytes. */
  size: number;
  /** Rows matching `since`/`after` (before `limit`). */
  count(options?: Pick<HistoryReadOptions, 'since' | 'after'>): number;
  batches(options?: HistoryReadOptions): Generator<HistoryBatch>;
  close(): void;
}

const SQLITE_MAGIC = 'SQLite format 3\0';
const DEFAULT_BATCH = 1000;

/**
 * Opens a history file for reading. `source` names the browser for a Chromium-family file; when
 * omitted it is guessed from the path (google-chrome, BraveSoftware…), else `chromium`.
 */
export function openHistoryFile(path: string, options: { source?: VisitSource; noFollow?: boolean; dataDir?: string } = {}): HistoryReader {
  const snapshot = snapshotFile(path, { noFollow: options.noFollow ?? false, ...(options.dataDir ? { dataDir: options.dataDir } : {}) });
  try {
    const head = readHead(snapshot.path);
    if (head.toString('latin1', 0, 16) === SQLITE_MAGIC) return openSqliteReader(snapshot, path, options.source);
    const text = head.toString('utf8').replace(/^\uFEFF/, '').trimStart();
    if (text.startsWith('{')) return openTakeoutReader(snapshot);
    throw new CodedError('HISTORY_NOT_A_DATABASE', `${path} is not a Chromium History, Firefox places.sqlite or Takeout BrowserHistory.json`);
  } catch (error) {
    snapshot.remove();
    throw error;
  }
}

/**
 * The shared interface for other capabilities: every visit of a history file, in batches.
 * Throws CodedError HISTORY_FILE_NOT_FOUND / HISTORY_NOT_A_DATABASE / HISTORY_FILE_CORRUPT.
 */
export async function* readHistoryFile(
  path: string,
  options: { since?: number; signal?: AbortSignal; batchSize?: number; source?: VisitSource } = {},
): AsyncGenerator<HistoryVisitRecord[]> {
  const reader = openHistoryFile(path, options.source ? { source: options.source } : {});
  try {
    for (const batch of reader.batches(options)) {
      if (batch.visits.length) yield batch.visits;
    }
  } finally {
    reader.close();
  }
}

/** Browser of a Chromium-family History file, from the conventional location in its path. */
export function guessChromiumSource(path: string): VisitSource {
  const p = path.replace(/\\/g, '/').toLowerCase();
  if (p.includes('google-chrome') || p.includes('google/chrome')) return 'chrome';
  if (p.includes('microsoft-edge') || p.includes('microsoft edge') || p.includes('microsoft/edge')) return 'edge';
  if (p.includes('bravesoftware')) return 'brave';
  if (p.includes('vivaldi')) return 'vivaldi';
  return 'chromium';
}

function readHead(path: string): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(64);
    const read = readSync(fd, buffer, 0, 64, 0);
    return buffer.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CodedError('CANCELLED', 'History read cancelled');
}

interface SqliteDialect {
  /** SELECT id, t, kind, url, title FROM … (no WHERE/ORDER). */
  select: string;
  table: string;
  timeColumn: string;
  idColumn: string;
  /** since (ms) in the source's own unit. */
  sinceValue(since: number): bigint;
  visitedAt(time: bigint): number;
  transition(kind: bigint | null): Transition;
}

const CHROMIUM: SqliteDialect = {
  select: 'SELECT v.id AS id, v.visit_time AS t, v.transition AS kind, u.url AS url, u.title AS title FROM visits v LEFT JOIN urls u ON u.id = v.url',
  table: 'visits v',
  timeColumn: 'v.visit_time',
  idColumn: 'v.id',
  sinceValue: (since) => unixMsToChromeTime(since),
  visitedAt: (time) => chromeTimeToUnixMs(time),
  transition: (kind) => decodeChromeTransition(kind ?? 0n).core,
};

const FIREFOX: SqliteDialect = {
  select: 'SELECT v.id AS id, v.visit_date AS t, v.visit_type AS kind, p.url AS url, p.title AS title FROM moz_historyvisits v LEFT JOIN moz_places p ON p.id = v.place_id',
  table: 'moz_historyvisits v',
  timeColumn: 'v.visit_date',
  idColumn: 'v.id',
  sinceValue: (since) => BigInt(Math.trunc(since)) * 1000n,
  visitedAt: (time) => unixMicrosToUnixMs(time),
  transition: (kind) => firefoxVisitTypeToTransition(kind),
};

function openSqliteReader(snapshot: FileSnapshot, originalPath: string, source: VisitSource | undefined): HistoryReader {
  const db = openSnapshot(snapshot.path);
  try {
    const tables = tableNames(db);
    let dialect: SqliteDialect;
    let kind: HistoryFileKind;
    if (tables.has('visits') && tables.has('urls')) {
      dialect = CHROMIUM;
      kind = 'chromium';
    } else if (tables.has('moz_historyvisits') && tables.has('moz_places')) {
      dialect = FIREFOX;
      kind = 'firefox';
    } else {
      throw new CodedError('HISTORY_NOT_A_DATABASE', `${originalPath} is an SQLite database without browser history tables`);
    }
    const resolvedSource: VisitSource = kind === 'firefox' ? 'firefox' : (source ?? guessChromiumSource(originalPath));
    return {
      kind,
      source: resolvedSource,
      size: snapshot.size,
      count: (options = {}) => {
        const { where, params } = filter(dialect, options);
        const row = guarded(() => db.prepare(`SELECT count(*) AS n FROM ${dialect.table} ${where}`).get(params) as { n: bigint });
        return Number(row.n);
      },
      batches: (options = {}) => sqliteBatches(db, dialect, resolvedSource, options),
      close: () => {
        db.close();
        snapshot.remove();
      },
    };
  } catch (error) {
    db.close();
    throw error;
  }
}

function filter(dialect: SqliteDialect, options: Pick<HistoryReadOptions, 'since' | 'after'>): { where: string; params: Record<string, bigint> } {
  const clauses: string[] = [];
  const params: Record<string, bigint> = {};
  if (options.since !== undefined) {
    clauses.push(`${dialect.timeColumn} >= @since`);
    params.since = dialect.sinceValue(options.since);
  }
  if (options.after) {
    clauses.push(`(${dialect.timeColumn} > @afterTime OR (${dialect.timeColumn} = @afterTime AND ${dialect.idColumn} > @afterId))`);
    params.afterTime = BigInt(options.after.time);
    params.afterId = BigInt(options.after.id);
  }
  return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

interface SqliteRow {
  id: bigint;
  t: bigint | null;
  kind: bigint | null;
  url: string | null;
  title: string | null;
}

function* sqliteBatches(db: Sqlite, dialect: SqliteDialect, source: VisitSource, options: HistoryReadOptions): Generator<HistoryBatch> {
  const { where, params } = filter(dialect, options);
  const limit = options.limit === undefined ? '' : ` LIMIT ${Math.max(0, Math.trunc(options.limit))}`;
  const statement = guarded(() => db.prepare(`${dialect.select} ${where} ORDER BY ${dialect.timeColumn}, ${dialect.idColumn}${limit}`));
  const size = options.batchSize ?? DEFAULT_BATCH;
  const maxBytes = options.maxBatchBytes ?? Infinity;
  let visits: HistoryVisitRecord[] = [];
  let bytes = 0;
  let invalid = 0;
  let position: HistoryPosition | null = null;
  checkAborted(options.signal);
  const rows = guarded(() => statement.iterate(params)) as IterableIterator<SqliteRow>;
  try {
    for (;;) {
      const next = guarded(() => rows.next());
      if (next.done) break;
      const row = next.value;
      position = { time: String(row.t ?? 0n), id: Number(row.id) };
      const visitedAt = row.t === null ? -1 : dialect.visitedAt(row.t);
      if (row.url === null || !isImportableUrl(row.url) || visitedAt < 0) invalid++;
      else {
        const title = row.title ?? '';
        bytes += estimateBytes(row.url, title);
        visits.push({ url: row.url, title, visitedAt, transition: dialect.transition(row.kind), source });
      }
      if (visits.length + invalid >= size || bytes >= maxBytes) {
        yield { visits, invalid, position };
        visits = [];
        bytes = 0;
        invalid = 0;
        checkAborted(options.signal);
      }
    }
  } finally {
    rows.return?.();
  }
  if (position && visits.length + invalid > 0) yield { visits, invalid, position };
}

/** Upper bound of a visit's JSON size: every character may take 3 bytes, plus the fixed fields. */
export function estimateBytes(url: string, title: string): number {
  return (url.length + title.length) * 3 + 96;
}

function openTakeoutReader(snapshot: FileSnapshot): HistoryReader {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(snapshot.path, 'utf8').replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new CodedError('HISTORY_FILE_CORRUPT', `The JSON history file cannot be parsed: ${(error as Error).message}`);
  }
  const mapped = takeoutVisits(parsed);
  if (!mapped) throw new CodedError('HISTORY_NOT_A_DATABASE', 'The JSON file is not a Google Takeout BrowserHistory.json (no "Browser History" list)');
  // The snapshot is no longer needed once parsed.
  snapshot.remove();
  // Positions are indexes into the time-ordered list; invalid entries are reported once, up front.
  const rows: HistoryVisit[] = mapped.visits;
  const select = (options: Pick<HistoryReadOptions, 'since' | 'after'>) => {
    let start = options.after ? options.after.id + 1 : 0;
    if (options.since !== undefined) while (start < rows.length && rows[start]!.visitedAt < options.since) start++;
    return start;
  };
  return {
    kind: 'takeout',
    source: 'takeout',
    size: snapshot.size,
    count: (options = {}) => rows.length - select(options),
    *batches(options = {}) {
      const size = options.batchSize ?? DEFAULT_BATCH;
      const start = select(options);
      const end = options.limit === undefined ? rows.length : Math.min(rows.length, start + options.limit);
      const maxBytes = options.maxBatchBytes ?? Infinity;
      let invalid = options.after || options.since !== undefined ? 0 : mapped.invalid;
      let from = start;
      while (from < end) {
        checkAborted(options.signal);
        let to = from;
        let bytes = 0;
        while (to < end && to - from < size && bytes < maxBytes) bytes += estimateBytes(rows[to]!.url, rows[to++]!.title);
        yield { visits: rows.slice(from, to), invalid, position: { time: String(rows[to - 1]!.visitedAt), id: to - 1 } };
        invalid = 0;
        from = to;
      }
      if (start >= end && invalid > 0) yield { visits: [], invalid, position: { time: '0', id: start - 1 } };
    },
    close: () => undefined,
  };
}
