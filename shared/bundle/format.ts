/**
 * The HydraFlow bundle format (docs/bundle-format.md): a zip holding one NDJSON file per
 * component and `bundle.json`, the manifest (format name, schema version, creation time, app
 * version, and per component its row count, byte size and SHA-256). Every schema version a
 * reader understands is listed in BUNDLE_VERSIONS with its row schemas and the upgrade of its
 * rows to the next version; a reader refuses versions newer than the newest it knows.
 */
import { z } from 'zod';
import * as entities from '../schemas/entities';
import { VISIT_SOURCES } from '../schemas/statuses';

export const BUNDLE_FORMAT_NAME = 'hydraflow-bundle';
export const BUNDLE_SCHEMA_VERSION = 1;
export const MANIFEST_FILE = 'bundle.json';
export const BUNDLE_EXTENSION = '.hydraflow';

/** Components in the order they are written and imported (owners before what they own). */
export const COMPONENTS = ['threads', 'messages', 'tasks', 'taskEvents', 'memories', 'tabs', 'tabSnapshots', 'visits', 'pages'] as const;
export type ComponentName = (typeof COMPONENTS)[number];

/** Refused before anything is decompressed: the largest entry a bundle may declare. */
export const MAX_ENTRY_BYTES = 1536 * 1024 * 1024;
/** Refused before anything is decompressed: the most all entries together may declare. */
export const MAX_TOTAL_BYTES = 4 * 1024 * 1024 * 1024;
/**
 * Refused when the manifest is read: a component declaring more rows. Validation keeps 8 bytes
 * per row (its key hash), so this bounds that memory at 40 MB; a component never holds more rows
 * than it declares (counting stops at the first row past `rows`).
 */
export const MAX_COMPONENT_ROWS = 5_000_000;
/** The manifest is small; anything bigger is not ours. */
export const MAX_MANIFEST_BYTES = 1024 * 1024;
/**
 * One NDJSON line, in characters. A page's text can be long (a refreshed page is at most 5 MiB of
 * HTML), not this long; the bound keeps one line, its JSON value and its copy under ~50 MB.
 */
export const MAX_LINE_CHARS = 8 * 1024 * 1024;
/** Arrays and objects nested in one row; our rows nest 3 deep, a task event's data a little more. */
export const MAX_NESTING_DEPTH = 64;

export function componentFile(component: ComponentName): string {
  return `${component}.ndjson`;
}

export const componentSummary = z.lazy(() => z.object({
  file: z.string(),
  rows: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
}));
export type ComponentSummary = z.infer<typeof componentSummary>;

/** What a bundle was made from, for display (the rows are the truth). */
export const bundleScope = z.lazy(() => z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('all') }),
  z.object({ kind: z.literal('threads'), threadIds: z.array(z.string()) }),
  z.object({ kind: z.literal('history'), from: entities.timestamp.nullable(), to: entities.timestamp.nullable() }),
  z.object({ kind: z.literal('history-file'), source: z.enum(VISIT_SOURCES) }),
  z.object({ kind: z.literal('merge'), inputs: z.number().int().positive() }),
  z.object({ kind: z.literal('foreign'), format: z.string() }),
]));
export type BundleScope = z.infer<typeof bundleScope>;

/** Read first, with any version: decides wrong format / unsupported version before the rest. */
export const manifestHeader = z.lazy(() => z.object({ formatName: z.string(), schemaVersion: z.number().int().positive() }));

const manifestV1 = z.lazy(() => z
  .object({
    formatName: z.literal(BUNDLE_FORMAT_NAME),
    schemaVersion: z.literal(1),
    createdAt: entities.timestamp,
    appVersion: z.string().min(1).max(100),
    scope: bundleScope,
    components: z.object(Object.fromEntries(COMPONENTS.map((c) => [c, componentSummary])) as Record<ComponentName, typeof componentSummary>).strict(),
  })
  .strict());
export const bundleManifest = manifestV1;
export type BundleManifest = z.infer<typeof manifestV1>;

export type RowSchemas = Record<string, z.ZodType>;

/** One schema version: its manifest schema, row schemas, and how its rows become the next version's. */
export interface BundleVersion {
  version: number;
  manifest: z.ZodType<{ components: Record<string, ComponentSummary> }>;
  rows: RowSchemas;
  /** Rewrites one row of this version into the next version's shape; absent for the newest. */
  upgrade?: (component: string, row: unknown) => unknown;
}

export const ROW_SCHEMAS_V1 = {
  threads: entities.thread,
  messages: entities.message,
  tasks: entities.task,
  taskEvents: entities.taskEvent,
  memories: entities.memory,
  tabs: entities.tab,
  tabSnapshots: entities.tabSnapshot,
  visits: entities.visit,
  pages: entities.page,
} satisfies Record<ComponentName, z.ZodType>;

export interface BundleRows {
  threads: entities.Thread;
  messages: entities.Message;
  tasks: entities.Task;
  taskEvents: entities.TaskEvent;
  memories: entities.Memory;
  tabs: entities.Tab;
  tabSnapshots: entities.TabSnapshot;
  visits: entities.Visit;
  pages: entities.Page;
}
export type AnyRow = BundleRows[ComponentName];

/** Oldest first; the last entry is what this code writes. */
export const BUNDLE_VERSIONS: readonly BundleVersion[] = [{ version: 1, manifest: manifestV1, rows: ROW_SCHEMAS_V1 }];

/** The key that must be unique inside one component file (and that dedupes by id on import). */
export function rowId(component: string, row: unknown): string {
  const value = row as Record<string, unknown>;
  return component === 'tabs' ? String(value.tabId) : String(value.id);
}
