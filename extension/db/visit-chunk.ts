/**
 * The row of `visitChunks` (v5): up to CHUNK_VISITS visits that follow each other in time, in
 * compact arrays with per-chunk dictionaries. extension/history/chunk.ts encodes and decodes it;
 * docs/storage.md and docs/adr/0006-visit-chunks.md describe it.
 */
export interface VisitChunk {
  /** Lower bound of the visits' times (ms since epoch): the first visit's time when the chunk was cut. */
  id: number;
  /** Visits in the chunk. */
  n: number;
  /** Distinct URLs, with their URL keys (multi-entry index) and host (index into `hosts`). */
  urls: string[];
  urlKeys: string[];
  urlHost: number[];
  /** Distinct reversed hosts (multi-entry index: domain deletes find their chunks). */
  hosts: string[];
  titles: string[];
  transitions: string[];
  sources: string[];
  /** Per visit, in (visitedAt, urlKey) order: time, and indexes into the dictionaries above. */
  at: number[];
  url: number[];
  title: number[];
  transition: number[];
  source: number[];
}
