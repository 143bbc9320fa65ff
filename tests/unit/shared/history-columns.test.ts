/**
 * The `columns` encoding of history.read's items events (shared/history/columns.ts, checked by
 * historyItemsEvent in shared/protocol/history.ts): what the host builds decodes to the same
 * visits and stored rows as the object shape, and every hostile field fails the whole event.
 */
import { describe, expect, it } from 'vitest';
import { rowsOfColumns, visitsOfColumns, VisitColumnsBuilder } from '../../../shared/history/columns';
import { urlDeriver, visitMaker, type HistoryVisit } from '../../../shared/history/visit';
import { historyItemsEvent, type HistoryVisitColumns } from '../../../shared/protocol/history';

const visits: HistoryVisit[] = [
  { url: 'https://example.com/', title: 'Example', visitedAt: 1_710_072_000_000, transition: 'typed', source: 'takeout' },
  { url: 'https://example.com/', title: 'Example', visitedAt: 1_710_072_000_000, transition: 'reload', source: 'takeout' },
  { url: 'https://xn--r8jz45g.jp/%E3%83%91', title: '日本語 🦊 "quoted" \u0000', visitedAt: 1_710_072_060_001, transition: 'link', source: 'takeout' },
  // The same URL with another title (a Takeout file can have this): a pair of its own.
  { url: 'https://example.com/', title: 'Example, renamed', visitedAt: 1_710_072_120_000, transition: 'link', source: 'takeout' },
  { url: 'https://example.com/', title: 'Example', visitedAt: 1_710_072_180_000, transition: 'typed', source: 'takeout' },
];

function built(input: readonly HistoryVisit[] = visits): HistoryVisitColumns {
  const builder = new VisitColumnsBuilder('takeout');
  for (const visit of input) builder.add(visit);
  return builder.take();
}
const event = (columns: unknown) => ({ columns, invalid: 0, position: { time: '1', id: 1 } });
const parse = (columns: unknown) => historyItemsEvent.safeParse(JSON.parse(JSON.stringify(event(columns))));

describe('history.read columns', () => {
  it('decode to the visits and the stored rows the object shape gives, each URL and title pair and transition named once', () => {
    const columns = built();
    expect(columns.urls).toEqual(['https://example.com/', 'https://xn--r8jz45g.jp/%E3%83%91', 'https://example.com/']);
    expect(columns.titles).toEqual(['Example', '日本語 🦊 "quoted" \u0000', 'Example, renamed']);
    expect(columns.transitions).toEqual(['typed', 'reload', 'link']);
    expect(columns.at).toEqual([1_710_072_000_000, 0, 60_001, 59_999, 60_000]);
    const parsed = parse(columns);
    expect(parsed.success).toBe(true);
    if (!parsed.success || !('columns' in parsed.data)) throw new Error('not columns');
    expect(visitsOfColumns(parsed.data.columns)).toEqual(visits);
    expect(rowsOfColumns(parsed.data.columns, urlDeriver())).toEqual(visits.map(visitMaker()));
  });

  it('the builder bounds the JSON it makes and starts empty after each take', () => {
    const builder = new VisitColumnsBuilder('takeout');
    for (const visit of visits) builder.add(visit);
    // One source per event: a visit of another is a bug of the host, not something to send.
    expect(() => builder.add({ ...visits[0]!, source: 'chrome' })).toThrow();
    const bound = builder.bytes;
    const columns = builder.take();
    expect(JSON.stringify(columns).length).toBeLessThanOrEqual(bound);
    expect(builder.size).toBe(0);
    expect(builder.bytes).toBe(0);
    builder.add(visits[2]!);
    // The first visit of an event carries its time whole, the pairs start again.
    expect(builder.take()).toMatchObject({ urls: [visits[2]!.url], page: [0], at: [visits[2]!.visitedAt] });
  });

  it('an empty event (only invalid rows) is columns with no visits', () => {
    expect(parse(built([])).success).toBe(true);
  });

  const good = built();
  const hostile: [string, unknown][] = [
    ['columns of different lengths', { ...good, at: good.at.slice(1) }],
    ['a transition column of another length', { ...good, transition: [...good.transition, 0] }],
    ['more URLs than titles', { ...good, titles: good.titles.slice(1) }],
    ['a page index past the end', { ...good, page: [0, 1, 2, 3, 0] }],
    ['a negative page index', { ...good, page: [0, 0, -1, 2, 0] }],
    ['a fractional page index', { ...good, page: [0, 0, 1.5, 2, 0] }],
    ['a page index as text', { ...good, page: [0, 0, '1', 2, 0] }],
    ['a page index beyond 2^53', { ...good, page: [0, 0, 2 ** 60, 2, 0] }],
    ['a transition index past the end', { ...good, transition: [0, 1, 2, 3, 0] }],
    ['an unknown transition name', { ...good, transitions: ['typed', 'reload', 'teleport'] }],
    ['an unknown source', { ...good, source: 'netscape' }],
    ['a URL longer than a visit may have', { ...good, urls: [good.urls[0], 'https://e.example/' + 'a'.repeat(2_097_152), good.urls[2]] }],
    ['a title that is not text', { ...good, titles: ['Example', 7, 'x'] }],
    ['a first time before 1970', { ...good, at: [-1, 0, 1, 1, 1] }],
    ['differences that go before 1970', { ...good, at: [5, 0, -6, 1, 1] }],
    ['differences that pass the last time a Date holds', { ...good, at: [8_640_000_000_000_000, 0, 1, 0, 0] }],
    ['a time that is not an integer', { ...good, at: [1_710_072_000_000.5, 0, 1, 1, 1] }],
    ['a time as null', { ...good, at: [null, 0, 1, 1, 1] }],
    ['a column that is not an array', { ...good, at: '1,2,3' }],
    ['a missing column', { ...good, page: undefined }],
  ];
  it.each(hostile)('fails the whole event on %s', (_name, columns) => {
    expect(parse(columns).success).toBe(false);
  });
});
