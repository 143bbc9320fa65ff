/**
 * Snippets: the part of a text around the query's words, with the matching words' ranges. The
 * words are found the way the index finds them (folded case and accents, the last word as a
 * prefix), and the ranges point into the original text, so the UI highlights exactly what matched.
 * The result is plain text plus offsets: the UI renders it as text nodes, never as HTML.
 */
import { fold, type QueryTerms } from './tokenize';

export interface Marked {
  text: string;
  marks: [number, number][];
}

const WORD = /[\p{L}\p{N}\p{M}]+/gu;

function matches(word: string, terms: QueryTerms): boolean {
  const folded = fold(word);
  for (const term of terms.exact) if (folded === term || (term.length === 2 && folded.includes(term) && /[^\p{Script=Latin}\p{N}]/u.test(term))) return true;
  return terms.prefix !== null && folded.startsWith(terms.prefix);
}

/** Ranges of every matching word in `text`. */
export function markWords(text: string, terms: QueryTerms, limit = 64): [number, number][] {
  const marks: [number, number][] = [];
  for (const match of text.matchAll(WORD)) {
    if (matches(match[0], terms)) marks.push([match.index, match.index + match[0].length]);
    if (marks.length >= limit) break;
  }
  return marks;
}

/**
 * About `width` characters of `text` around its first match (the start when nothing matches),
 * cut at spaces, with "…" where text was left out; whitespace runs collapse to one space.
 */
export function snippetOf(text: string, terms: QueryTerms, width = 180): Marked {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (!flat) return { text: '', marks: [] };
  const all = markWords(flat, terms, 1);
  const first = all[0]?.[0] ?? 0;
  let start = Math.max(0, first - Math.floor(width / 3));
  if (start > 0) {
    const space = flat.indexOf(' ', start);
    start = space >= 0 && space < first ? space + 1 : start;
  }
  let end = Math.min(flat.length, start + width);
  if (end < flat.length) {
    const space = flat.lastIndexOf(' ', end);
    if (space > first) end = space;
  }
  const lead = start > 0 ? '…' : '';
  const tail = end < flat.length ? '…' : '';
  const body = flat.slice(start, end);
  const marks = markWords(body, terms).map(([s, e]) => [s + lead.length, e + lead.length] as [number, number]);
  return { text: `${lead}${body}${tail}`, marks };
}
