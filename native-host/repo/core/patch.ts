/**
 * Patch parsing (pure): turns patch text into a list of file changes. Two formats:
 *  - git-style unified diffs (`diff --git` headers, or bare `---`/`+++` pairs): modify, create,
 *    delete and rename. Binary patches and mode-only changes are refused with their own codes;
 *    copies, symlinks and submodules are refused as invalid. Mode bits are never applied.
 *  - the `*** Begin Patch` envelope coding models emit (Add/Update/Delete File, Move to, `@@`).
 * Hunk headers are checked against their bodies (a lying header is HUNK_HEADER_MISMATCH).
 * This module never touches a file system; paths are returned raw and checked by repo/paths.ts.
 *
 * Two encodings of the same result: `parsePatch(text)` keeps every line as a JS string, and
 * `parsePatchBytes(bytes)` (what the host uses) keeps hunk lines, anchors and added content as
 * byte strings, one char per UTF-8 byte ("latin1"), so that files can be matched and written as
 * bytes without being decoded to UTF-16 and encoded back (a third of a large apply's time).
 * Paths are always decoded to real strings. Byte-for-byte equality of byte strings is the same
 * as equality of the text they encode, so matching is unchanged.
 */
import { CodedError } from '../../../shared/errors';

export type HunkLineKind = ' ' | '-' | '+';

export interface HunkLine {
  kind: HunkLineKind;
  text: string;
}

export interface Hunk {
  /** 1-based start line in the old file (git format), or null when located by content. */
  oldStart: number | null;
  /** `@@ anchor` of the model format: the hunk is searched for after the first line equal to it. */
  anchor: string | null;
  lines: HunkLine[];
  /** The old side's last line has no trailing newline (`\ No newline at end of file`). */
  oldNoEol: boolean;
  newNoEol: boolean;
  /** Model format `*** End of File`: the hunk must end at the end of the file. */
  atEnd: boolean;
}

export type FileOp = 'create' | 'modify' | 'delete';

export interface FileChange {
  op: FileOp;
  /** The path the change reads from (and writes to unless `movePath`). */
  path: string;
  /** Rename target (modify only). */
  movePath: string | null;
  hunks: Hunk[];
  /** create: whole content given by the patch (model format Add File). */
  content: string | null;
}

export interface ParsedPatch {
  format: 'git' | 'model';
  /** How hunk line texts, anchors and `content` are held: JS strings, or byte strings (latin1). */
  encoding: 'text' | 'bytes';
  files: FileChange[];
}

/** Turns a line of the patch into a real string (paths, messages); identity for text patches. */
type Decode = (line: string) => string;
const asText: Decode = (line) => line;
const fromBytes: Decode = (line) => (/[\x80-\xff]/.test(line) ? Buffer.from(line, 'latin1').toString('utf8') : line);

export function parsePatch(text: string): ParsedPatch {
  return parse(text.replace(/^\uFEFF/, ''), asText, 'text');
}

/** The same parse over the patch's UTF-8 bytes; line texts stay byte strings (see above). */
export function parsePatchBytes(bytes: Buffer): ParsedPatch {
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  return parse(bytes.toString('latin1', start), fromBytes, 'bytes');
}

function parse(normalized: string, decode: Decode, encoding: ParsedPatch['encoding']): ParsedPatch {
  if (normalized.trimStart().startsWith('*** Begin Patch')) {
    return { format: 'model', encoding, files: parseModelPatch(normalized, decode) };
  }
  return { format: 'git', encoding, files: parseGitPatch(normalized, decode) };
}

function invalid(message: string, line?: number): CodedError {
  return new CodedError('PATCH_INVALID', line === undefined ? message : `${message} (patch line ${line + 1})`);
}

/** Splits on \n only: a \r stays part of its line, so CRLF files match byte-for-byte. */
function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

// ---------------------------------------------------------------- git unified diff

const HUNK_HEADER = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

/** Decodes a git C-quoted path ("a/t\303\251st\tx"); unquoted paths lose a GNU diff timestamp. */
export function decodeGitPath(raw: string): string {
  const trimmed = raw.replace(/\r$/, '');
  if (!trimmed.startsWith('"')) {
    const tab = trimmed.indexOf('\t');
    return tab === -1 ? trimmed.replace(/\s+$/, '') : trimmed.slice(0, tab);
  }
  const bytes: number[] = [];
  let i = 1;
  for (; i < trimmed.length && trimmed[i] !== '"'; i++) {
    const ch = trimmed[i]!;
    if (ch !== '\\') {
      bytes.push(...new TextEncoder().encode(ch));
      continue;
    }
    const next = trimmed[++i] ?? '';
    const simple: Record<string, number> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '"': 34, '\\': 92 };
    if (next in simple) bytes.push(simple[next]!);
    else if (/[0-3]/.test(next)) {
      bytes.push(parseInt(trimmed.slice(i, i + 3), 8));
      i += 2;
    } else throw invalid(`Bad escape in quoted path ${trimmed}`);
  }
  if (trimmed[i] !== '"') throw invalid(`Unterminated quoted path ${trimmed}`);
  return new TextDecoder().decode(new Uint8Array(bytes));
}

function stripPrefix(path: string): string {
  return path.startsWith('a/') || path.startsWith('b/') ? path.slice(2) : path;
}

interface GitHeader {
  oldPath: string | null;
  newPath: string | null;
  renameFrom: string | null;
  renameTo: string | null;
  newFile: boolean;
  deletedFile: boolean;
  modeChange: boolean;
  binary: boolean;
  gitLinePaths: [string, string] | null;
  special: string | null;
}

function parseGitPatch(text: string, decode: Decode): FileChange[] {
  const lines = splitLines(text);
  const files: FileChange[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (!line.startsWith('diff --git ') && !(line.startsWith('--- ') && lines[i + 1]?.startsWith('+++ '))) {
      i++; // preamble (commit message, `index` noise between files is consumed below)
      continue;
    }
    const header: GitHeader = { oldPath: null, newPath: null, renameFrom: null, renameTo: null, newFile: false, deletedFile: false, modeChange: false, binary: false, gitLinePaths: null, special: null };
    const start = i;
    if (line.startsWith('diff --git ')) {
      header.gitLinePaths = splitGitLine(decode(line).slice('diff --git '.length));
      i++;
      for (; i < lines.length; i++) {
        const h = decode(lines[i]!).replace(/\r$/, '');
        if (h.startsWith('old mode ') || h.startsWith('new mode ')) header.modeChange = true;
        else if (h.startsWith('new file mode ')) {
          header.newFile = true;
          checkMode(h.slice('new file mode '.length), header);
        } else if (h.startsWith('deleted file mode ')) {
          header.deletedFile = true;
          checkMode(h.slice('deleted file mode '.length), header);
        } else if (h.startsWith('rename from ')) header.renameFrom = decodeGitPath(h.slice('rename from '.length));
        else if (h.startsWith('rename to ')) header.renameTo = decodeGitPath(h.slice('rename to '.length));
        else if (h.startsWith('copy from ') || h.startsWith('copy to ')) header.special = 'copies are not supported';
        else if (h.startsWith('similarity index ') || h.startsWith('dissimilarity index ')) continue;
        else if (h.startsWith('index ')) {
          const mode = h.split(' ')[2];
          if (mode) checkMode(mode, header);
        } else if (h.startsWith('Binary files ') || h === 'GIT binary patch') header.binary = true;
        else break;
      }
    }
    if (i < lines.length && lines[i]!.startsWith('--- ')) {
      if (!lines[i + 1]?.startsWith('+++ ')) throw invalid('A "---" line is not followed by "+++"', i);
      header.oldPath = decodeGitPath(decode(lines[i]!).slice(4));
      header.newPath = decodeGitPath(decode(lines[i + 1]!).slice(4));
      i += 2;
    }
    if (header.binary) throw new CodedError('PATCH_BINARY', `Binary patch for ${describe(header)} refused`);
    if (header.special) throw invalid(`${header.special} (${describe(header)})`, start);
    const hunks: Hunk[] = [];
    while (i < lines.length && lines[i]!.startsWith('@@')) {
      const parsed = parseGitHunk(lines, i, decode);
      hunks.push(parsed.hunk);
      i = parsed.next;
    }
    files.push(gitFileChange(header, hunks, start));
  }
  if (files.length === 0) throw invalid('No file changes found in the patch');
  return files;
}

function describe(header: GitHeader): string {
  return header.newPath ?? header.oldPath ?? header.gitLinePaths?.[1] ?? 'a file';
}

function checkMode(mode: string, header: GitHeader): void {
  if (mode.startsWith('120')) throw new CodedError('PATH_SYMLINK', `The patch creates or changes a symbolic link (${describe(header)})`);
  if (mode.startsWith('160')) header.special = 'submodule changes are not supported';
}

/** `a/x b/x` → both paths when they can be split unambiguously (same path, or quoted). */
function splitGitLine(rest: string): [string, string] | null {
  if (rest.startsWith('"')) {
    const end = rest.indexOf('" ', 1);
    if (end === -1) return null;
    return [stripPrefix(decodeGitPath(rest.slice(0, end + 1))), stripPrefix(decodeGitPath(rest.slice(end + 2)))];
  }
  const half = (rest.length - 1) / 2;
  if (Number.isInteger(half) && rest[half] === ' ') {
    const a = stripPrefix(rest.slice(0, half));
    const b = stripPrefix(rest.slice(half + 1));
    if (a === b) return [a, b];
  }
  return null;
}

function gitFileChange(header: GitHeader, hunks: Hunk[], line: number): FileChange {
  const oldPath = header.oldPath === null || header.oldPath === '/dev/null' ? null : stripPrefix(header.oldPath);
  const newPath = header.newPath === null || header.newPath === '/dev/null' ? null : stripPrefix(header.newPath);
  const isCreate = header.newFile || (header.oldPath === '/dev/null' && newPath !== null);
  const isDelete = header.deletedFile || (header.newPath === '/dev/null' && oldPath !== null);
  if (header.renameFrom !== null || header.renameTo !== null) {
    if (header.renameFrom === null || header.renameTo === null) throw invalid('A rename needs both "rename from" and "rename to"', line);
    return { op: 'modify', path: header.renameFrom, movePath: header.renameTo, hunks, content: null };
  }
  if (hunks.length === 0) {
    if (header.modeChange) throw new CodedError('PATCH_MODE_ONLY', `Mode-only change of ${describe(header)} refused`);
    if (isCreate && (newPath ?? header.gitLinePaths?.[1])) return { op: 'create', path: (newPath ?? header.gitLinePaths?.[1])!, movePath: null, hunks, content: '' };
    if (isDelete && (oldPath ?? header.gitLinePaths?.[0])) return { op: 'delete', path: (oldPath ?? header.gitLinePaths?.[0])!, movePath: null, hunks, content: null };
    throw invalid(`No hunks for ${describe(header)}`, line);
  }
  if (isCreate) {
    if (!newPath) throw invalid('A new file has no path', line);
    if (hunks.some((h) => h.lines.some((l) => l.kind !== '+'))) throw invalid(`New file ${newPath} has context or removed lines`, line);
    return { op: 'create', path: newPath, movePath: null, hunks, content: null };
  }
  if (isDelete) {
    if (!oldPath) throw invalid('A deleted file has no path', line);
    return { op: 'delete', path: oldPath, movePath: null, hunks, content: null };
  }
  if (!oldPath || !newPath) throw invalid('A file change lacks its ---/+++ paths', line);
  if (oldPath !== newPath) throw invalid(`--- ${oldPath} and +++ ${newPath} differ without a rename header`, line);
  return { op: 'modify', path: oldPath, movePath: null, hunks, content: null };
}

function parseGitHunk(lines: string[], at: number, decode: Decode): { hunk: Hunk; next: number } {
  const match = HUNK_HEADER.exec(lines[at]!);
  if (!match) throw invalid(`Malformed hunk header "${decode(lines[at]!.slice(0, 80))}"`, at);
  const oldStart = Number(match[1]);
  const oldCount = match[2] === undefined ? 1 : Number(match[2]);
  const newCount = match[4] === undefined ? 1 : Number(match[4]);
  const hunk: Hunk = { oldStart, anchor: null, lines: [], oldNoEol: false, newNoEol: false, atEnd: false };
  let oldSeen = 0;
  let newSeen = 0;
  let i = at + 1;
  for (; i < lines.length && (oldSeen < oldCount || newSeen < newCount); i++) {
    const line = lines[i]!;
    const kind = line[0];
    if (kind === '\\') {
      markNoEol(hunk);
      continue;
    }
    if (kind !== ' ' && kind !== '-' && kind !== '+') {
      // An empty line inside a hunk is an empty context line whose space was stripped by a mailer.
      if (line === '' || line === '\r') {
        hunk.lines.push({ kind: ' ', text: line });
        oldSeen++;
        newSeen++;
        continue;
      }
      break;
    }
    hunk.lines.push({ kind, text: line.slice(1) });
    if (kind !== '+') oldSeen++;
    if (kind !== '-') newSeen++;
  }
  if (i < lines.length && lines[i]!.startsWith('\\')) {
    markNoEol(hunk);
    i++;
  }
  // Lines with a diff prefix right after the counted body mean the header undercounts.
  // (Read only inside the array: a read past its end deoptimizes this hot function.)
  const trailing = i < lines.length ? lines[i] : undefined;
  // (`-- ` alone is the signature separator of git format-patch output.)
  const undercount = trailing !== undefined && /^[-+ ]/.test(trailing) && !trailing.startsWith('--- ') && !trailing.startsWith('+++ ') && trailing !== '-- ';
  if (oldSeen !== oldCount || newSeen !== newCount || undercount) {
    throw new CodedError('HUNK_HEADER_MISMATCH', `Hunk "${decode(lines[at]!.slice(0, 60))}" declares -${oldCount} +${newCount} lines but its body has -${oldSeen} +${newSeen}${undercount ? ' and more' : ''}`);
  }
  return { hunk, next: i };
}

function markNoEol(hunk: Hunk): void {
  const last = hunk.lines[hunk.lines.length - 1];
  if (!last) return;
  if (last.kind !== '+') hunk.oldNoEol = true;
  if (last.kind !== '-') hunk.newNoEol = true;
}

// ---------------------------------------------------------------- model (*** Begin Patch) format

function parseModelPatch(text: string, decode: Decode): FileChange[] {
  const lines = splitLines(text).map((l) => l.replace(/\r$/, ''));
  // Structural lines are trimmed as text (trim knows Unicode spaces; a byte string would not).
  const trimmed = (line: string) => decode(line).trim();
  let i = lines.findIndex((l) => trimmed(l) === '*** Begin Patch');
  let end = lines.length - 1;
  while (end > i && trimmed(lines[end]!) === '') end--;
  if (trimmed(lines[end]!) !== '*** End Patch') throw invalid('The patch does not end with "*** End Patch"');
  i++;
  const files: FileChange[] = [];
  while (i < end) {
    const line = lines[i]!;
    if (line.startsWith('*** Add File: ')) {
      const path = decode(line).slice('*** Add File: '.length);
      const content: string[] = [];
      i++;
      while (i < end && lines[i]!.startsWith('+')) content.push(lines[i++]!.slice(1));
      files.push({ op: 'create', path, movePath: null, hunks: [], content: content.length ? `${content.join('\n')}\n` : '' });
    } else if (line.startsWith('*** Delete File: ')) {
      files.push({ op: 'delete', path: decode(line).slice('*** Delete File: '.length), movePath: null, hunks: [], content: null });
      i++;
    } else if (line.startsWith('*** Update File: ')) {
      const path = decode(line).slice('*** Update File: '.length);
      i++;
      let movePath: string | null = null;
      if (lines[i]?.startsWith('*** Move to: ')) movePath = decode(lines[i++]!).slice('*** Move to: '.length);
      const hunks: Hunk[] = [];
      while (i < end && !/^\*\*\* (Add|Delete|Update) File: /.test(lines[i]!)) {
        const head = lines[i]!;
        let anchor: string | null = null;
        if (head === '@@' || head.startsWith('@@ ')) {
          anchor = head === '@@' ? null : head.slice(3);
          i++;
        } else if (hunks.length > 0) throw invalid(`Expected "@@" or a file header, got "${decode(head.slice(0, 60))}"`, i);
        const hunk: Hunk = { oldStart: null, anchor: anchor === '' ? null : anchor, lines: [], oldNoEol: false, newNoEol: false, atEnd: false };
        for (; i < end; i++) {
          const body = lines[i]!;
          if (body === '*** End of File') {
            hunk.atEnd = true;
            i++;
            break;
          }
          if (body.startsWith('@@') || body.startsWith('*** ')) break;
          const kind = body[0];
          if (kind === ' ' || kind === '-' || kind === '+') hunk.lines.push({ kind, text: body.slice(1) });
          else if (body === '') hunk.lines.push({ kind: ' ', text: '' });
          else throw invalid(`Hunk line must start with " ", "-" or "+": "${decode(body.slice(0, 60))}"`, i);
        }
        if (hunk.lines.length === 0) throw invalid(`Empty hunk in ${path}`, i);
        hunks.push(hunk);
      }
      if (hunks.length === 0 && movePath === null) throw invalid(`Update of ${path} has no hunks`, i);
      files.push({ op: 'modify', path, movePath, hunks, content: null });
    } else if (trimmed(line) === '') i++;
    else throw invalid(`Unexpected line "${decode(line.slice(0, 60))}"`, i);
  }
  if (files.length === 0) throw invalid('The patch has no file operations');
  return files;
}
