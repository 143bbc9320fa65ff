/**
 * Turns a parsed patch into the exact bytes to write, validating everything first: every path
 * (paths.ts), every hunk (core/apply.ts), creates onto absent files only, changes and deletions
 * of existing text files only. Nothing here writes to the tree. A plan for an apply may be
 * streamed (`stream`): each file's old bytes are read into one reused buffer, checked, hashed and
 * staged in the change's pre-image file (transaction.ts `ChangeStage`), and only where the hunks
 * go is kept, so a 35 MB change is never held in memory; the commit reads each file's old bytes
 * back from the pre-image file to write its new content.
 */
import { closeSync, constants, openSync, readFileSync, readSync, type Stats } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { CodedError } from '../../shared/errors';
import { applyGitHunksToBytes, applyHunks, editGitHunksOnBytes, editPieces, hunkFigures } from './core/apply';
import { lineCount, sumFigures, withinBudgets, type Budgets, type ChangeFigures } from './core/budget';
import { assertNoCaseTwins } from './core/path-rules';
import type { FileChange, ParsedPatch } from './core/patch';
import { PathChecker, type SafePath } from './paths';
import { ChangeStage, contentLength, inPlaceIdentity, sha256, type FileContent, type PlannedWrite } from './transaction';

export interface DiffstatItem {
  path: string;
  movePath: string | null;
  op: 'create' | 'modify' | 'delete' | 'rename';
  linesAdded: number;
  linesRemoved: number;
  bytes: number;
}

export interface ChangePlan {
  writes: PlannedWrite[];
  diffstat: DiffstatItem[];
  figures: ChangeFigures;
  /**
   * What the plan was computed from: the root, the lstat of every path it touched (null: absent)
   * and the directories each one lacked.
   */
  basis: { root: string; stamps: Map<string, FileStamp | null>; missingDirs: Map<string, string>; readStartedAt: number };
  /** A streamed plan's staged pre-images (its writes name them): commit it, or discard it. */
  stage: ChangeStage | null;
}

/** The lstat fields that change whenever a file's content does (ctime cannot be set back by a user). */
interface FileStamp {
  dev: number;
  ino: number;
  size: number;
  mode: number;
  nlink: number;
  mtimeMs: number;
  ctimeMs: number;
}

/**
 * A file changed less than this long before it was read cannot be told apart from one changed
 * right after it was read in the same tick of the kernel's coarse file-time clock (git's "racy"
 * case): such a plan is never reused. Kernel ticks are 1-10 ms; this leaves a wide margin.
 */
const RACY_MARGIN_MS = 100;

function stampOf(stats: Stats | null): FileStamp | null {
  return stats === null ? null : { dev: stats.dev, ino: stats.ino, size: stats.size, mode: stats.mode, nlink: stats.nlink, mtimeMs: stats.mtimeMs, ctimeMs: stats.ctimeMs };
}

/** Whether every touched path has exactly the lstat the plan saw, safely older than its read. */
function unchangedSince(basis: ChangePlan['basis'], root: string, safe: Map<string, SafePath>): boolean {
  if (basis.root !== root || basis.stamps.size !== safe.size) return false;
  for (const [path, checked] of safe) {
    const then = basis.stamps.get(path);
    const now = stampOf(checked.stats);
    if (then === undefined || basis.missingDirs.get(path) !== checked.missingDirs.join('\0')) return false;
    if (then === null || now === null) {
      if (then !== now) return false;
      continue;
    }
    if (then.ctimeMs > basis.readStartedAt - RACY_MARGIN_MS || then.mtimeMs > basis.readStartedAt - RACY_MARGIN_MS) return false;
    for (const key of Object.keys(then) as (keyof FileStamp)[]) if (then[key] !== now[key]) return false;
  }
  return true;
}

/**
 * Where a plan's file contents live: slices of a few large buffers instead of one allocation per
 * file read or written (hundreds of 10 KB buffers, each external memory that V8 counts and
 * collects for, were a visible share of a 200-file apply). Owned by one plan and dropped with it.
 */
class Slab {
  private buffer = Buffer.alloc(0);
  private used = 0;

  take(length: number): Buffer {
    if (this.used + length > this.buffer.length) {
      this.buffer = Buffer.allocUnsafeSlow(Math.max(SLAB_BYTES, length));
      this.used = 0;
    }
    const slice = this.buffer.subarray(this.used, this.used + length);
    this.used += length;
    return slice;
  }

  /** Gives back the unused end of the last slice taken (`keep` bytes of it stay). */
  shrinkLast(slice: Buffer, keep: number): Buffer {
    this.used -= slice.length - keep;
    return slice.subarray(0, keep);
  }
}
const SLAB_BYTES = 1_048_576;

/**
 * How file contents become the strings hunks are matched against, and back: as decoded text, or
 * (for a patch parsed with parsePatchBytes) as byte strings, which costs a copy instead of a UTF-8
 * decode and encode. Either way the file must be valid UTF-8 text.
 */
interface Codec {
  decode(bytes: Buffer): string;
  encode(text: string, slab: Slab): Buffer;
}
const codecs: Record<ParsedPatch['encoding'], Codec> = {
  text: { decode: (bytes) => bytes.toString('utf8'), encode: (text, slab) => encodeInto(slab, text, 'utf8') },
  // A byte string's length is its length in bytes.
  bytes: { decode: (bytes) => bytes.toString('latin1'), encode: (text, slab) => encodeInto(slab, text, 'latin1') },
};

function encodeInto(slab: Slab, text: string, encoding: 'utf8' | 'latin1'): Buffer {
  const bytes = slab.take(encoding === 'latin1' ? text.length : Buffer.byteLength(text, 'utf8'));
  bytes.write(text, 0, encoding);
  return bytes;
}

/**
 * One buffer for every file a streamed plan reads, one after the other (grown to the largest):
 * fresh memory for each file's bytes costs a page fault per 4 KB (~3.5 µs each here: ~30 ms for
 * 35 MB) and garbage collection; bytes read here are gone when the next file is read.
 */
class Scratch {
  private buffer = Buffer.alloc(0);

  take(length: number): Buffer {
    if (length > this.buffer.length) this.buffer = Buffer.allocUnsafeSlow(Math.max(length, 2 * this.buffer.length, 65_536));
    return this.buffer.subarray(0, length);
  }

  shrinkLast(slice: Buffer, keep: number): Buffer {
    return slice.subarray(0, keep);
  }
}

/** Reads a whole file into `into` (its size from the lstat of the path check; a file that grew since is read again whole). */
function readWhole(absolute: string, size: number, into: Slab | Scratch): Buffer {
  const fd = openSync(absolute, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    // One byte more than expected: a read that fills it means the file grew.
    const bytes = into.take(size + 1);
    let got = 0;
    for (let n = -1; n !== 0 && got < bytes.length; got += n) n = readSync(fd, bytes, got, bytes.length - got, null);
    if (got <= size) return into.shrinkLast(bytes, got);
    into.shrinkLast(bytes, 0);
    return readFileSync(absolute);
  } finally {
    closeSync(fd);
  }
}

/** A text file's bytes (checked: UTF-8, no NUL), decoded only if asked. */
function readText(safe: SafePath, path: string, codec: Codec, into: Slab | Scratch): { bytes: Buffer; text(): string } {
  const bytes = readWhole(safe.absolute, safe.stats?.size ?? 0, into);
  if (!isUtf8(bytes) || bytes.includes(0)) throw new CodedError('PATCH_BINARY', `${path} is not a UTF-8 text file; binary files are not patched`);
  let text: string | null = null;
  return { bytes, text: () => (text ??= codec.decode(bytes)) };
}

/**
 * The file after the change's hunks. A byte-string patch (the host's) is applied to the bytes
 * directly when `applyGitHunksToBytes` answers (git hunks; the common case): the result is pieces
 * of the old bytes and the added lines. Otherwise through text.
 */
function applied(path: string, old: { bytes: Buffer; text(): string }, change: FileChange, codec: Codec, slab: Slab): FileContent {
  if (codec === codecs.bytes) {
    const direct = applyGitHunksToBytes(old.bytes, change.hunks);
    if (direct !== null) return direct;
  }
  return codec.encode(applyHunks(path, old.text(), change), slab);
}

/**
 * Checks every path, then reads, matches and computes every file. `previous`, a plan of the same
 * parsed patch (the preview's), is returned as it is when every path still passes every rule and
 * every touched file has exactly the lstat it had then (inode, size, mode, links, mtime and ctime
 * to the nanosecond's float), and was last changed well before it was read: the same bytes would
 * be read and the same result computed (how git trusts its index).
 *
 * `stream` (an apply, not a preview): the plan is streamed into a `ChangeStage` in `stream.dir`
 * when the figures the patch itself gives (hunk lines, sizes from lstat) are within the budgets —
 * so a change over budget is refused before even a pre-image is written (it is planned in memory
 * and refused as before). The exact figures are checked by the caller; on any error here the
 * stage is discarded.
 */
export function planPatch(root: string, patch: ParsedPatch, previous: ChangePlan | null = null, stream: { dir: string; budgets: Budgets } | null = null): ChangePlan {
  const checker = new PathChecker(root);
  const touched: string[] = [];
  for (const change of patch.files) {
    touched.push(change.path);
    if (change.movePath !== null) touched.push(change.movePath);
  }
  // Every path passes every rule before a single file is read.
  const safe = new Map<string, SafePath>();
  for (const path of touched) safe.set(path, checker.check(path));
  assertNoCaseTwins(touched.map((p) => safe.get(p)!.relative));
  if (previous !== null && unchangedSince(previous.basis, root, safe)) return previous;

  const streamed = stream !== null && patch.encoding === 'bytes' && withinBudgets(leastFigures(patch, safe), stream.budgets);
  const stage = streamed ? new ChangeStage(stream.dir) : null;
  try {
    const readStartedAt = Date.now();
    const writes: PlannedWrite[] = [];
    const diffstat: DiffstatItem[] = [];
    const reading: Reading = { codec: codecs[patch.encoding], slab: new Slab(), stage, scratch: stage === null ? null : new Scratch() };
    for (const change of patch.files) {
      const source = safe.get(change.path)!;
      const from = writes.length;
      diffstat.push(planOne(change, source, change.movePath === null ? null : safe.get(change.movePath)!, writes, reading));
      if (stage !== null) for (let k = from; k < writes.length; k++) stageInMemory(writes[k]!, stage);
    }
    const stamps = new Map<string, FileStamp | null>();
    const missingDirs = new Map<string, string>();
    for (const [path, checked] of safe) {
      stamps.set(path, stampOf(checked.stats));
      missingDirs.set(path, checked.missingDirs.join('\0'));
    }
    return { writes, diffstat, figures: sumFigures(diffstat), basis: { root, stamps, missingDirs, readStartedAt }, stage };
  } catch (error) {
    stage?.discard();
    throw error;
  }
}

/**
 * What the patch alone says of its figures, never more than planning finds: files; lines of
 * hunks and whole-file contents; bytes of created contents, and of a file changed by git hunks
 * its size (lstat) plus its added and minus its removed lines (exact once its hunks match: they
 * hold whole lines). Model-format changes and deletions count what their hunks show.
 */
function leastFigures(patch: ParsedPatch, safe: Map<string, SafePath>): ChangeFigures {
  const items: { linesAdded: number; linesRemoved: number; bytes: number }[] = [];
  for (const change of patch.files) {
    const figures = hunkFigures(change.hunks);
    const exact = change.hunks.every((hunk) => hunk.oldStart !== null && !hunk.oldNoEol && !hunk.newNoEol);
    let bytes = 0;
    let linesAdded = figures.added;
    if (change.op === 'create') {
      bytes = change.content !== null ? change.content.length : Math.max(0, figures.byteDelta - 1);
      if (change.content !== null) linesAdded = lineCount(change.content);
    } else if (change.op !== 'delete' && exact) bytes = Math.max(0, (safe.get(change.path)!.stats?.size ?? 0) + figures.byteDelta);
    items.push({ linesAdded, linesRemoved: figures.removed, bytes });
  }
  return sumFigures(items);
}

/** How a plan reads files: in memory (a slab per plan), or streamed into a stage through one reused buffer. */
interface Reading {
  codec: Codec;
  slab: Slab;
  stage: ChangeStage | null;
  scratch: Scratch | null;
}

/** A streamed plan's write planned in memory (not a file changed by git hunks): hashed, then its old bytes staged. */
function stageInMemory(write: PlannedWrite, stage: ChangeStage): void {
  if (write.beforeSha256 === undefined) write.beforeSha256 = write.before === null ? null : sha256(write.before as Buffer);
  if (write.afterSha256 === undefined) write.afterSha256 = write.after === null ? null : sha256(write.after as FileContent);
  if (write.before !== null && Buffer.isBuffer(write.before)) write.before = stage.add(write.before);
}

/**
 * A file changed by git hunks in a streamed plan: read into the reused buffer, its hunks located,
 * both hashes taken, its old bytes staged; the plan keeps where the hunks go (`BytesEdit`) and
 * the commit makes the pieces again from the staged bytes. Null when the hunks do not apply this
 * way (then the file is planned in memory, which names the error or applies by lines).
 */
function streamedModify(change: FileChange, source: SafePath, path: string, reading: Reading & { stage: ChangeStage; scratch: Scratch }): { write: PlannedWrite; item: DiffstatItem } | null {
  const old = readText(source, path, reading.codec, reading.scratch);
  const edit = editGitHunksOnBytes(old.bytes, change.hunks);
  if (edit === null) return null;
  const beforeSha256 = sha256(old.bytes);
  const afterSha256 = sha256(editPieces(old.bytes, edit));
  const before = reading.stage.add(old.bytes);
  const { added, removed } = hunkFigures(change.hunks);
  const write: PlannedWrite = {
    absolute: source.absolute,
    relative: path,
    before,
    after: { length: edit.length, build: (bytes) => editPieces(bytes, edit) },
    mode: source.stats!.mode & 0o777,
    missingDirs: [],
    op: 'modify',
    linesAdded: added,
    linesRemoved: removed,
    inPlace: inPlaceIdentity(source.stats),
    beforeSha256,
    afterSha256,
  };
  return { write, item: { path, movePath: null, op: 'modify', linesAdded: added, linesRemoved: removed, bytes: edit.length } };
}

function planOne(change: FileChange, source: SafePath, target: SafePath | null, writes: PlannedWrite[], reading: Reading): DiffstatItem {
  const { codec, slab, stage, scratch } = reading;
  const path = source.relative;
  if (stage !== null && scratch !== null && change.op === 'modify' && target === null && change.hunks.length > 0 && source.stats && codec === codecs.bytes) {
    const streamed = streamedModify(change, source, path, { ...reading, stage, scratch });
    if (streamed !== null) {
      writes.push(streamed.write);
      return streamed.item;
    }
  }
  if (change.op === 'create') {
    if (source.stats) throw new CodedError('FILE_EXISTS', `${path} already exists; the patch would create it`);
    const text = change.content ?? applyHunks(path, '', change);
    const after = codec.encode(text, slab);
    const linesAdded = change.content !== null ? lineCount(text) : hunkFigures(change.hunks).added;
    writes.push({ absolute: source.absolute, relative: path, before: null, after, mode: null, missingDirs: source.missingDirs, op: 'create', linesAdded, linesRemoved: 0, inPlace: null });
    return { path, movePath: null, op: 'create', linesAdded, linesRemoved: 0, bytes: after.length };
  }
  if (!source.stats) throw new CodedError('FILE_MISSING', `${path} does not exist; the patch would ${change.op === 'delete' ? 'delete' : 'change'} it`);
  const mode = source.stats.mode & 0o777;
  const old = readText(source, path, codec, slab);
  if (change.op === 'delete') {
    // A git deletion carries the whole old content: it must match exactly, like any hunk.
    if (change.hunks.length > 0 && applyHunks(path, old.text(), change) !== '') throw new CodedError('HUNK_MISMATCH', `${path}: the deletion does not remove the whole file`);
    const linesRemoved = lineCount(old.text());
    writes.push({ absolute: source.absolute, relative: path, before: old.bytes, after: null, mode, missingDirs: [], op: 'delete', linesAdded: 0, linesRemoved, inPlace: null });
    return { path, movePath: null, op: 'delete', linesAdded: 0, linesRemoved, bytes: 0 };
  }
  // A rename without hunks keeps the bytes it read.
  const after = change.hunks.length > 0 ? applied(path, old, change, codec, slab) : old.bytes;
  const { added, removed } = hunkFigures(change.hunks);
  if (target === null) {
    writes.push({ absolute: source.absolute, relative: path, before: old.bytes, after, mode, missingDirs: [], op: 'modify', linesAdded: added, linesRemoved: removed, inPlace: inPlaceIdentity(source.stats) });
    return { path, movePath: null, op: 'modify', linesAdded: added, linesRemoved: removed, bytes: contentLength(after) };
  }
  if (target.stats) throw new CodedError('FILE_EXISTS', `${target.relative} already exists; the patch would rename ${path} onto it`);
  writes.push({ absolute: source.absolute, relative: path, before: old.bytes, after: null, mode, missingDirs: [], op: 'delete', linesAdded: 0, linesRemoved: 0, inPlace: null });
  writes.push({ absolute: target.absolute, relative: target.relative, before: null, after, mode, missingDirs: target.missingDirs, op: 'create', linesAdded: added, linesRemoved: removed, inPlace: null });
  return { path, movePath: target.relative, op: 'rename', linesAdded: added, linesRemoved: removed, bytes: contentLength(after) };
}
