/** Rows of the search stores (migration 3). Not part of bundles: the index is rebuilt from the rows it indexes. */
import type { SearchKind } from '../../shared/search/kinds';
import type { SegmentData } from '../../shared/search/segment';

/** One persisted index segment. `v` is the index format version: another value means rebuild. */
export interface SegmentRow {
  key: string;
  v: string;
  kind: SearchKind;
  data: SegmentData;
}

/** Document keys touched by one write; `keys: null` means every document of the kind (a cleared store). */
export interface JournalRow {
  seq?: number;
  kind: SearchKind;
  keys: string[] | null;
}

/** One embedding: int8 values scaled by `scale`, of the text whose hash is `textHash`. */
export interface VectorRow {
  /** `<kind>:<index key>` */
  key: string;
  kind: 'page' | 'message';
  model: string;
  dims: number;
  scale: number;
  q: Int8Array;
  textHash: string;
  /**
   * What the text was read from, when that is cheaper to check than the text: for a page, a key
   * of its version ids, so an embed pass skips an unchanged page without reading its text.
   */
  source?: string;
  /** When it was embedded. */
  at: number;
}
