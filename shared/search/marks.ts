/**
 * Splits a text into plain and highlighted pieces from [start, end) offsets (a search hit's
 * snippet or title marks). Pure: the UI turns the pieces into text nodes and <mark> elements and
 * the omnibox into <match> XML, so neither ever parses hit text as markup. Marks come from the
 * background but are still treated as untrusted: out-of-range, reversed, unsorted or overlapping
 * ranges are clamped and merged rather than trusted.
 */

export interface MarkedPiece {
  text: string;
  marked: boolean;
}

export function markedPieces(text: string, marks: readonly (readonly [number, number])[]): MarkedPiece[] {
  const ranges = marks
    .map(([start, end]) => [Math.max(0, Math.min(start, text.length)), Math.max(0, Math.min(end, text.length))] as const)
    .filter(([start, end]) => Number.isInteger(start) && Number.isInteger(end) && end > start)
    .sort((a, b) => a[0] - b[0]);
  const pieces: MarkedPiece[] = [];
  const push = (piece: string, marked: boolean) => {
    if (!piece) return;
    const last = pieces.at(-1);
    if (last && last.marked === marked) last.text += piece;
    else pieces.push({ text: piece, marked });
  };
  let at = 0;
  for (const [start, end] of ranges) {
    if (end <= at) continue;
    push(text.slice(at, Math.max(at, start)), false);
    push(text.slice(Math.max(at, start), end), true);
    at = end;
  }
  push(text.slice(at), false);
  return pieces;
}
