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
  MAX_COMPONENT_ROWS,
  MAX_LINE_CHARS,
  MAX_MANIFEST_BYTES,
  MAX_NESTING_DEPTH,
  rowId,
  type BundleVersion,
  type ComponentSummary,
} from './format';
import { LineSplitter, nestsDeeperThan } from './ndjson';
import { Sha256, sha256Hex, type Sha256State } from './sha256';
import { readZipDirectory, readZipEntry, type ByteSource, type ZipEntry } from './zip-read';

export interface OpenedBundle {
  source: ByteSource;
  /** The manifest as stored (its version's shape). */
  manifest: { formatName: string; schemaVersion: number; createdAt: number; appVersion: string; scope: unknown; components: Record<string, ComponentSummary> };
  /**
   * SHA-256 of the manifest's bytes as stored. The manifest holds every component's SHA-256 and
   * validation checks each one, so two files that validate with the same manifest hold the same rows.
   */
  manifestSha256: string;
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
  let manifestSha256 = '';
  try {
    const manifestBytes = await readAll(source, manifestEntry);
    manifestSha256 = sha256Hex(manifestBytes);
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(manifestBytes));
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
    if (summary.rows > MAX_COMPONENT_ROWS) throw new CodedError('BUNDLE_TOO_LARGE', `${summary.file} declares ${summary.rows} rows (limit ${MAX_COMPONENT_ROWS})`);
  }
  for (const name of entries.keys()) if (!expected.has(name)) throw new CodedError('BUNDLE_UNSAFE_ENTRY', `Unexpected entry "${name}" in the bundle`);
  return { source, manifest, manifestSha256, version: spec.version, components, entries, versions };
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

/** One NDJSON line as a JSON value; refuses a line nested deeper than MAX_NESTING_DEPTH first. */
function parseLine(file: string, line: string, number: number): unknown {
  if (nestsDeeperThan(line, MAX_NESTING_DEPTH)) throw new CodedError('BUNDLE_NESTING_TOO_DEEP', `${file} line ${number}: nested deeper than ${MAX_NESTING_DEPTH} levels`);
  try {
    return JSON.parse(line);
  } catch {
    throw new CodedError('BUNDLE_ROW_INVALID', `${file} line ${number}: not JSON`);
  }
}

/**
 * The 53-bit hashes of a component's row keys, 8 bytes each in one array sized by the manifest's
 * row count (a Set of a million numbers costs ~50 MB; this costs 8). Sorted at the end, equal
 * neighbours are suspects.
 */
class KeyHashes {
  private readonly keys: Float64Array;
  private length = 0;

  /** Room for the rows the manifest declares (a component never holds more). */
  constructor(rows: number) {
    this.keys = new Float64Array(rows);
  }

  add(key: number): void {
    this.keys[this.length++] = key;
  }

  /** The hashes so far (a copy). */
  saved(): Float64Array {
    return this.keys.slice(0, this.length);
  }

  /** Takes back hashes saved from the same component (never more than its rows). */
  restore(keys: Float64Array): void {
    if (keys.length > this.keys.length) throw new Error('KeyHashes: more saved keys than rows');
    this.keys.set(keys);
    this.length = keys.length;
  }

  /** Hashes seen more than once. */
  repeated(): Set<number> {
    const sorted = this.keys.subarray(0, this.length).sort();
    const out = new Set<number>();
    for (let i = 1; i < sorted.length; i++) if (sorted[i] === sorted[i - 1]) out.add(sorted[i]!);
    return out;
  }
}

export interface ValidationReport {
  /** Rows per component (as declared and checked). */
  rows: Record<string, number>;
}

export interface ProgressSink {
  (done: number, total: number): void;
}

/**
 * Where a validation stands, at the end of a line: the components done, and within the current one
 * the bytes and rows checked, the hash so far and the rows' key hashes. A validation cut off (the
 * worker stopped) goes on from it instead of from the start; only a validation that found no
 * problem so far saves one.
 */
export interface ValidationCheckpoint {
  /** The bundle it belongs to (its manifest's SHA-256): resuming another bundle from it is refused. */
  manifestSha256: string;
  /** Index in the bundle's components of the one in progress. */
  component: number;
  /** Rows of the components before it. */
  rows: Record<string, number>;
  /** Inflated bytes of the current component checked, through a line's `\n`. */
  offset: number;
  /** Lines of the current component checked. */
  count: number;
  sha: Sha256State;
  keys: Float64Array;
}

export interface ValidateOptions {
  signal?: AbortSignal;
  onProgress?: ProgressSink;
  /** A checkpoint of an earlier validation of this bundle to go on from. */
  resume?: ValidationCheckpoint | null;
  /** Saves a checkpoint about every `checkpointMs` of validating (awaited before it goes on). */
  checkpoint?: (state: ValidationCheckpoint) => Promise<void>;
  checkpointMs?: number;
  /** Awaited once a resumed validation has read again what its checkpoint covers, before it checks anything new. */
  onResumed?: () => Promise<void>;
  /**
   * Gets each component's inflated bytes in order from its start (a resumed validation passes
   * them again), then `last` at its end: an importer keeps them to seek in on a resume (`RowSeek`).
   */
  keep?: (component: string, offset: number, bytes: Uint8Array, last: boolean) => Promise<void>;
}

/** Pass 1: every byte hashed, every row checked. Throws a CodedError with the first problem. */
export async function validateBundle(bundle: OpenedBundle, options: ValidateOptions = {}): Promise<ValidationReport> {
  const resume = options.resume?.manifestSha256 === bundle.manifestSha256 && options.resume.component < bundle.components.length ? options.resume : null;
  const rows: Record<string, number> = { ...(resume?.rows ?? {}) };
  const total = bundle.components.reduce((n, c) => n + bundle.manifest.components[c]!.rows, 0);
  let done = Object.values(rows).reduce((n, c) => n + c, 0);
  // The first checkpoint comes at the first line checked: a worker stopped again soon after it
  // resumed has still moved the validation on.
  let lastCheckpoint = -Infinity;
  let every = options.checkpointMs ?? 250;
  for (let index = resume?.component ?? 0; index < bundle.components.length; index++) {
    const component = bundle.components[index]!;
    const from = resume?.component === index ? resume : null;
    const summary = bundle.manifest.components[component]!;
    const entry = bundle.entries.get(summary.file)!;
    const parse = rowParser(bundle, component);
    const hash = from ? Sha256.resume(from.sha) : new Sha256();
    const splitter = new LineSplitter(summary.file, MAX_LINE_CHARS);
    const keys = new KeyHashes(summary.rows);
    if (from) keys.restore(from.keys);
    let count = from?.count ?? 0;
    let skip = from?.offset ?? 0;
    let resumed = !from;
    let offset = skip;
    let firstProblem: CodedError | null = null;
    const check = (line: string) => {
      count += 1;
      // More lines than declared: refused at once, whatever follows (and the key hashes stay sized).
      if (count > summary.rows) throw new CodedError('BUNDLE_COUNT_MISMATCH', `${summary.file} holds more than the ${summary.rows} rows its manifest says`);
      if (firstProblem) return;
      let value: unknown;
      try {
        value = parseLine(summary.file, line, count);
      } catch (error) {
        firstProblem = error as CodedError;
        return;
      }
      const result = parse(value);
      if (!result.ok) {
        firstProblem = new CodedError('BUNDLE_ROW_INVALID', `${summary.file} line ${count}: ${result.message}`);
        return;
      }
      keys.add(hash53(rowId(component, result.row)));
    };
    const consume = (bytes: Uint8Array) => {
      hash.update(bytes);
      offset += bytes.length;
      for (const line of splitter.push(bytes)) check(line);
    };
    let inflated = 0;
    for await (const chunk of readZipEntry(bundle.source, entry)) {
      if (options.signal?.aborted) throw new CodedError('CANCELLED', 'Validation cancelled');
      if (options.keep) await options.keep(component, inflated, chunk, false);
      inflated += chunk.length;
      let piece = chunk;
      // What a resumed validation checked already: inflated again (a deflate stream has no
      // entry point), neither hashed nor parsed.
      if (skip >= piece.length) {
        skip -= piece.length;
        continue;
      }
      piece = piece.subarray(skip);
      skip = 0;
      if (!resumed) {
        resumed = true;
        await options.onResumed?.();
      }
      if (options.checkpoint && !firstProblem && Date.now() - lastCheckpoint >= every) {
        // At the end of a line: no unfinished line or character is left to save.
        const end = piece.lastIndexOf(0x0a) + 1;
        if (end > 0) {
          consume(piece.subarray(0, end));
          piece = piece.subarray(end);
          const saving = Date.now();
          if (!firstProblem) await options.checkpoint({ manifestSha256: bundle.manifestSha256, component: index, rows: { ...rows }, offset, count, sha: hash.save(), keys: keys.saved() });
          lastCheckpoint = Date.now();
          // Saving stays a small part of the work, however many key hashes a checkpoint holds.
          every = Math.max(options.checkpointMs ?? 250, 4 * (lastCheckpoint - saving));
        }
      }
      consume(piece);
      if (options.onProgress) options.onProgress(done + count, total);
    }
    if (skip > 0) throw new CodedError('BUNDLE_CORRUPT', `${summary.file} is shorter than the validation it resumes`);
    if (options.keep) await options.keep(component, inflated, new Uint8Array(0), true);
    if (!resumed) await options.onResumed?.();
    for (const line of splitter.end()) check(line);
    const digest = hash.hex();
    if (digest !== summary.sha256) throw new CodedError('BUNDLE_HASH_MISMATCH', `${summary.file} has SHA-256 ${digest}; the manifest says ${summary.sha256}`);
    if (firstProblem) throw firstProblem;
    if (count !== summary.rows) throw new CodedError('BUNDLE_COUNT_MISMATCH', `${summary.file} holds ${count} rows; the manifest says ${summary.rows}`);
    // A 53-bit hash can collide; only ids whose hash was seen twice are compared exactly.
    const suspects = keys.repeated();
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

/**
 * Where a component's rows can be read on from without inflating and hashing what comes before:
 * the inflated bytes through a line's `\n`, the lines they hold and their hash so far. A resumed
 * import seeks there in the job's inflated copy (`RowSeek`); the hash goes on from `sha` to the
 * component's end, so bytes changed after it still fail with BUNDLE_FILE_CHANGED.
 */
export interface RowsAnchor {
  offset: number;
  row: number;
  sha: Sha256State;
}

/** The inflated bytes of a component kept for a resume (null where none are kept). */
export interface RowSeek {
  anchor: RowsAnchor;
  /** Inflated bytes from `offset` on (any length > 0), or null when they are not kept. */
  read(offset: number): Promise<Uint8Array | null>;
}

export interface RowBatch {
  /** Index (0-based) of the first row of this batch in its component. */
  first: number;
  rows: unknown[];
  /** The rows' NDJSON lines as stored (merge copies them byte for byte). */
  lines: string[];
  /** With `verify`: the last anchor at or before this batch's end (a cursor past it can seek there). */
  anchor: RowsAnchor | null;
}

/** A usable anchor for reading from row `from` of a component of `size` inflated bytes. */
function usableAnchor(anchor: RowsAnchor | undefined, from: number, size: number): RowsAnchor | null {
  if (!anchor || anchor.row > from || anchor.offset > size || anchor.sha.bytes !== anchor.offset) return null;
  try {
    Sha256.resume(anchor.sha);
  } catch {
    return null;
  }
  return anchor;
}

/**
 * Pass 2: the rows of one component in the newest shape, from row index `from`, in batches of
 * about `batchRows` rows (the first `firstBatchRows`) or `batchChars` characters. Only call on a validated bundle (`verify`
 * checks again that the component is the one validated; `seek` starts at its anchor in the kept
 * inflated bytes, hashing on from the anchor's state, instead of at the entry's start).
 */
export async function* readRows(
  bundle: OpenedBundle,
  component: string,
  options: { from?: number; batchRows?: number; firstBatchRows?: number; batchChars?: number; verify?: boolean; seek?: RowSeek; onReached?: () => Promise<void> } = {},
): AsyncGenerator<RowBatch> {
  const summary = bundle.manifest.components[component];
  if (!summary) return;
  const entry = bundle.entries.get(summary.file)!;
  const parse = rowParser(bundle, component);
  const splitter = new LineSplitter(summary.file, MAX_LINE_CHARS);
  const from = options.from ?? 0;
  const batchRows = options.batchRows ?? 5000;
  const batchChars = options.batchChars ?? 8 * 1024 * 1024;
  const seek = options.verify && options.seek ? usableAnchor(options.seek.anchor, from, entry.size) : null;
  let index = seek?.row ?? 0;
  let batch: RowBatch = { first: from, rows: [], lines: [], anchor: null };
  let chars = 0;
  const take = (line: string): boolean => {
    const at = index++;
    if (at < from) return false;
    const result = parse(parseLine(summary.file, line, at + 1));
    if (!result.ok) throw new CodedError('BUNDLE_ROW_INVALID', `${summary.file} line ${at + 1}: ${result.message}`);
    batch.rows.push(result.row);
    batch.lines.push(line);
    chars += line.length;
    return batch.rows.length >= (batch.first === from ? (options.firstBatchRows ?? batchRows) : batchRows) || chars >= batchChars;
  };
  // `verify`: every byte hashed again (the skipped ones too, or from the seek's anchor on), the last
  // batch held back until the hash equals the manifest's: a file changed since it was validated
  // fails before its end is written.
  const hash = options.verify ? (seek ? Sha256.resume(seek.sha) : new Sha256()) : null;
  let offset = seek?.offset ?? 0;
  let anchor: RowsAnchor | null = hash ? { offset, row: index, sha: hash.save() } : null;
  // The inflated bytes from `offset`: kept ones while there are, then the entry inflated from its
  // start with what was read already dropped.
  const chunks = async function* (): AsyncGenerator<Uint8Array> {
    let at = offset;
    while (seek && at < entry.size) {
      const kept = await options.seek!.read(at);
      if (!kept || kept.length === 0) break;
      const piece = kept.subarray(0, entry.size - at);
      at += piece.length;
      yield piece;
    }
    if (at >= entry.size && seek) return;
    let skip = at;
    for await (const chunk of readZipEntry(bundle.source, entry)) {
      if (skip >= chunk.length) {
        skip -= chunk.length;
        continue;
      }
      yield skip > 0 ? chunk.subarray(skip) : chunk;
      skip = 0;
    }
  };
  // `onReached`: awaited once the rows before `from` are read again, before the first new one.
  let reached = from === 0;
  if (reached) await options.onReached?.();
  for await (const chunk of chunks()) {
    // Split at the chunk's last `\n`: after it the hash stands at a line's end, a new anchor.
    const end = hash ? chunk.lastIndexOf(0x0a) + 1 : 0;
    const pieces = end > 0 && end < chunk.length ? [chunk.subarray(0, end), chunk.subarray(end)] : [chunk];
    for (const piece of pieces) {
      for (const line of splitter.push(piece)) {
        if (!reached && index >= from) {
          reached = true;
          await options.onReached?.();
        }
        if (take(line)) {
          batch.anchor = anchor;
          yield batch;
          batch = { first: index, rows: [], lines: [], anchor: null };
          chars = 0;
        }
      }
      offset += piece.length;
      if (hash) {
        hash.update(piece);
        if (piece[piece.length - 1] === 0x0a) anchor = { offset, row: index, sha: hash.save() };
      }
    }
  }
  for (const line of splitter.end()) take(line);
  if (hash) {
    const digest = hash.hex();
    if (digest !== summary.sha256) throw new CodedError('BUNDLE_FILE_CHANGED', `${summary.file} changed since it was validated: SHA-256 ${digest}; the manifest says ${summary.sha256}`);
  }
  batch.anchor = anchor;
  if (batch.rows.length) yield batch;
}
