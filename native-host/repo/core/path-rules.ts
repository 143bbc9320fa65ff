/**
 * The syntactic path rules of a patch (pure). A patch path is relative, made of plain names:
 * no NUL or control characters, not absolute (POSIX, UNC or drive letter), no `..`, and no
 * component that is, or that Windows/macOS would treat as, `.git` (any case, trailing dots or
 * spaces, the 8.3 short name GIT~1). File-system rules (symlinks, realpath, case collisions with
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
    const lower = part.toLowerCase().replace(/[. ]+$/, '');
    if (lower === '.git' || lower === 'git~1') throw new CodedError('PATH_GIT_DIR', `Path ${JSON.stringify(path)} touches .git`);
  }
  return components;
}

/** Refuses two paths of one patch that differ only by case (one would overwrite the other on macOS/Windows). */
export function assertNoCaseTwins(paths: string[]): void {
  const seen = new Map<string, string>();
  for (const path of paths) {
    const key = path.toLowerCase();
    const other = seen.get(key);
    if (other !== undefined && other !== path) throw new CodedError('PATH_CASE_COLLISION', `Paths ${JSON.stringify(other)} and ${JSON.stringify(path)} differ only by case`);
    if (other === path) throw new CodedError('PATCH_DUPLICATE_PATH', `The patch touches ${JSON.stringify(path)} twice`);
    seen.set(key, path);
  }
}
