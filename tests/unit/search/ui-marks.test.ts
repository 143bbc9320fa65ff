/**
 * Highlighted hit text: marks split the text into plain and marked pieces (clamped, merged, in
 * order), and the component renders them as text nodes and <mark> elements — hostile text stays
 * text.
 */
import { parseHTML } from 'linkedom';
import { h, render } from 'preact';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { markedPieces } from '../../../shared/search/marks';
import { Highlighted } from '../../../extension/ui/search/Highlighted';

describe('splitting text by marks', () => {
  it('alternates plain and marked pieces that add back up to the text', () => {
    const text = 'Owls nest in old barns';
    const pieces = markedPieces(text, [[0, 4], [13, 16]]);
    expect(pieces).toEqual([
      { text: 'Owls', marked: true },
      { text: ' nest in ', marked: false },
      { text: 'old', marked: true },
      { text: ' barns', marked: false },
    ]);
    expect(pieces.map((p) => p.text).join('')).toBe(text);
  });

  it('sorts, merges overlapping and touching ranges, and clamps ranges past either end', () => {
    const text = 'abcdefghij';
    expect(markedPieces(text, [[6, 20], [2, 4], [3, 5], [5, 6], [-5, 1]])).toEqual([
      { text: 'a', marked: true },
      { text: 'b', marked: false },
      { text: 'cdefghij', marked: true },
    ]);
  });

  it('ignores empty, reversed and non-integer ranges', () => {
    expect(markedPieces('abc', [[1, 1], [2, 1], [0.5, 2.5]])).toEqual([{ text: 'abc', marked: false }]);
    expect(markedPieces('', [[0, 3]])).toEqual([]);
  });
});

describe('rendering highlighted text', () => {
  const saved = { document: globalThis.document };
  let document: Document;
  beforeAll(() => {
    ({ document } = parseHTML('<!doctype html><html><body><div id="root"></div></body></html>') as unknown as { document: Document });
    globalThis.document = document;
  });
  afterAll(() => {
    globalThis.document = saved.document;
  });

  it('renders marked ranges as <mark> and hostile markup as text', () => {
    const root = document.getElementById('root')!;
    const text = '<img src=x onerror=alert(1)> owls <b>bold</b>';
    render(h(Highlighted, { text, marks: [[29, 33]] }), root);
    expect(root.querySelectorAll('img, b, script')).toHaveLength(0);
    expect([...root.querySelectorAll('mark')].map((m) => m.textContent)).toEqual(['owls']);
    expect(root.textContent).toBe(text);
    const kinds = [...root.childNodes].map((n) => (n.nodeType === 3 ? 'text' : n.nodeName.toLowerCase()));
    expect(kinds).toEqual(['text', 'mark', 'text']);
  });
});
