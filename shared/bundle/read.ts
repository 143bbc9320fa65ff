/**
 * Reading a bundle, in two passes that never hold the bundle in memory:
 *   1. `openBundle` reads the zip directory and the manifest (format, version, components), then
 *      `validateBundle` streams every component once: SHA-256, row count, every row through its
 *      version's zod schema (and the upgrades to the current version), duplicate ids. Any failure
 *      refuses the whole bundle with a stable code, before anything is written.
 *   2. `readRows` streams one component's rows (current shape), in batches, from a row index, for
 *      the importer and for merge.
 */
import { CodedError } from '../errors';
import { concatBytes } from './bytes';
import { hash53 } from '../hash';
import {
  BUNDLE_FORMAT_NAME,
  BUNDLE_VERSIONS,
  MANIFEST_FILE,
  manifestHeader,
  MAX_ENTRY_BYTES,
  MAX_LINE_BYTES,
  MAX_MANIFEST_BYTES,
  rowId,
  type BundleVersion,
  type ComponentSummary,
} from './format';
import { LineSplitter } from './ndjson';
import { Sha256 } from './sha256';
import { readZipDirectory, readZipEntry, type ByteSource, type ZipEntry } from './zip-read';

export interface OpenedBundle {
  source: ByteSource;
  /** The manifest as stored (its version's shape). */
  manifest: { formatName: string; schemaVersion: number; createdAt: number; appVersion: string; scope: unknown; components: Record<string, ComponentSummary> };
  version: number;
  /** Components of the bundle's version, in write order. */
  components: string[];
  entries: Map<string, ZipEntry>;
  versions: readonly BundleVersion[];
}

export interface OpenOptions {
  /** The versions this reader knows, oldest first (tests add made-up versions). */
  versions?: readonly BundleVersion[];
  maxEntryBytes?: number;
}

async function readAll(source: ByteSource, entry: ZipEntry): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of readZipEntry(source, entry)) parts.push(chunk);
  return concatBytes(parts);
}

export async function openBundle(source: ByteSource, options: OpenOptions = {}): Promise<OpenedBundle> {
  const versions = options.versions ?? BUNDLE_VERSIONS;
  const list = await readZipDirectory(source, options.maxEntryBytes ?? MAX_ENTRY_BYTES);
  const entries = new Map(list.map((e) => [e.name, e]));
  const manifestEntry = entries.get(MANIFEST_FILE);
  if (!manifestEntry) throw new CodedError('BUNDLE_MANIFEST_MISSING', `The zip holds no ${MANIFEST_FILE}`);
  if (manifestEntry.size > MAX_MANIFEST_BYTES) throw new CodedError('BUNDLE_TOO_LARGE', `${MANIFEST_FILE} declares ${manifestEntry.size} bytes`);
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(await readAll(source, manifestEntry)));
  } catch (error) {
    if (error instanceof CodedError) throw error;
    throw new CodedError('BUNDLE_MANIFEST_INVALID', `${MANIFEST_FILE} is not valid JSON`);
  }
  const header = manifestHeader.safeParse(raw);
  if (!header.success) throw new CodedError('BUNDLE_MANIFEST_INVALID', `${MANIFEST_FILE} has no formatName/schemaVersion`);
  if (header.data.formatName !== BUNDLE_FORMAT_NAME) throw new CodedError('BUNDLE_WRONG_FORMAT', `Format "${header.data.formatName}" is not "${BUNDLE_FORMAT_NAME}"`);
  const newest = versions[versions.length - 1]!.version;
  const spec = versions.find((v) => v.version === header.data.schemaVersion);
  if (!spec) {
    throw new CodedError(
      'BUNDLE_VERSION_UNSUPPORTED',
      header.data.schemaVersion > newest
        ? `This bundle is schema version ${header.data.schemaVersion}; this HydraFlow reads versions up to ${newest}. Update HydraFlow to import it.`
        : `Schema version ${header.data.schemaVersion} is not a known bundle version`,
    );
  }
  const parsed = spec.manifest.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CodedError('BUNDLE_MANIFEST_INVALID', `${MANIFEST_FILE}: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid'}`);
  }
  const manifest = parsed.data as OpenedBundle['manifest'];
  const components = Object.keys(spec.rows);
  const expected = new Set([MANIFEST_FILE]);
  for (const component of components) {
    const summary = manifest.components[component]!;
    if (summary.file !== `${component}.ndjson`) throw new CodedError('BUNDLE_MANIFEST_INVALID', `Component ${component} names file "${summary.file}"`);
    expected.add(summary.file);
    const entry = entries.get(summary.file);
    if (!entry) throw new CodedError('BUNDLE_COMPONENT_MISSING', `Component ${component} (${summary.file}) is missing from the bundle`);
    if (entry.size !== summary.bytes) throw new CodedError('BUNDLE_HASH_MISMATCH', `${summary.file} holds ${entry.size} bytes; the manifest says ${summary.bytes}`);
  }
  for (const name of entries.keys()) if (!expected.has(name)) throw new CodedError('BUNDLE_UNSAFE_ENTRY', `Unexpected entry "${name}" in the bundle`);
  return { source, manifest, version: spec.version, components, entries, versions };
}

/** One row: parsed with its version's schema, then upgraded step by step to the newest shape. */
function rowParser(bundle: OpenedBundle, component: string): (value: unknown) => { ok: true; row: unknown } | { ok: false; message: string } {
  const chain = bundle.versions.filter((v) => v.version >= bundle.version);
  return (value) => {
    let row = value;
    for (let i = 0; i < chain.length; i++) {
      const step = chain[i]!;
      const schema = step.rows[component];
      if (!schema) return { ok: false, message: `no schema for ${component} in version ${step.version}` };
      const checked = schema.safeParse(row);
      if (!checked.success) {
        const issue = checked.error.issues[0];
        return { ok: false, message: issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid' };
      }
      row = i < chain.length - 1 && step.upgrade ? step.upgrade(component, checked.data) : checked.data;
    }
    return { ok: true, row };
  };
}

export interface ValidationReport {
  /** Rows per component (as declared and checked). */
  rows: Record<string, number>;
}

export interface ProgressSink {
  (done: number, total: number): void;
}

/** Pass 1: every byte hashed, every row checked. Throws a CodedError with the first problem. */
export async function validateBundle(bundle: OpenedBundle, options: { signal?: AbortSignal; onProgress?: ProgressSink } = {}): Promise<ValidationReport> {
  const rows: Record<string, number> = {};
  const total = bundle.components.reduce((n, c) => n + bundle.manifest.components[c]!.rows, 0);
  let done = 0;
  for (const component of bundle.components) {
    const summary = bundle.manifest.components[component]!;
    const entry = bundle.entries.get(summary.file)!;
    const parse = rowParser(bundle, component);
    const hash = new Sha256();
    const splitter = new LineSplitter(summary.file, MAX_LINE_BYTES);
    const seen = new Set<number>();
    const suspects = new Set<number>();
    let count = 0;
    let firstProblem: CodedError | null = null;
    const check = (line: string) => {
      count += 1;
      if (firstProblem) return;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        firstProblem = new CodedError('BUNDLE_ROW_INVALID', `${summary.file} line ${count}: not JSON`);
        return;
      }
      const result = parse(value);
      if (!result.ok) {
        firstProblem = new CodedError('BUNDLE_ROW_INVALID', `${summary.file} line ${count}: ${result.message}`);
        return;
      }
      const key = hash53(rowId(component, result.row));
      if (seen.has(key)) suspects.add(key);
      else seen.add(key);
    };
    for await (const chunk of readZipEntry(bundle.source, entry)) {
      if (options.signal?.aborted) throw new CodedError('CANCELLED', 'Validation cancelled');
      hash.update(chunk);
      for (const line of splitter.push(chunk)) check(line);
      if (options.onProgress && count - done > 0) options.onProgress(done + count, total);
    }
    for (const line of splitter.end()) check(line);
    const digest = hash.hex();
    if (digest !== summary.sha256) throw new CodedError('BUNDLE_HASH_MISMATCH', `${summary.file} has SHA-256 ${digest}; the manifest says ${summary.sha256}`);
    if (firstProblem) throw firstProblem;
    if (count !== summary.rows) throw new CodedError('BUNDLE_COUNT_MISMATCH', `${summary.file} holds ${count} rows; the manifest says ${summary.rows}`);
    // A 53-bit hash can collide; only ids whose hash was seen twice are compared exactly.
    if (suspects.size) await confirmDuplicates(bundle, component, suspects);
    rows[component] = count;
    done += count;
    options.onProgress?.(done, total);
  }
  return { rows };
}

async function confirmDuplicates(bundle: OpenedBundle, component: string, suspects: Set<number>): Promise<void> {
  const ids = new Set<string>();
  for await (const batch of readRows(bundle, component)) {
    for (const row of batch.rows) {
      const id = rowId(component, row);
      if (!suspects.has(hash53(id))) continue;
      if (ids.has(id)) throw new CodedError('BUNDLE_DUPLICATE_ID', `${component}: id "${id}" appears twice`);
      ids.add(id);
    }
  }
}

export interface RowBatch {
  /** Index (0-based) of the first row of this batch in its component. */
  first: number;
  rows: unknown[];
  /** The rows' NDJSON lines as stored (merge copies them byte for byte). */
  lines: string[];
}

/**
 * Pass 2: the rows of one component in the newest shape, from row index `from`, in batches of
 * about `batchRows` rows or `batchChars` characters. Only call on a validated bundle.
 */
export async function* readRows(bundle: OpenedBundle, component: string, options: { from?: number; batchRows?: number; batchChars?: number } = {}): AsyncGenerator<RowBatch> {
  const summary = bundle.manifest.components[component];
  if (!summary) return;
  const entry = bundle.entries.get(summary.file)!;
  const parse = rowParser(bundle, component);
  const splitter = new LineSplitter(summary.file, MAX_LINE_BYTES);
  const from = options.from ?? 0;
  const batchRows = options.batchRows ?? 5000;
  const batchChars = options.batchChars ?? 8 * 1024 * 1024;
  let index = 0;
  let batch: RowBatch = { first: from, rows: [], lines: [] };
  let chars = 0;
  const take = (line: string): boolean => {
    const at = index++;
    if (at < from) return false;
    const result = parse(JSON.parse(line));
    if (!result.ok) throw new CodedError('BUNDLE_ROW_INVALID', `${summary.file} line ${at + 1}: ${result.message}`);
    batch.rows.push(result.row);
    batch.lines.push(line);
    chars += line.length;
    return batch.rows.length >= batchRows || chars >= batchChars;
  };
  for await (const chunk of readZipEntry(bundle.source, entry)) {
    for (const line of splitter.push(chunk)) {
      if (take(line)) {
        yield batch;
        batch = { first: index, rows: [], lines: [] };
        chars = 0;
      }
    }
  }
  for (const line of splitter.end()) take(line);
  if (batch.rows.length) yield batch;
}
