/** Hit text with its highlighted ranges: text nodes and <mark> elements only, never parsed as HTML. */
import { markedPieces } from '../../../shared/search/marks';

export function Highlighted({ text, marks }: { text: string; marks: readonly (readonly [number, number])[] }) {
  return (
    <>
      {markedPieces(text, marks).map((piece, n) => (piece.marked ? <mark key={n}>{piece.text}</mark> : piece.text))}
    </>
  );
}
