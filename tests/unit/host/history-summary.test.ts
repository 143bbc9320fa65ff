/**
 * The summaries a re-import compares (shared/history/summary.ts) and the host's reading of them
 * (native-host/history/read.ts): the SQL digest is the shared arithmetic over every row, changes
 * when a visit is swapped for another on the same day, leaves out rows no Date holds, grows its
 * blocks past 4,096 days; `days` reads exactly the visits of those days; the block diff and what
 * an import records as it goes.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openHistoryFile, type HistoryReader } from '../../../native-host/history/read';
import { hash53 } from '../../../shared/hash';
import {
  changedDays,
  dayRanges,
  historySummary,
  MAX_SUMMARY_BLOCKS,
  packDigest,
  positionDay,
  recordedSummary,
  SummaryBuilder,
  visitDigestTerms,
  type HistorySummary,
} from '../../../shared/history/summary';
import { CHROME_EPOCH_OFFSET_MICROS, DAY_MS } from '../../../shared/time';
import { changeChromiumHistory, MULTI_DAY_VISITS, writeChromiumHistory, writeFirefoxPlaces, writeTakeoutJson } from '../../fixtures/make-history';

const dir = mkdtempSync(join(tmpdir(), 'hf-summary-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

function withReader<T>(path: string, read: (reader: HistoryReader) => T): T {
  const reader = openHistoryFile(path, { dataDir: join(dir, 'data') });
  try {
    return read(reader);
  } finally {
    reader.close();
  }
}

/** The summary computed here, row by row, with the shared arithmetic (the reference for the SQL). */
function expectedSummary(path: string, query: string, kind: HistorySummary['kind'], origin: bigint): HistorySummary {
  const db = new Database(path, { readonly: true });
  db.defaultSafeIntegers(true);
  const days = new Map<number, [number, bigint, bigint]>();
  // Reverse order: the digest must not depend on it.
  for (const [time, url] of (db.prepare(query).raw(true).all() as [bigint, bigint][]).reverse()) {
    const day = Number((time - origin) / 86_400_000_000n);
    const [w1, w2] = visitDigestTerms(url, time);
    const [count, l1, l2] = days.get(day) ?? [0, 0n, 0n];
    days.set(day, [count + 1, l1 + w1, l2 + w2]);
  }
  db.close();
  return { kind, blockDays: 1, blocks: [...days].sort((a, b) => a[0] - b[0]).map(([day, [count, l1, l2]]) => [day, count, packDigest(l1, l2)]) };
}

function chromiumFile(): string {
  const path = join(dir, `History${files++}`);
  writeChromiumHistory(path, MULTI_DAY_VISITS);
  return path;
}

const day = (iso: string) => Math.floor(Date.parse(iso) / DAY_MS);

describe('the host summarizes a history file', () => {
  it('Chromium and Firefox: per UTC day, the visits and the shared digest of (URL row id, source time), whatever the row order', () => {
    const chromium = chromiumFile();
    const summary = withReader(chromium, (reader) => reader.summary());
    expect(summary.visits).toBe(15);
    expect(summary.summary).toEqual(expectedSummary(chromium, 'SELECT visit_time, url FROM visits', 'chromium', CHROME_EPOCH_OFFSET_MICROS));
    expect(summary.summary.blocks.map(([block, count]) => [block, count])).toEqual([1, 2, 3, 4, 5].map((d) => [day(`2024-03-0${d}`), 3]));
    expect(historySummary.safeParse(summary.summary).success).toBe(true);

    const places = join(dir, 'places.sqlite');
    writeFirefoxPlaces(places);
    const firefox = withReader(places, (reader) => reader.summary());
    expect(firefox.summary).toEqual(expectedSummary(places, 'SELECT visit_date, place_id FROM moz_historyvisits', 'firefox', 0n));
  });

  it('a visit removed and another added on the same day changes that day only (same count, another digest)', () => {
    const path = chromiumFile();
    const before = withReader(path, (reader) => reader.summary().summary);
    changeChromiumHistory(path, { add: [{ url: 'https://day3.example/page/0', title: '', at: '2024-03-03T10:00:00.001Z', core: 'link' }], removeAt: ['2024-03-03T10:00:00.000Z'] });
    const after = withReader(path, (reader) => reader.summary().summary);
    const changed = after.blocks.filter((block, i) => JSON.stringify(block) !== JSON.stringify(before.blocks[i]));
    expect(changed.map(([block, count]) => [block, count])).toEqual([[day('2024-03-03'), 3]]);
    expect(changedDays(before, after)!.ranges).toEqual([[day('2024-03-03'), day('2024-03-04')]]);
  });

  it('leaves out rows whose time no Date holds, and a file over 4,096 days gets blocks of 2 days', () => {
    const path = join(dir, `Long${files++}`);
    writeChromiumHistory(path, []);
    const db = new Database(path);
    const insert = db.prepare('INSERT INTO visits (url, visit_time, transition) VALUES (1, ?, 0)');
    db.prepare("INSERT INTO urls (id, url, title, last_visit_time) VALUES (1, 'https://a.example/', 'A', 0)").run();
    db.transaction(() => {
      for (let d = 0; d < 5000; d++) insert.run(CHROME_EPOCH_OFFSET_MICROS + BigInt(d) * 86_400_000_000n + 5n);
      insert.run(CHROME_EPOCH_OFFSET_MICROS - 1n); // 1969: invalid
      insert.run(-5n); // damaged
    })();
    db.close();
    const { summary, visits } = withReader(path, (reader) => reader.summary());
    expect(visits).toBe(5000);
    expect(summary.blockDays).toBe(2);
    expect(summary.blocks).toHaveLength(2500);
    expect(summary.blocks.every(([, count]) => count === 2)).toBe(true);
    expect(historySummary.safeParse(summary).success).toBe(true);
  });

  it('Takeout: the same arithmetic over (the URL’s 53-bit hash, visitedAt)', () => {
    const path = join(dir, 'BrowserHistory.json');
    writeTakeoutJson(path);
    const { summary } = withReader(path, (reader) => reader.summary());
    const visits = withReader(path, (reader) => [...reader.batches()].flatMap((batch) => batch.visits));
    const builder = new SummaryBuilder('takeout');
    const byDay = new Map<number, [number, bigint, bigint]>();
    for (const visit of visits) {
      const [w1, w2] = visitDigestTerms(BigInt(hash53(visit.url)), BigInt(visit.visitedAt));
      const d = Math.floor(visit.visitedAt / DAY_MS);
      const [count, l1, l2] = byDay.get(d) ?? [0, 0n, 0n];
      byDay.set(d, [count + 1, l1 + w1, l2 + w2]);
    }
    for (const [d, [count, l1, l2]] of [...byDay].sort((a, b) => a[0] - b[0])) builder.add(d, count, packDigest(l1, l2));
    expect(summary).toEqual(builder.finish());
  });
});

describe('reading only some days', () => {
  it('`days` yields exactly the visits of those days, in time order, counted as remaining; `after` continues inside them', () => {
    const path = chromiumFile();
    const days: [number, number][] = [[day('2024-03-02'), day('2024-03-03')], [day('2024-03-04'), day('2024-03-06')]];
    withReader(path, (reader) => {
      expect(reader.count({ days })).toBe(9);
      const visits = [...reader.batches({ days })].flatMap((batch) => batch.visits);
      expect(visits.map((visit) => visit.url)).toEqual(MULTI_DAY_VISITS.filter((visit) => /^2024-03-0[245]/.test(visit.at)).map((visit) => visit.url));
      // Page of 4, then the rest after its position.
      const first = [...reader.batches({ days, limit: 4 })];
      const position = first.at(-1)!.position;
      const rest = [...reader.batches({ days, after: position })].flatMap((batch) => batch.visits);
      expect([...first.flatMap((batch) => batch.visits), ...rest]).toEqual(visits);
      expect(reader.count({ days, after: position })).toBe(5);
    });
  });

  it('Takeout files too: positions continue inside the days, other days yield nothing', () => {
    const path = join(dir, 'Days.json');
    writeTakeoutJson(path);
    const takeoutDay = Math.floor(1_700_000_000_123 / DAY_MS);
    withReader(path, (reader) => {
      const days: [number, number][] = [[takeoutDay, takeoutDay + 1]];
      expect(reader.count({ days })).toBe(4);
      const first = [...reader.batches({ days, limit: 2 })];
      const rest = [...reader.batches({ days, after: first.at(-1)!.position })];
      expect([...first, ...rest].flatMap((batch) => batch.visits)).toEqual([...reader.batches()].flatMap((batch) => batch.visits));
      expect([...reader.batches({ days: [[takeoutDay + 1, takeoutDay + 2]] })]).toEqual([]);
    });
  });

  it('refuses day ranges that are unsorted, overlapping, empty, negative or too many', () => {
    expect(dayRanges.safeParse([[1, 3], [3, 4]]).success).toBe(true);
    for (const bad of [[[3, 4], [1, 2]], [[1, 3], [2, 4]], [[2, 2]], [[-1, 2]], [[0, 100_000_002]], [[1.5, 2]], Array.from({ length: 4097 }, (_, i) => [2 * i, 2 * i + 1])]) expect(dayRanges.safeParse(bad).success, JSON.stringify(bad).slice(0, 40)).toBe(false);
  });
});

describe('comparing and recording summaries', () => {
  const file: HistorySummary = { kind: 'chromium', blockDays: 1, blocks: [[10, 3, 111], [11, 2, 222], [12, 5, 333], [20, 1, 444]] };

  it('the changed blocks: new and different ones, merged into ranges; blocks gone from the file are not read; another kind compares with nothing', () => {
    const stored: HistorySummary = { kind: 'chromium', blockDays: 1, blocks: [[9, 1, 1], [10, 3, 111], [11, 2, 999], [12, 4, 333]] };
    expect(changedDays(stored, file)).toEqual({ blockDays: 1, ranges: [[11, 13], [20, 21]] });
    expect(changedDays(file, file)).toEqual({ blockDays: 1, ranges: [] });
    expect(changedDays({ ...file, kind: 'firefox' }, file)).toBeNull();
    // Coarser stored blocks: the file is compared at their size (days 10–11 add up to 5 visits, digest 333).
    const stored2: HistorySummary = { kind: 'chromium', blockDays: 2, blocks: [[5, 5, 333], [6, 7, 0]] };
    expect(changedDays(stored2, file)).toEqual({ blockDays: 2, ranges: [[12, 14], [20, 22]] });
  });

  it('the builder doubles its blocks past MAX_SUMMARY_BLOCKS days, adding counts and digests', () => {
    const builder = new SummaryBuilder('firefox');
    for (let d = 0; d <= MAX_SUMMARY_BLOCKS; d++) builder.add(d, 1, 1);
    const summary = builder.finish();
    expect(summary.blockDays).toBe(2);
    expect(summary.blocks[0]).toEqual([0, 2, 2]);
    expect(summary.blocks.at(-1)).toEqual([MAX_SUMMARY_BLOCKS / 2, 1, 1]);
    expect(() => builder.add(3, 1, 1)).toThrow();
  });

  it('records the file’s value for blocks read through or not read, and keeps the earlier value for blocks still to read', () => {
    const stored: HistorySummary = { kind: 'chromium', blockDays: 1, blocks: [[10, 3, 111], [11, 1, 5], [12, 1, 6]] };
    const ranges: [number, number][] = [[11, 13], [20, 21]];
    // Read through day 11 (the last row read is on day 12): block 11 is done, 12 and 20 are not.
    expect(recordedSummary(file, stored, ranges, 12).blocks).toEqual([[10, 3, 111], [11, 2, 222], [12, 1, 6]]);
    expect(recordedSummary(file, stored, ranges, Infinity)).toEqual(file);
    expect(recordedSummary(file, null, null, 12).blocks).toEqual([[10, 3, 111], [11, 2, 222]]);
  });

  it('the day of a read position, in each kind of file', () => {
    expect(positionDay('chromium', { time: String(CHROME_EPOCH_OFFSET_MICROS + 86_400_000_000n * 3n + 7n) })).toBe(3);
    expect(positionDay('chromium', { time: '5' })).toBe(-1);
    expect(positionDay('firefox', { time: String(86_400_000_000n * 19_000n) })).toBe(19_000);
    expect(positionDay('takeout', { time: String(Date.parse('2024-03-02T23:59:59.999Z')) })).toBe(day('2024-03-02'));
  });
});
