/**
 * `history export` writes its NDJSON with SQLite (json_object, URL validity once per site;
 * native-host/history/read.ts `ndjson`). It must give exactly the bytes of the visits `batches`
 * reads — the path the import takes — through JSON.stringify: same visits, order, escaping.
 * Compared here on files built to disagree if anything differs: hostile URLs and titles, times at
 * and past the valid range, ties, odd transitions, pages of a thousand lines crossed.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openHistoryFile, type HistoryReader } from '../../../native-host/history/read';
import { writeChromiumHistory, writeFirefoxPlaces } from '../../fixtures/make-history';

const dir = mkdtempSync(join(tmpdir(), 'hf-ndjson-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CHROME_EPOCH_OFFSET_MICROS = 11_644_473_600_000_000n;
const MAX_MS = 8_640_000_000_000_000n;

const URLS = [
  'https://example.com/',
  'https://example.com/path?q=1#frag',
  'HTTPS://EXAMPLE.COM/Upper',
  'http://user:pw@example.com:8080/x',
  'http://example.com:99999/bad-port',
  'http://exa mple.com/space-in-host',
  'http://1.2.3.999/bad-ipv4',
  'http://1.2.3.4/ok-ipv4',
  'http://a.0x1/ends-in-a-number',
  'http://xn--a.com/bad-punycode',
  'http://xn--nxasmq6b.com/good-punycode',
  'http://[::1]/ipv6',
  'http://[::1/broken-ipv6',
  'http:///three-slashes.com/',
  'http:\\\\backslashes.com/',
  'https://example.com?query-before-slash/x',
  'https://ex\tample.com/tab-in-host',
  'http://trailing-space.com /path',
  'http://trailing-control.com\u0001/path',
  'http://trailing-space-no-path.com ',
  'https://example.com#frag-only',
  'https://bücher.example/idn',
  'http://%zz/bad-percent-host',
  'https://example.com',
  ' https://leading-space.com/',
  'javascript:alert(1)',
  'file:///etc/passwd',
  'chrome://settings',
  'data:text/html,<b>x</b>',
  'ftp://example.com/',
  '',
  `https://long.example/${'a'.repeat(131_100)}`,
  `https://long.example/${'€'.repeat(43_700)}`,
];
const TITLES = ['', 'plain', 'quote " backslash \\ slash /', 'controls \u0000\u0001\b\t\n\u000b\f\r\u001f\u007f', 'unicode é — 😀 \u2028\u2029 \ufeff', '<script>alert(1)</script>'];

/** A Chromium History with every URL above, several visits each (ties, out-of-order ids), plus hostile rows written raw. */
function hostileChromium(): string {
  const path = join(dir, 'History');
  writeChromiumHistory(path, []);
  const db = new Database(path);
  db.defaultSafeIntegers(true);
  const insertUrl = db.prepare('INSERT INTO urls (url, title, last_visit_time) VALUES (?, ?, 0)');
  const insertVisit = db.prepare('INSERT INTO visits (url, visit_time, transition) VALUES (?, ?, ?)');
  const base = CHROME_EPOCH_OFFSET_MICROS + 1_700_000_000_000_000n;
  db.transaction(() => {
    URLS.forEach((url, i) => insertUrl.run(url, TITLES[i % TITLES.length]!));
    insertUrl.run(null, 'null url');
    const rawUrl = Number(insertUrl.run('https://raw.example/', 'placeholder').lastInsertRowid);
    db.prepare('UPDATE urls SET title = CAST(? AS TEXT) WHERE id = ?').run(Buffer.from([0x41, 0xff, 0xfe, 0x42, 0xc3]), rawUrl);
    // Values of other types where text belongs: a BLOB URL and title, a number as title.
    insertUrl.run(Buffer.from('https://blob-url.example/'), Buffer.from('blob title'));
    insertUrl.run('https://number-title.example/', 12345n);
    const urlCount = URLS.length + 4;
    // 2,500 visits (pages of 1,024 lines are crossed), inserted newest first; every 3rd shares its time with the one before.
    for (let i = 2500; i > 0; i--) insertVisit.run(BigInt((i % urlCount) + 1), base + BigInt(i - (i % 3 === 0 ? 1 : 0)) * 1000n + BigInt(i % 7), BigInt((i * 7919) % 2 === 0 ? -(2 ** 31) + (i % 11) : i % 13));
    // Times at the edges: before 1970, the first and last valid ms, past them; a visit of a missing URL; an unknown core transition.
    for (const time of [0n, CHROME_EPOCH_OFFSET_MICROS - 1n, CHROME_EPOCH_OFFSET_MICROS, CHROME_EPOCH_OFFSET_MICROS + MAX_MS * 1000n + 999n, CHROME_EPOCH_OFFSET_MICROS + (MAX_MS + 1n) * 1000n])
      insertVisit.run(1n, time, 0n);
    insertVisit.run(999_999n, base, 1n);
    insertVisit.run(2n, base + 5n, 0x7fff_ffffn);
  })();
  db.close();
  return path;
}

function viaBatches(reader: HistoryReader, since?: number): string {
  let text = '';
  for (const batch of reader.batches(since === undefined ? { batchSize: 700 } : { since, batchSize: 700 })) {
    for (const visit of batch.visits) text += `${JSON.stringify({ url: visit.url, title: visit.title, visitedAt: visit.visitedAt, transition: visit.transition, source: visit.source })}\n`;
  }
  return text;
}

function viaNdjson(reader: HistoryReader, since?: number): string {
  const chunks = [...reader.ndjson(since === undefined ? {} : { since })];
  return Buffer.concat(chunks.map((chunk) => Buffer.from(chunk))).toString('utf8');
}

describe('history export NDJSON made by SQLite', () => {
  it('has exactly the bytes of the visits the import reads, on hostile URLs, titles, times and transitions', () => {
    const reader = openHistoryFile(hostileChromium(), { source: 'brave', dataDir: join(dir, 'data') });
    try {
      const expected = viaBatches(reader);
      const lines = expected.split('\n').length - 1;
      // Some URLs are refused, most are kept; the pages' boundaries are crossed.
      expect(lines).toBeGreaterThan(1024);
      expect(lines).toBeLessThan(2500);
      expect(expected).toContain('"visitedAt":8640000000000000');
      expect(viaNdjson(reader)).toBe(expected);
      const since = 1_700_000_000_000 + 1_200;
      expect(viaNdjson(reader, since)).toBe(viaBatches(reader, since));
    } finally {
      reader.close();
    }
  });

  it('does the same on a crafted file whose URL ids are not all integers', () => {
    // Untyped columns: ids 2.5 and 4.5 are REAL. The URL check classifies rows by integer id in
    // one pass; a row it cannot name so must still have its URL checked (javascript: is refused).
    const path = join(dir, 'History-odd-ids');
    const db = new Database(path);
    db.exec('CREATE TABLE urls (id, url, title); CREATE TABLE visits (id INTEGER PRIMARY KEY, url, visit_time INTEGER, transition INTEGER)');
    const insertUrl = db.prepare('INSERT INTO urls (id, url, title) VALUES (?, ?, ?)');
    const insertVisit = db.prepare('INSERT INTO visits (url, visit_time, transition) VALUES (?, ?, 0)');
    const rows: [number, string][] = [[1, 'https://a.example/x'], [2.5, 'javascript:alert(1)'], [3, 'file:///etc/passwd'], [4.5, 'https://b.example/'], [6, 'chrome://settings'], [7, 'http://bad host/']];
    const base = CHROME_EPOCH_OFFSET_MICROS + 1_700_000_000_000_000n;
    db.transaction(() => {
      for (const [id, url] of rows) insertUrl.run(id, url, `title ${id}`);
      for (let i = 0; i < 60; i++) insertVisit.run(rows[i % rows.length]![0], base + BigInt(i) * 1000n);
    })();
    db.close();
    const reader = openHistoryFile(path, { source: 'chromium', dataDir: join(dir, 'data') });
    try {
      const expected = viaBatches(reader);
      expect(expected).toContain('https://b.example/');
      expect(expected).not.toContain('javascript:');
      expect(viaNdjson(reader)).toBe(expected);
    } finally {
      reader.close();
    }
  });

  it('does the same for a Firefox places.sqlite', () => {
    const path = join(dir, 'places.sqlite');
    writeFirefoxPlaces(path);
    const db = new Database(path);
    const insertPlace = db.prepare('INSERT INTO moz_places (url, title) VALUES (?, ?)');
    const insertVisit = db.prepare('INSERT INTO moz_historyvisits (place_id, visit_date, visit_type) VALUES (?, ?, ?)');
    db.transaction(() => {
      const first = Number(insertPlace.run(URLS[0], TITLES[3]).lastInsertRowid);
      URLS.slice(1).forEach((url, i) => insertPlace.run(url, TITLES[i % TITLES.length]!));
      for (let i = 0; i < 1500; i++) insertVisit.run(first + (i % URLS.length), 1_700_000_000_000_000 + Math.floor(i / 2) * 1000 + (i % 5), i % 12);
      insertVisit.run(first, -5, 1);
      insertVisit.run(first, null, null);
    })();
    db.close();
    const reader = openHistoryFile(path, { dataDir: join(dir, 'data') });
    try {
      expect(viaNdjson(reader)).toBe(viaBatches(reader));
    } finally {
      reader.close();
    }
  });
});
