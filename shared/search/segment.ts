/** Placeholder: the compact segment lands with the engine (same commit series). */
export interface SegmentData {
  terms: string;
}
