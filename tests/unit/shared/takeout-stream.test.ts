import { describe, expect, it } from 'vitest';
import { TakeoutScanner } from '../../../shared/history/takeout-stream';

/** Feeds `text` in pieces of `size` characters and collects the entries and the oversized count. */
function scan(text: string, size: number, limits?: ConstructorParameters<typeof TakeoutScanner>[0]) {
  const scanner = new TakeoutScanner(limits);
  const entries: unknown[] = [];
  for (let i = 0; i < text.length; i += size) for (const entry of scanner.push(text.slice(i, i + size))) entries.push(JSON.parse(entry));
  scanner.finish();
  return { entries, oversized: scanner.oversized };
}

const tricky = {
  before: { 'Browser History': 'not this one', list: [1, [2, { '}': ']' }]] },
  'Browser History': [
    { url: 'https://a.example/?q=[{"x":1}]', title: 'quote \\" and brace } and bracket ]', time_usec: 1 },
    { url: 'https://b.example/', nested: { deep: [[[]]] }, time_usec: 2 },
    'a bare string, with a comma',
    42,
    null,
    { url: 'https://c.example/', title: 'ünïcødé 日本 \u2028', time_usec: 3 },
  ],
  after: [{ 'Browser History': [] }],
};

describe('Takeout scanner', () => {
  it('hands on exactly the list entries, whatever the piece boundaries', () => {
    const text = `\uFEFF${JSON.stringify(tricky, null, 2)}`.slice(1);
    for (const size of [1, 2, 3, 7, 64, 1_000_000]) expect(scan(text, size).entries, `pieces of ${size}`).toEqual(tricky['Browser History']);
  });

  it('skips an entry over the size or depth limit without buffering it, and counts it', () => {
    const long = { url: 'https://long.example/', title: 'x'.repeat(5_000), time_usec: 1 };
    const deep = { url: 'https://deep.example/', v: JSON.parse(`${'['.repeat(100)}${']'.repeat(100)}`) as unknown, time_usec: 2 };
    const ok = { url: 'https://ok.example/', time_usec: 3 };
    const text = JSON.stringify({ 'Browser History': [long, deep, ok, 'y'.repeat(5_000)] });
    for (const size of [5, 333, 100_000]) {
      const result = scan(text, size, { maxEntryChars: 1_000, maxDepth: 64 });
      expect(result.entries, `pieces of ${size}`).toEqual([ok]);
      expect(result.oversized).toBe(3);
    }
  });

  it('refuses a file with no list, a cut-off file, and text that is not an object', () => {
    expect(() => scan(JSON.stringify({ other: [] }), 4)).toThrow(expect.objectContaining({ code: 'HISTORY_NOT_A_DATABASE' }));
    expect(() => scan('', 4)).toThrow(expect.objectContaining({ code: 'HISTORY_NOT_A_DATABASE' }));
    expect(() => scan('[{"Browser History": []}]', 4)).toThrow(expect.objectContaining({ code: 'HISTORY_NOT_A_DATABASE' }));
    expect(() => scan('{"Browser History": [{"url": "https://a.example/", "time_usec": 1}', 4)).toThrow(expect.objectContaining({ code: 'HISTORY_FILE_CORRUPT' }));
    expect(() => scan('{"Browser History": []}}', 4)).toThrow(expect.objectContaining({ code: 'HISTORY_FILE_CORRUPT' }));
  });

  it('reads a 100 MB file in 64 KiB pieces with a bounded heap (one piece and one entry at a time)', () => {
    const entry = JSON.stringify({ page_transition: 'LINK', title: 'A page title of moderate length', url: 'https://example.com/some/path?with=query', time_usec: 1_700_000_000_000_000, client_id: 'abc' });
    const perPiece = Math.floor((64 * 1024) / (entry.length + 1));
    const piece = `${entry},`.repeat(perPiece);
    const pieces = Math.ceil((100 * 1024 * 1024) / piece.length);
    const scanner = new TakeoutScanner();
    globalThis.gc?.();
    const before = process.memoryUsage().heapUsed;
    let peak = before;
    let count = 0;
    count += scanner.push('{"Browser History": [').length;
    for (let i = 0; i < pieces; i++) {
      // Each piece is a new string, as a TextDecoderStream hands them on.
      count += scanner.push(piece.slice(0)).length;
      if (i % 64 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
    }
    count += scanner.push(`${entry}]}`).length;
    scanner.finish();
    expect(count).toBe(pieces * perPiece + 1);
    // The entries handed on are dropped here; what stays is the scanner's state: a few MB of garbage at most.
    expect((peak - before) / 1024 / 1024).toBeLessThan(64);
  });
});
