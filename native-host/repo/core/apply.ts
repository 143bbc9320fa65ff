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
 * they touch ending in "\n", no "No newline at end of file" marker. The text between hunks is
 * copied as whole slices; only the hunks' own lines are compared. Returns null for anything else,
 * including a hunk that does not match, and applyHunksByLines decides (and names the error): both
 * give the same result wherever this one answers (a unit test compares them).
 */
export function applyGitHunksInPlace(old: string, hunks: readonly Hunk[]): string | null {
  if (old === '' || hunks.length === 0) return null;
  const parts: string[] = [];
  let line = 0; // line number (0-based) that starts at `pos`
  let pos = 0;
  let copiedTo = 0;
  for (const hunk of hunks) {
    if (hunk.oldStart === null || hunk.oldNoEol || hunk.newNoEol) return null;
    let oldCount = 0;
    for (const entry of hunk.lines) if (entry.kind !== '+') oldCount++;
    const at = oldCount === 0 ? hunk.oldStart : hunk.oldStart - 1;
    if (at < line) return null;
    for (; line < at; line++) {
      const end = old.indexOf('\n', pos);
      if (end === -1) return null;
      pos = end + 1;
    }
    if (pos > copiedTo) parts.push(old.slice(copiedTo, pos));
    for (const entry of hunk.lines) {
      if (entry.kind === '+') {
        parts.push(entry.text, '\n');
        continue;
      }
      const text = entry.text;
      if (!old.startsWith(text, pos) || old.charCodeAt(pos + text.length) !== 0x0a) return null;
      pos += text.length + 1;
      line++;
      if (entry.kind === ' ') parts.push(text, '\n');
    }
    copiedTo = pos;
  }
  if (copiedTo < old.length) parts.push(old.slice(copiedTo));
  return parts.join('');
}

/**
 * `applyGitHunksInPlace` for a patch parsed with `parsePatchBytes` (hunk lines are byte strings:
 * one char per byte), on the file's bytes: the same answer, byte for byte, without decoding the
 * file into a string, joining the result and encoding it back (a 200-file, 35 MB change spent
 * ~100 ms there, and more in garbage collection). Newlines are found with Buffer#indexOf (memchr),
 * the hunks' own lines compared byte by byte, and the result copied together from the file's own
 * bytes and the hunks' lines. `allocate` gives the result's memory.
 */
export function applyGitHunksToBytes(old: Buffer, hunks: readonly Hunk[], allocate: (length: number) => Buffer): Buffer | null {
  if (old.length === 0 || hunks.length === 0) return null;
  // What to write, in order: a range [start, end) of `old`, or a hunk's line (then a newline).
  const pieces: (readonly [number, number] | string)[] = [];
  let length = 0;
  let line = 0; // line number (0-based) that starts at `pos`
  let pos = 0;
  let copiedTo = 0;
  for (const hunk of hunks) {
    if (hunk.oldStart === null || hunk.oldNoEol || hunk.newNoEol) return null;
    let oldCount = 0;
    for (const entry of hunk.lines) if (entry.kind !== '+') oldCount++;
    const at = oldCount === 0 ? hunk.oldStart : hunk.oldStart - 1;
    if (at < line) return null;
    for (; line < at; line++) {
      const end = old.indexOf(0x0a, pos);
      if (end === -1) return null;
      pos = end + 1;
    }
    if (pos > copiedTo) {
      pieces.push([copiedTo, pos]);
      length += pos - copiedTo;
    }
    for (const entry of hunk.lines) {
      if (entry.kind !== '+') {
        if (!bytesAre(old, pos, entry.text) || old[pos + entry.text.length] !== 0x0a) return null;
        pos += entry.text.length + 1;
        line++;
        if (entry.kind === '-') continue;
      }
      pieces.push(entry.text);
      length += entry.text.length + 1;
    }
    copiedTo = pos;
  }
  if (copiedTo < old.length) {
    pieces.push([copiedTo, old.length]);
    length += old.length - copiedTo;
  }
  const out = allocate(length);
  let o = 0;
  for (const piece of pieces) {
    if (typeof piece === 'string') {
      o += out.write(piece, o, 'latin1');
      out[o++] = 0x0a;
    } else {
      out.set(old.subarray(piece[0], piece[1]), o);
      o += piece[1] - piece[0];
    }
  }
  return out;
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

/** Lines added and removed by a file change's hunks. */
export function countHunkLines(hunks: Hunk[]): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const hunk of hunks) {
    for (const line of hunk.lines) {
      if (line.kind === '+') added++;
      else if (line.kind === '-') removed++;
    }
  }
  return { added, removed };
}
