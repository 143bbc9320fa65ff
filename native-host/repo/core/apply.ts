/**
 * Hunk application (pure): old text + a parsed file change → new text. Matching is exact, with a
 * fuzz of 0 and no offset: a git hunk must match at the line its header names (counted in the
 * original file), every context and removed line byte-for-byte, including the presence or absence
 * of the final newline. A model-format hunk carries no line numbers, so it is located by content:
 * after its `@@ anchor` line when it has one, at the first exact occurrence at or after the end of
 * the previous hunk (`*** End of File` pins it to the end). Nothing is ever guessed.
 */
import { CodedError } from '../../../shared/errors';
import type { FileChange, Hunk } from './patch';

export interface TextFile {
  lines: string[];
  /** Whether the last line ends with "\n" (false for an empty file). */
  eol: boolean;
}

export function toTextFile(text: string): TextFile {
  if (text === '') return { lines: [], eol: false };
  const lines = text.split('\n');
  const eol = lines[lines.length - 1] === '';
  if (eol) lines.pop();
  return { lines, eol };
}

export function fromTextFile(file: TextFile): string {
  if (file.lines.length === 0) return '';
  return file.lines.join('\n') + (file.eol ? '\n' : '');
}

function mismatch(path: string, index: number, why: string): CodedError {
  return new CodedError('HUNK_MISMATCH', `${path}: hunk ${index + 1} does not apply: ${why}`);
}

function sides(hunk: Hunk): { oldLines: string[]; newLines: string[] } {
  const oldLines: string[] = [];
  const newLines: string[] = [];
  for (const line of hunk.lines) {
    if (line.kind !== '+') oldLines.push(line.text);
    if (line.kind !== '-') newLines.push(line.text);
  }
  return { oldLines, newLines };
}

function matchesAt(lines: string[], at: number, expected: string[]): boolean {
  if (at < 0 || at + expected.length > lines.length) return false;
  for (let k = 0; k < expected.length; k++) if (lines[at + k] !== expected[k]) return false;
  return true;
}

/** Applies every hunk of `change` to `oldText`; throws HUNK_MISMATCH naming the first failing hunk. */
export function applyHunks(path: string, oldText: string, change: Pick<FileChange, 'hunks'>): string {
  return applyGitHunksInPlace(oldText, change.hunks) ?? applyHunksByLines(path, oldText, change);
}

/**
 * The common case without splitting the file into lines: git hunks (line numbers), every line
 * they touch ending in "\n", no "No newline at end of file" marker. `layOutGitHunks` locates the
 * hunks once for both forms of a file (a string, or bytes with the hunks as byte strings) and
 * describes the new file as ranges of the old one and the hunks' added lines; only the hunks'
 * own lines are compared. Null for anything else, including a hunk that does not match: then
 * applyHunksByLines decides (and names the error). Both forms give the same result wherever they
 * answer, and the same as applyHunksByLines (a unit test compares all three).
 */
export function applyGitHunksInPlace(old: string, hunks: readonly Hunk[]): string | null {
  const layout = layOutGitHunks(
    {
      length: old.length,
      newline: (from) => old.indexOf('\n', from),
      lineAt: (at, text) => old.startsWith(text, at) && old.charCodeAt(at + text.length) === 0x0a,
    },
    hunks,
  );
  if (layout === null) return null;
  const parts: string[] = [];
  for (let k = 0; k < layout.length; k++) {
    const piece = layout[k]!;
    if (typeof piece === 'string') parts.push(piece, '\n');
    else parts.push(old.slice(piece, layout[++k] as number));
  }
  return parts.join('');
}

/**
 * `applyGitHunksInPlace` for a patch parsed with `parsePatchBytes` (hunk lines are byte strings:
 * one char per byte), on the file's bytes, without decoding it into a string: the new file as
 * pieces to write one after the other, byte for byte the same. The pieces are slices of `old`
 * (never copied) and of one small buffer holding the added lines: a 200-file, 35 MB change
 * spent ~100 ms decoding, joining and encoding strings, and then ~30 ms faulting in fresh memory
 * for a joined copy of each new file (see docs/performance.md); the pieces are written with
 * `writev` and hashed piece by piece.
 */
export function applyGitHunksToBytes(old: Buffer, hunks: readonly Hunk[]): Buffer[] | null {
  const edit = editGitHunksOnBytes(old, hunks);
  return edit === null ? null : editPieces(old, edit);
}

/**
 * Where `applyGitHunksToBytes` puts the hunks of a file, without holding the file: the new file
 * as ranges of the old one's bytes (a start and an end) and runs of added lines (one small buffer
 * for them all), with its length. A streamed apply (plan.ts) keeps only this between checking a
 * file and writing it, and makes the pieces again from the same bytes read back (`editPieces`).
 */
export interface BytesEdit {
  parts: readonly (number | Buffer)[];
  length: number;
}

export function editGitHunksOnBytes(old: Buffer, hunks: readonly Hunk[]): BytesEdit | null {
  const layout = layOutGitHunks({ length: old.length, newline: (from) => old.indexOf(0x0a, from), lineAt: (at, text) => bytesAre(old, at, text) && old[at + text.length] === 0x0a }, hunks);
  if (layout === null) return null;
  let addedLength = 0;
  for (const piece of layout) if (typeof piece === 'string') addedLength += piece.length + 1;
  const added = Buffer.allocUnsafe(addedLength);
  const parts: (number | Buffer)[] = [];
  let length = 0;
  let written = 0;
  let run = -1; // where the current run of added lines starts in `added`
  for (let k = 0; k < layout.length; k++) {
    const piece = layout[k]!;
    if (typeof piece === 'string') {
      if (run === -1) run = written;
      written += added.write(piece, written, 'latin1');
      added[written++] = 0x0a;
      continue;
    }
    if (run !== -1) parts.push(added.subarray(run, written));
    run = -1;
    const end = layout[++k] as number;
    parts.push(piece, end);
    length += end - piece;
  }
  if (run !== -1) parts.push(added.subarray(run, written));
  return { parts, length: length + written };
}

/** The new file's pieces: slices of `old` (never copied) and of the edit's added lines. */
export function editPieces(old: Buffer, edit: BytesEdit): Buffer[] {
  const pieces: Buffer[] = [];
  const { parts } = edit;
  for (let k = 0; k < parts.length; k++) {
    const part = parts[k]!;
    pieces.push(typeof part === 'number' ? old.subarray(part, parts[++k] as number) : part);
  }
  return pieces;
}

/** A file's text as layOutGitHunks reads it: a string or bytes, positions in its own units. */
interface OldText {
  readonly length: number;
  /** Where the first "\n" at or after `from` is, or -1. */
  newline(from: number): number;
  /** Whether the file holds `text` followed by "\n" at `at`. */
  lineAt(at: number, text: string): boolean;
}

/**
 * The new file, in order: a range of the old one (two numbers, start and end: the text between
 * hunks and their context lines, which are the old file's own) or an added line (a string, to be
 * followed by "\n"). Null where applyGitHunksInPlace declines (see there).
 */
function layOutGitHunks(old: OldText, hunks: readonly Hunk[]): (number | string)[] | null {
  if (old.length === 0 || hunks.length === 0) return null;
  const layout: (number | string)[] = [];
  let line = 0; // line number (0-based) that starts at `pos`
  let pos = 0;
  let keptFrom = 0; // the old file from here to `pos` is kept, not yet in `layout`
  for (const hunk of hunks) {
    if (hunk.oldStart === null || hunk.oldNoEol || hunk.newNoEol) return null;
    let oldCount = 0;
    for (const entry of hunk.lines) if (entry.kind !== '+') oldCount++;
    const at = oldCount === 0 ? hunk.oldStart : hunk.oldStart - 1;
    if (at < line) return null;
    for (; line < at; line++) {
      const end = old.newline(pos);
      if (end === -1) return null;
      pos = end + 1;
    }
    for (const entry of hunk.lines) {
      if (entry.kind !== ' ') {
        if (pos > keptFrom) layout.push(keptFrom, pos);
        if (entry.kind === '+') {
          layout.push(entry.text);
          keptFrom = pos;
          continue;
        }
      }
      if (!old.lineAt(pos, entry.text)) return null;
      pos += entry.text.length + 1;
      line++;
      if (entry.kind === '-') keptFrom = pos;
    }
  }
  if (old.length > keptFrom) layout.push(keptFrom, old.length);
  return layout;
}

/** Whether `bytes` holds the byte string `text` at `at`. */
function bytesAre(bytes: Buffer, at: number, text: string): boolean {
  if (at + text.length > bytes.length) return false;
  for (let k = 0; k < text.length; k++) if (bytes[at + k] !== text.charCodeAt(k)) return false;
  return true;
}

/** The general case: the file as an array of lines (model-format hunks, CRLF, final newlines). */
export function applyHunksByLines(path: string, oldText: string, change: Pick<FileChange, 'hunks'>): string {
  let old = toTextFile(oldText);
  // Model-format patches are written with "\n" line ends (the parser drops "\r"). On a file whose
  // every line ends in CRLF, they are matched without the "\r" and written back with it: the line
  // ending style is kept, nothing else is relaxed. Git diffs carry the "\r" and match as they are.
  const crlf = change.hunks.length > 0 && change.hunks.every((h) => h.oldStart === null) && isCrlf(old);
  if (crlf) old = { lines: old.lines.map((line, k) => (k < old.lines.length - 1 || old.eol ? line.slice(0, -1) : line)), eol: old.eol };
  const out: string[] = [];
  let eol = old.eol;
  let cursor = 0;
  change.hunks.forEach((hunk, index) => {
    const { oldLines, newLines } = sides(hunk);
    const at = locate(path, old.lines, hunk, oldLines, cursor, index);
    if (at < cursor) throw mismatch(path, index, 'it overlaps or precedes the previous hunk');
    if (!matchesAt(old.lines, at, oldLines)) throw mismatch(path, index, `the lines at ${at + 1} differ from the hunk's context`);
    const reachesEnd = at + oldLines.length === old.lines.length;
    if (hunk.oldNoEol && (!reachesEnd || old.eol)) throw mismatch(path, index, 'the hunk says the file has no final newline, but it has one (or the hunk is not at the end)');
    if (!hunk.oldNoEol && hunk.oldStart !== null && reachesEnd && oldLines.length > 0 && !old.eol) throw mismatch(path, index, 'the file has no final newline, but the hunk expects one');
    for (let k = cursor; k < at; k++) out.push(old.lines[k]!);
    for (const line of newLines) out.push(line);
    cursor = at + oldLines.length;
    if (reachesEnd) eol = hunk.oldStart === null ? old.eol || oldLines.length === 0 : !hunk.newNoEol;
  });
  for (let k = cursor; k < old.lines.length; k++) out.push(old.lines[k]!);
  if (out.length > 0 && old.lines.length === 0 && change.hunks.every((h) => h.oldStart === null)) eol = true;
  const lines = crlf ? out.map((line, k) => (k < out.length - 1 || eol ? `${line}\r` : line)) : out;
  return fromTextFile({ lines, eol });
}

/** Every line ends with "\r" (a last line without "\n" may lack it). */
function isCrlf(file: TextFile): boolean {
  if (file.lines.length === 0) return false;
  const checked = file.eol ? file.lines.length : file.lines.length - 1;
  if (checked === 0) return false;
  for (let k = 0; k < checked; k++) if (!file.lines[k]!.endsWith('\r')) return false;
  return true;
}

function locate(path: string, lines: string[], hunk: Hunk, oldLines: string[], cursor: number, index: number): number {
  if (hunk.oldStart !== null) {
    // Git numbers a pure insertion's position as the line *after which* it goes.
    return oldLines.length === 0 ? hunk.oldStart : hunk.oldStart - 1;
  }
  let from = cursor;
  if (hunk.anchor !== null) {
    const anchorAt = lines.indexOf(hunk.anchor, cursor);
    if (anchorAt === -1) throw mismatch(path, index, `its anchor "@@ ${hunk.anchor.slice(0, 60)}" is not in the file`);
    from = anchorAt + 1;
  }
  if (hunk.atEnd) return lines.length - oldLines.length;
  if (oldLines.length === 0) return hunk.anchor !== null ? from : lines.length;
  for (let at = from; at + oldLines.length <= lines.length; at++) {
    if (lines[at] === oldLines[0] && matchesAt(lines, at, oldLines)) return at;
  }
  throw mismatch(path, index, `its ${oldLines.length} context/removed lines are not in the file after line ${from}`);
}

/**
 * Lines added and removed by a file change's hunks, and the bytes of the added lines minus those
 * of the removed ones (each line with its "\n"; the size change of a git-hunk change once it
 * applies). One small loop for every caller: a hot loop inside a large function costs V8 an
 * optimizing compile of the whole function (and a second one when it deoptimizes after the loop).
 */
export function hunkFigures(hunks: readonly Hunk[]): { added: number; removed: number; byteDelta: number } {
  let added = 0;
  let removed = 0;
  let byteDelta = 0;
  for (const hunk of hunks) {
    for (const line of hunk.lines) {
      if (line.kind === '+') {
        added++;
        byteDelta += line.text.length + 1;
      } else if (line.kind === '-') {
        removed++;
        byteDelta -= line.text.length + 1;
      }
    }
  }
  return { added, removed, byteDelta };
}
