import type { BundleScope, ComponentName } from '../../shared/bundle/format';
import type { RowsAnchor } from '../../shared/bundle/read';

/** Rows read, and (a bundle's) where a resume at or past them can seek to. */
export interface SourceBatch {
  rows: unknown[];
  anchor: RowsAnchor | null;
}

/** Validated rows ready to import: a HydraFlow bundle or a mapped foreign export. */
export interface RowSource {
  format: string;
  schemaVersion: number | null;
  createdAt: number | null;
  appVersion: string | null;
  scope: BundleScope | null;
  components: ComponentName[];
  /**
   * What identifies the rows: the SHA-256 of a bundle's manifest (which validation holds every
   * component to), or of the whole file for another tool's export (read whole anyway).
   */
  identity: string;
  rows: Partial<Record<ComponentName, number>>;
  /** Rows of a foreign file that could not be mapped (a HydraFlow bundle has none: it is refused). */
  invalid: Partial<Record<ComponentName, number>>;
  /**
   * Rows from index `from`; `onReached` is awaited once the rows before it are read again (a bundle
   * is inflated from its start, or read from `anchor` on in the job's inflated copy), before the first new one.
   */
  read(component: ComponentName, from: number, onReached?: () => Promise<void>, anchor?: RowsAnchor | null): AsyncIterable<SourceBatch>;
}
