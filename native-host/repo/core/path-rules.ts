/**
 * The syntactic path rules of a patch (pure). A patch path is relative, made of plain names:
 * no NUL or control characters, not absolute (POSIX, UNC or drive letter), no `..`, and no
 * component that is, or that Windows/macOS would treat as, `.git` (any case, trailing dots or
 * spaces, the 8.3 short name GIT~1, code points HFS+ ignores such as U+200C), no `:` in a
 * component (an NTFS stream: `.git::$INDEX_ALLOCATION` is `.git` on Windows). Two paths of one
 * patch may not differ only by case or by Unicode normalization (NFC/NFD). File-system rules (symlinks, realpath, case collisions with
 * existing files) are in repo/paths.ts.
 */
import { CodedError } from '../../../shared/errors';

/** Returns the path's components; throws the rule's code when a rule is broken. */
export function pathComponents(path: string): string[] {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(path)) throw new CodedError('PATH_CONTROL_CHARS', `Path ${JSON.stringify(path)} contains NUL or control characters`);
  if (path === '') throw new CodedError('PATCH_INVALID', 'A file path is empty');
  if (path.startsWith('/') || path.startsWith('\\') || /^[A-Za-z]:/.test(path) || path.startsWith('~')) {
    throw new CodedError('PATH_ABSOLUTE', `Path ${JSON.stringify(path)} is absolute`);
  }
  // Backslashes are separators on Windows; treat them as separators everywhere so that a name
  // like "..\\x" cannot mean one thing here and another thing on a Windows checkout.
  const components = path.split(/[/\\]/).filter((part) => part !== '' && part !== '.');
  if (components.length === 0) throw new CodedError('PATCH_INVALID', `Path ${JSON.stringify(path)} names no file`);
  for (const part of components) {
    if (part === '..') throw new CodedError('PATH_TRAVERSAL', `Path ${JSON.stringify(path)} contains ".."`);
    if (part.includes(':')) throw new CodedError('PATH_RESERVED_NAME', `Path ${JSON.stringify(path)} has ":" in a component (a Windows stream or drive)`);
    const lower = part.replace(HFS_IGNORABLE, '').normalize('NFC').toLowerCase().replace(/[. ]+$/, '');
    if (lower === '.git' || lower === 'git~1') throw new CodedError('PATH_GIT_DIR', `Path ${JSON.stringify(path)} touches .git`);
  }
  return components;
}

/** Code points HFS+ ignores in names (git's is_hfs_dotgit list): `.g\u200cit` is `.git` on macOS. */
const HFS_IGNORABLE = /[\u200c-\u200f\u202a-\u202e\u206a-\u206f\ufeff]/g;

/** The key under which macOS/Windows see two names as one: NFC, then lower case. */
export function foldKey(name: string): string {
  return name.normalize('NFC').toLowerCase();
}

/** The error for two names that one file system would see as one file. */
export function twinError(path: string, other: string): CodedError {
  if (path.normalize('NFC') === other.normalize('NFC')) {
    return new CodedError('PATH_NORMALIZATION_COLLISION', `${JSON.stringify(path)} and ${JSON.stringify(other)} differ only by Unicode normalization (NFC/NFD)`);
  }
  return new CodedError('PATH_CASE_COLLISION', `${JSON.stringify(path)} differs only by case from ${JSON.stringify(other)}`);
}

/** Refuses two paths of one patch that differ only by case or normalization (one would overwrite the other on macOS/Windows). */
export function assertNoCaseTwins(paths: string[]): void {
  const seen = new Map<string, string>();
  for (const path of paths) {
    const key = foldKey(path);
    const other = seen.get(key);
    if (other !== undefined && other !== path) throw twinError(path, other);
    if (other === path) throw new CodedError('PATCH_DUPLICATE_PATH', `The patch touches ${JSON.stringify(path)} twice`);
    seen.set(key, path);
  }
}
