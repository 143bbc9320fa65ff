/**
 * The row of `visitTerms` (v7): the inverted index of the visit chunks, kept exact by
 * extension/visits/store.ts in the same transaction as every chunk write (extension/visits/terms.ts
 * builds and changes it; docs/storage.md and docs/adr/0006-visit-chunks.md describe it).
 */
export interface VisitTermRow {
  /** `u:<n>`: URL keys hashed into bucket n; `h:<n>`: reversed hosts bucketed by their first two labels (a host and its subdomains share one). */
  bucket: string;
  /** Lower bound of the chunk ids the row covers (-Infinity for a bucket's first row); the bucket's next row's `start` is the upper bound (exclusive). */
  start: number;
  /** Chunk ids, ascending: the chunks of this range holding a term of the bucket. */
  chunks: number[];
  /** `ends[i]`: where chunk i's terms end in `terms` (exclusive); they start at `ends[i - 1]` (0 for the first). */
  ends: number[];
  /** The bucket's terms (URL keys or reversed hosts) each chunk holds, chunk after chunk, each chunk's sorted. */
  terms: string[];
}
