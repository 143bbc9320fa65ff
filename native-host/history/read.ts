/**
 * Reads visits out of a history file, whatever its kind: a Chromium-family `History`, a Firefox
 * `places.sqlite` or a Google Takeout `BrowserHistory.json` (detected by content, not by name).
 * Always from a private snapshot copy, deleted when the reader closes. Visits come ordered by
 * (source time, row id); a `HistoryPosition` names the last visit handed out, so a caller can
 * continue exactly after it (the import job's resume cursor and the per-source incremental cursor).
 */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { CodedError } from '../../shared/errors';
import { DIGEST_K1, DIGEST_K2, DIGEST_LANE, DIGEST_P1, DIGEST_P2, packDigest, SummaryBuilder, visitDigestTerms, type DayRange, type HistorySummary } from '../../shared/history/summary';
import { hash53 } from '../../shared/hash';
import { isImportableUrl, MAX_IMPORTED_URL_LENGTH, takeoutVisits } from '../../shared/history/takeout';
import { decodeChromeTransition, FIREFOX_VISIT_TYPES, firefoxVisitTypeToTransition } from '../../shared/history/transition';
import type { HistoryVisit } from '../../shared/history/visit';
import { TRANSITIONS, type Transition, type VisitSource } from '../../shared/schemas/statuses';
import { CHROME_EPOCH_OFFSET_MICROS, chromeTimeToUnixMs, DAY_MICROS, DAY_MS, unixMicrosToUnixMs, unixMsToChromeTime } from '../../shared/time';
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
  /** Only visits of these UTC days: [from, to) ranges, ascending and disjoint. */
  days?: readonly DayRange[];
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
  count(options?: Pick<HistoryReadOptions, 'since' | 'after' | 'days'>): number;
  /**
   * The file's visits per block of UTC days (count and digest, shared/history/summary.ts): one
   * GROUP BY pass for SQLite files. Rows whose time no Date holds are left out (they are invalid).
   */
  summary(): { summary: HistorySummary; visits: number };
  batches(options?: HistoryReadOptions): Generator<HistoryBatch>;
  /**
   * Every valid visit at or after `since` as NDJSON (UTF-8), `JSON.stringify(HistoryVisitRecord)`
   * per line in `batches` order, handed over in pieces of about a thousand lines (each ends with
   * a newline). The same visits and bytes as `batches`, made without a JavaScript object per visit.
   */
  ndjson(options: Pick<HistoryReadOptions, 'since'>): Generator<Uint8Array>;
  close(): void;
}

const SQLITE_MAGIC = 'SQLite format 3\0';
const DEFAULT_BATCH = 1000;
/** The latest time a JavaScript Date can hold (ms): a visit after it is a damaged row, counted invalid. */
const MAX_VISITED_AT = 8_640_000_000_000_000;
/** NDJSON lines per piece handed to the writer. */
const NDJSON_LINES = 1024;

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
  /** The URL table and its id and URL columns (`ndjson` checks every URL once, not every visit's). */
  urlTable: string;
  /** SQL of one visit's JSON line (aliases `v` and `u` as in `select`; `@source` bound). */
  jsonLine: string;
  /** The source times whose `visitedAt` is in [0, MAX_VISITED_AT]: [first, end). */
  validTimes: readonly [bigint, bigint];
  /** FROM … of the join, for `ndjson`. */
  from: string;
  /** The visit's URL row id (its URL identity in the summary digest). */
  urlIdColumn: string;
  /** The source time at which a UTC day starts. */
  dayStart(day: number): bigint;
}

/** SQL for `JSON.stringify({url, title, visitedAt, transition, source})`: same keys, order and escaping (json_object escapes as JSON.stringify does; a test compares them on hostile text). */
function jsonLineSql(visitedAt: string, transition: string): string {
  return `json_object('url', CAST(u.url AS TEXT), 'title', coalesce(CAST(u.title AS TEXT), ''), 'visitedAt', ${visitedAt}, 'transition', ${transition}, 'source', @source)`;
}

/** SQL CASE mapping an integer to the transition names of \`names\` (our own constants, never input). */
function transitionCase(value: string, names: Readonly<Record<number, Transition>>): string {
  const cases = Object.entries(names).map(([code, name]) => `WHEN ${Number(code)} THEN '${name}'`);
  return `CASE ${value} ${cases.join(' ')} ELSE 'link' END`;
}

const CHROMIUM: SqliteDialect = {
  select: 'SELECT v.id AS id, v.visit_time AS t, v.transition AS kind, CAST(u.url AS TEXT) AS url, CAST(u.title AS TEXT) AS title FROM visits v LEFT JOIN urls u ON u.id = v.url',
  table: 'visits v',
  timeColumn: 'v.visit_time',
  idColumn: 'v.id',
  sinceValue: (since) => unixMsToChromeTime(since),
  visitedAt: (time) => chromeTimeToUnixMs(time),
  transition: (kind) => decodeChromeTransition(kind ?? 0n).core,
  urlTable: 'urls',
  from: 'visits v LEFT JOIN urls u ON u.id = v.url',
  urlIdColumn: 'v.url',
  dayStart: (day) => BigInt(day) * DAY_MICROS + CHROME_EPOCH_OFFSET_MICROS,
  // Chrome time is µs since 1601; whole ms since 1970, floored (the range check keeps it ≥ 0).
  jsonLine: jsonLineSql(`(v.visit_time - ${CHROME_EPOCH_OFFSET_MICROS}) / 1000`, transitionCase('(coalesce(v.transition, 0) & 255)', { ...TRANSITIONS })),
  validTimes: [CHROME_EPOCH_OFFSET_MICROS, CHROME_EPOCH_OFFSET_MICROS + (BigInt(MAX_VISITED_AT) + 1n) * 1000n],
};

const FIREFOX: SqliteDialect = {
  select: 'SELECT v.id AS id, v.visit_date AS t, v.visit_type AS kind, CAST(p.url AS TEXT) AS url, CAST(p.title AS TEXT) AS title FROM moz_historyvisits v LEFT JOIN moz_places p ON p.id = v.place_id',
  table: 'moz_historyvisits v',
  timeColumn: 'v.visit_date',
  idColumn: 'v.id',
  sinceValue: (since) => BigInt(Math.trunc(since)) * 1000n,
  visitedAt: (time) => unixMicrosToUnixMs(time),
  transition: (kind) => firefoxVisitTypeToTransition(kind),
  urlTable: 'moz_places',
  from: 'moz_historyvisits v LEFT JOIN moz_places u ON u.id = v.place_id',
  urlIdColumn: 'v.place_id',
  dayStart: (day) => BigInt(day) * DAY_MICROS,
  jsonLine: jsonLineSql('v.visit_date / 1000', transitionCase('coalesce(v.visit_type, 1)', FIREFOX_VISIT_TYPES)),
  validTimes: [0n, (BigInt(MAX_VISITED_AT) + 1n) * 1000n],
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
        const statement = guarded(() => db.prepare(`SELECT count(*) AS n FROM ${dialect.table} ${filter(dialect, options, options.days !== undefined).where}`));
        let n = 0n;
        for (const range of timeRanges(dialect, options.days)) n += guarded(() => (statement.get(filter(dialect, options, range).params) as { n: bigint }).n);
        return Number(n);
      },
      summary: () => sqliteSummary(db, dialect, kind),
      batches: (options = {}) => sqliteBatches(db, dialect, resolvedSource, options),
      ndjson: (options) => sqliteNdjson(db, dialect, resolvedSource, options),
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

/** The source-time ranges of `days` ([from, to) source times), or one `null` (no range) without them. */
function timeRanges(dialect: SqliteDialect, days: readonly DayRange[] | undefined): ([bigint, bigint] | null)[] {
  return days === undefined ? [null] : days.map(([from, to]) => [dialect.dayStart(from), dialect.dayStart(to)]);
}

/** WHERE clause and parameters for since/after and, given a time range (or `true`: its placeholders), that range. */
function filter(dialect: SqliteDialect, options: Pick<HistoryReadOptions, 'since' | 'after'>, range: [bigint, bigint] | boolean | null = null): { where: string; params: Record<string, bigint> } {
  const clauses: string[] = [];
  const params: Record<string, bigint> = {};
  if (range) {
    clauses.push(`${dialect.timeColumn} >= @rangeFrom AND ${dialect.timeColumn} < @rangeTo`);
    if (range !== true) [params.rangeFrom, params.rangeTo] = range;
  }
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

/** The rows `batches` reads, in (time, id) order: one query, or one per day range. */
function* sqliteRows(db: Sqlite, dialect: SqliteDialect, options: HistoryReadOptions): Generator<SqliteRow> {
  const ranged = options.days !== undefined;
  const limit = options.limit === undefined ? '' : ' LIMIT @limit';
  const statement = guarded(() => db.prepare(`${dialect.select} ${filter(dialect, options, ranged).where} ORDER BY ${dialect.timeColumn}, ${dialect.idColumn}${limit}`));
  let left = options.limit === undefined ? Infinity : Math.max(0, Math.trunc(options.limit));
  for (const range of timeRanges(dialect, options.days)) {
    if (left <= 0) return;
    const params = { ...filter(dialect, options, range).params, ...(limit ? { limit: BigInt(left) } : {}) };
    const rows = guarded(() => statement.iterate(params)) as IterableIterator<SqliteRow>;
    try {
      for (;;) {
        const next = guarded(() => rows.next());
        if (next.done) break;
        left--;
        yield next.value;
      }
    } finally {
      rows.return?.();
    }
  }
}

function* sqliteBatches(db: Sqlite, dialect: SqliteDialect, source: VisitSource, options: HistoryReadOptions): Generator<HistoryBatch> {
  const size = options.batchSize ?? DEFAULT_BATCH;
  const maxBytes = options.maxBatchBytes ?? Infinity;
  let visits: HistoryVisitRecord[] = [];
  let bytes = 0;
  let invalid = 0;
  let position: HistoryPosition | null = null;
  checkAborted(options.signal);
  const rows = sqliteRows(db, dialect, options);
  try {
    for (;;) {
      const next = rows.next();
      if (next.done) break;
      const row = next.value;
      position = { time: String(row.t ?? 0n), id: Number(row.id) };
      const visitedAt = row.t === null ? -1 : dialect.visitedAt(row.t);
      if (row.url === null || !isImportableUrl(row.url) || visitedAt < 0 || visitedAt > MAX_VISITED_AT) invalid++;
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
    rows.return(undefined);
  }
  if (position && visits.length + invalid > 0) yield { visits, invalid, position };
}

/**
 * The summary of a SQLite history file in one GROUP BY pass over the visits (no join): per UTC
 * day, the rows and the lane sums of `visitDigestTerms(URL row id, source time)`, the same integer
 * arithmetic in SQL (no term exceeds 2^63, so SQLite never falls back to floating point). Only
 * rows with a time a Date holds (the others are invalid, never imported).
 */
function sqliteSummary(db: Sqlite, dialect: SqliteDialect, kind: HistoryFileKind): { summary: HistorySummary; visits: number } {
  const [p1, k1, p2, k2] = [DIGEST_P1, DIGEST_K1, DIGEST_P2, DIGEST_K2].map(String);
  const [first, end] = dialect.validTimes;
  // `+time`: a scan of the table, not of the time index (which would look every row up again).
  const rows = `SELECT ${dialect.timeColumn} AS t, coalesce(${dialect.urlIdColumn}, 0) AS u FROM ${dialect.table} WHERE +${dialect.timeColumn} >= @first AND +${dialect.timeColumn} < @end`;
  const terms = `SELECT CAST((t - @first) / ${DAY_MICROS} AS INTEGER) AS day, ((u % ${p1}) * ${k1} + (t % ${p1}) + 1) % ${p1} AS z1, ((u % ${p2}) + (u / ${p2}) * 31 + (t % ${p2}) * ${k2} + ((t / ${p2}) % ${p2}) + 7) % ${p2} AS z2 FROM (${rows})`;
  const statement = guarded(() =>
    db.prepare(`SELECT day, count(*), sum(z1 * z1 % ${p1}) % ${DIGEST_LANE}, sum(z2 * z2 % ${p2}) % ${DIGEST_LANE} FROM (${terms}) GROUP BY day ORDER BY day`).raw(true).safeIntegers(true),
  );
  const builder = new SummaryBuilder(kind);
  let visits = 0;
  for (const [day, count, lane1, lane2] of guarded(() => statement.iterate({ first, end })) as Iterable<[bigint, bigint, bigint, bigint]>) {
    builder.add(Number(day), Number(count), packDigest(lane1, lane2));
    visits += Number(count);
  }
  return { summary: builder.finish(), visits };
}

/**
 * The NDJSON of `sqliteBatches`' valid visits, made by SQLite: each page of about NDJSON_LINES
 * visits (a time range; never splitting one time between pages, so no row is read twice or
 * skipped) is joined to its URLs, written line by line with json_object and concatenated into one
 * BLOB — UTF-8 bytes for stdout, with no JavaScript value per visit. URL validity
 * (`isImportableUrl`, a URL parse) is decided once per URL row first; the pages skip the few
 * invalid ids. With URL ids beyond 2^53 (a damaged or crafted file: JavaScript numbers could not
 * tell them apart) the lines come from `sqliteBatches` instead.
 */
function* sqliteNdjson(db: Sqlite, dialect: SqliteDialect, source: VisitSource, options: Pick<HistoryReadOptions, 'since'>): Generator<Uint8Array> {
  const unsafeIds = guarded(() => db.prepare(`SELECT count(*) FROM ${dialect.urlTable} WHERE id NOT BETWEEN ${-Number.MAX_SAFE_INTEGER} AND ${Number.MAX_SAFE_INTEGER}`).pluck().get()) as bigint;
  if (unsafeIds > 0n) {
    yield* linesOf(sqliteBatches(db, dialect, source, { ...options, batchSize: NDJSON_LINES }));
    return;
  }
  const invalidUrls = invalidUrlIds(db, dialect.urlTable);
  const time = dialect.timeColumn;
  // The page's time range is the only condition on time (a range scan of the time index); the
  // valid times and `since` narrow the first and last page.
  const valid = `u.id IS NOT NULL${invalidUrls.length > 0 ? ' AND u.id NOT IN (SELECT value FROM json_each(@invalid))' : ''}`;
  // The first time of the next page: the time NDJSON_LINES rows on (index only), or none.
  const nextPageAt = guarded(() => db.prepare(`SELECT ${time} FROM ${dialect.table} WHERE ${time} >= @from ORDER BY ${time} LIMIT 1 OFFSET ${NDJSON_LINES}`).pluck().safeIntegers(true));
  // group_concat takes the lines in the order the subquery delivers them: a co-routine walking the
  // time index, (time, id) order without a sort (an ORDER BY inside the aggregate made SQLite sort
  // every page again, 2.3× slower). The contract tests compare the bytes with `batches`.
  const page = guarded(() =>
    db
      .prepare(
        `SELECT CAST(group_concat(line, char(10)) || char(10) AS BLOB) FROM (SELECT ${dialect.jsonLine} AS line FROM ${dialect.from} WHERE ${time} >= @from AND ${time} < @to AND ${valid} ORDER BY ${time}, ${dialect.idColumn})`,
      )
      .pluck()
      .safeIntegers(true),
  );
  const invalid = JSON.stringify(invalidUrls);
  const [firstValid, end] = dialect.validTimes;
  const since = options.since === undefined ? firstValid : dialect.sinceValue(options.since);
  let from = guarded(() => db.prepare(`SELECT min(${time}) FROM ${dialect.table} WHERE ${time} >= @from`).pluck().safeIntegers(true).get({ from: since > firstValid ? since : firstValid })) as bigint | null;
  while (from !== null && from < end) {
    const next = guarded(() => nextPageAt.get({ from })) as bigint | undefined;
    // Over NDJSON_LINES visits at one time: the page takes them all.
    const to = next === undefined || next >= end ? end : next > from ? next : from + 1n;
    const bytes = guarded(() => page.get({ from, to, source, ...(invalidUrls.length > 0 ? { invalid } : {}) })) as Buffer | null;
    if (bytes) yield bytes;
    from = next === undefined ? null : to;
  }
}

/**
 * Ids of the URL rows `isImportableUrl` refuses, without reading every URL into JavaScript. Past
 * its authority (`scheme://user@host:port`, which ends at the first `/`, `\`, `?` or `#`), the
 * URL parser cannot fail — path, query and fragment are only percent-encoded — so a URL that
 * starts plainly with `http://` or `https://` and a host character is as valid as its text up to
 * and with the first slash after that: checked once per distinct such prefix (about one per site,
 * found by SQLite), not once per URL. Every other URL (other schemes, odd slashes, NULL, over
 * MAX_IMPORTED_URL_LENGTH bytes: UTF-8 bytes, never fewer than UTF-16 units) is checked one by one.
 * One pass over the table classifies every row (the rule costs more than reading the row; a
 * second pass for the other URLs was ~40 % of this function): a plain URL gives its prefix, any
 * other its integer id; a row whose id is not an integer (only a crafted file) makes the old
 * full pass for the other URLs run.
 */
function invalidUrlIds(db: Sqlite, table: string): number[] {
  const start = "instr(url, '://') + 3";
  const plain = `typeof(url) = 'text' AND octet_length(url) <= ${MAX_IMPORTED_URL_LENGTH} AND (url LIKE 'http://%' OR url LIKE 'https://%') AND substr(url, ${start}, 1) NOT IN ('', '/', '\\')`;
  // Up to and with the first slash after the host's start: the authority and maybe a little more
  // (a query or fragment before any slash), which cannot make the parse fail either. The slash
  // stays: the parser trims spaces and control characters at the end, so "http://host /" is
  // invalid but "http://host " would not be.
  const slash = `instr(substr(url, ${start}), '/')`;
  const authority = `CASE ${slash} WHEN 0 THEN url ELSE substr(url, 1, ${start} - 1 + ${slash}) END`;
  const classified = guarded(() => db.prepare(`SELECT DISTINCT CASE WHEN coalesce(${plain}, 0) THEN ${authority} WHEN typeof(id) = 'integer' THEN id END FROM ${table}`).pluck().safeIntegers(false).all()) as (string | number | null)[];
  const refused: string[] = [];
  const otherIds: number[] = [];
  let oddIds = false;
  for (const value of classified) {
    if (typeof value === 'string') {
      if (!isImportableUrl(value)) refused.push(value);
    } else if (value === null) oddIds = true;
    else otherIds.push(value);
  }
  const ids = refused.length === 0 ? [] : (guarded(() => db.prepare(`SELECT id FROM ${table} WHERE ${plain} AND ${authority} IN (SELECT value FROM json_each(?))`).pluck().safeIntegers(false).all(JSON.stringify(refused))) as number[]);
  const others = oddIds
    ? guarded(() => db.prepare(`SELECT id, CAST(url AS TEXT) FROM ${table} WHERE NOT coalesce(${plain}, 0)`).raw(true).safeIntegers(false).iterate())
    : otherIds.length === 0
      ? []
      : guarded(() => db.prepare(`SELECT id, CAST(url AS TEXT) FROM ${table} WHERE id IN (SELECT value FROM json_each(?)) AND NOT coalesce(${plain}, 0)`).raw(true).safeIntegers(false).iterate(JSON.stringify(otherIds)));
  for (const [id, url] of others as Iterable<[number, string | null]>) if (url === null || !isImportableUrl(url)) ids.push(id);
  return ids;
}

/** NDJSON of batches' visits, JSON.stringify per visit (the format `ndjson` promises). */
function* linesOf(batches: Iterable<HistoryBatch>): Generator<Uint8Array> {
  for (const batch of batches) {
    if (batch.visits.length === 0) continue;
    yield Buffer.from(`${batch.visits.map((visit) => JSON.stringify({ url: visit.url, title: visit.title, visitedAt: visit.visitedAt, transition: visit.transition, source: visit.source })).join('\n')}\n`);
  }
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
  const all: HistoryVisit[] = mapped.visits;
  const select = (options: Pick<HistoryReadOptions, 'since' | 'after'>) => {
    let start = options.after ? options.after.id + 1 : 0;
    if (options.since !== undefined) while (start < all.length && all[start]!.visitedAt < options.since) start++;
    return start;
  };
  /** Indexes of the list (positions) from `start` on, only those in `days` when given, at most `limit`. */
  const indexes = (start: number, days: readonly DayRange[] | undefined, limit = Infinity): number[] => {
    const out: number[] = [];
    for (let i = Math.max(0, start); i < all.length && out.length < limit; i++) {
      const day = Math.floor(all[i]!.visitedAt / DAY_MS);
      if (days === undefined || days.some(([from, to]) => day >= from && day < to)) out.push(i);
    }
    return out;
  };
  return {
    kind: 'takeout',
    source: 'takeout',
    size: snapshot.size,
    count: (options = {}) => (options.days === undefined ? all.length - select(options) : indexes(select(options), options.days).length),
    summary: () => {
      const builder = new SummaryBuilder('takeout');
      let lanes: [bigint, bigint] = [0n, 0n];
      let count = 0;
      let current = -1;
      const flush = () => {
        if (count > 0) builder.add(current, count, packDigest(lanes[0], lanes[1]));
      };
      for (const visit of all) {
        const day = Math.floor(visit.visitedAt / DAY_MS);
        if (day !== current) {
          flush();
          [current, lanes, count] = [day, [0n, 0n], 0];
        }
        const [w1, w2] = visitDigestTerms(BigInt(hash53(visit.url)), BigInt(visit.visitedAt));
        lanes = [lanes[0] + w1, lanes[1] + w2];
        count++;
      }
      flush();
      return { summary: builder.finish(), visits: all.length };
    },
    *batches(options = {}) {
      const size = options.batchSize ?? DEFAULT_BATCH;
      const start = select(options);
      const chosen = indexes(start, options.days, options.limit);
      const end = chosen.length;
      const maxBytes = options.maxBatchBytes ?? Infinity;
      let invalid = options.after || options.since !== undefined || options.days !== undefined ? 0 : mapped.invalid;
      let from = 0;
      while (from < end) {
        checkAborted(options.signal);
        const visits: HistoryVisit[] = [];
        let bytes = 0;
        while (from < end && visits.length < size && bytes < maxBytes) {
          const visit = all[chosen[from++]!]!;
          bytes += estimateBytes(visit.url, visit.title);
          visits.push(visit);
        }
        const last = chosen[from - 1]!;
        yield { visits, invalid, position: { time: String(all[last]!.visitedAt), id: last } };
        invalid = 0;
      }
      if (end === 0 && invalid > 0) yield { visits: [], invalid, position: { time: '0', id: start - 1 } };
    },
    ndjson(options) {
      return linesOf(this.batches({ ...options, batchSize: NDJSON_LINES }));
    },
    close: () => undefined,
  };
}
