/**
 * Words for the index and for queries, folded the same way on both sides: Unicode NFKD,
 * combining marks dropped (é → e, ﬁ → fi), lowercase, runs of letters and digits. Scripts written
 * without spaces (Han, Hiragana, Katakana, Hangul) become overlapping character pairs, so "東京都"
 * is found by "東京". A word longer than MAX_WORD is cut (a hash or a base64 run is not language).
 */

export const MAX_WORD = 32;

const WORD = /[\p{L}\p{N}]+/gu;
const MARKS = /\p{M}+/gu;
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const CJK_RUN = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]+|[^\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]+/gu;

/** Case and accent folding of any text (the same function the index and the snippets use). */
export function fold(text: string): string {
  return text.normalize('NFKD').replace(MARKS, '').toLowerCase();
}

function pushWord(word: string, out: string[]): void {
  if (!CJK.test(word)) {
    out.push(word.length > MAX_WORD ? word.slice(0, MAX_WORD) : word);
    return;
  }
  for (const run of word.match(CJK_RUN) ?? []) {
    if (!CJK.test(run)) {
      out.push(run.length > MAX_WORD ? run.slice(0, MAX_WORD) : run);
      continue;
    }
    const chars = Array.from(run);
    if (chars.length === 1) out.push(run);
    else for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i]! + chars[i + 1]!);
  }
}

/** Every word of `text`, in order, repeats kept (term frequencies come from them). */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  for (const match of fold(text).matchAll(WORD)) pushWord(match[0], out);
  return out;
}

export interface QueryTerms {
  /** Words that must all match exactly (a document holds every one). */
  exact: string[];
  /** The last word while it is still being typed: matches any word it starts. Null when the query ends with a space. */
  prefix: string | null;
}

/** Shortest typed word that expands as a prefix; one letter would match half the vocabulary. */
export const MIN_PREFIX = 2;

/**
 * The words of a query. Duplicates are dropped. The last word is a prefix unless the query ends
 * in whitespace or punctuation (the user finished it), or it is one letter, or a CJK pair.
 */
export function queryTerms(q: string): QueryTerms {
  const words = tokenize(q);
  if (words.length === 0) return { exact: [], prefix: null };
  const finished = /[^\p{L}\p{N}\p{M}]$/u.test(q);
  const last = words[words.length - 1]!;
  const asPrefix = !finished && last.length >= MIN_PREFIX && !CJK.test(last);
  const exact = [...new Set(asPrefix ? words.slice(0, -1) : words)];
  return { exact: exact.filter((word) => word !== last || !asPrefix), prefix: asPrefix ? last : null };
}
