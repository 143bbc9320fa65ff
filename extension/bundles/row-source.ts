import type { BundleScope, ComponentName } from '../../shared/bundle/format';

/** Validated rows ready to import: a HydraFlow bundle or a mapped foreign export. */
export interface RowSource {
  format: string;
  schemaVersion: number | null;
  createdAt: number | null;
  appVersion: string | null;
  scope: BundleScope | null;
  components: ComponentName[];
  rows: Partial<Record<ComponentName, number>>;
  /** Rows of a foreign file that could not be mapped (a HydraFlow bundle has none: it is refused). */
  invalid: Partial<Record<ComponentName, number>>;
  read(component: ComponentName, from: number): AsyncIterable<unknown[]>;
}
