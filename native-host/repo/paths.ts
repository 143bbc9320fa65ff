/**
 * File-system path safety for a patch. On top of the syntactic rules (core/path-rules.ts):
 *  - no component of the path may be a symbolic link (checked with lstat, component by
 *    component, from the root down), and a file may not be created where a directory is;
 *  - the deepest existing ancestor must realpath to a place inside the (realpath'd) root;
 *  - no component may differ only by case or by Unicode normalization (NFC/NFD) from an existing
 *    entry of its directory. This is
 *    checked on every system, not only case-insensitive ones: such a tree breaks every macOS and
 *    Windows checkout, so a patch that makes one is refused everywhere.
 */
import { lstatSync, readdirSync, realpathSync, type Stats } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { CodedError } from '../../shared/errors';
import { foldKey, pathComponents, twinError } from './core/path-rules';

export interface SafePath {
  /** Normalized relative path ("a/b.txt"). */
  relative: string;
  absolute: string;
  /** The file's stats when it exists (never a symlink). */
  stats: Stats | null;
  /** Directories that do not exist yet and must be created for the file, shallowest first. */
  missingDirs: string[];
}

export class PathChecker {
  private readonly listings = new Map<string, Map<string, string[]>>();
  /** lstat of directories already walked (many files of a patch share their directories). */
  private readonly dirStats = new Map<string, Stats | null>();
  private readonly realDirs = new Set<string>();

  constructor(readonly root: string) {}

  check(path: string): SafePath {
    const components = pathComponents(path);
    let current = this.root;
    const missingDirs: string[] = [];
    let stats: Stats | null = null;
    for (let k = 0; k < components.length; k++) {
      const name = components[k]!;
      const last = k === components.length - 1;
      const next = join(current, name);
      if (missingDirs.length === 0) {
        this.assertNoCaseTwin(current, name, path);
        let found: Stats | null;
        if (!last && this.dirStats.has(next)) found = this.dirStats.get(next)!;
        else {
          found = lstatOrNull(next);
          if (!last) this.dirStats.set(next, found);
        }
        if (found?.isSymbolicLink()) throw new CodedError('PATH_SYMLINK', `${JSON.stringify(path)} goes through the symbolic link ${JSON.stringify(components.slice(0, k + 1).join('/'))}`);
        if (found && !last && !found.isDirectory()) throw new CodedError('PATH_OUTSIDE_ROOT', `${JSON.stringify(components.slice(0, k + 1).join('/'))} is a file, not a directory`);
        if (found && last && !found.isFile()) throw new CodedError('PATH_OUTSIDE_ROOT', `${JSON.stringify(path)} is not a regular file`);
        if (!found && !last) missingDirs.push(next);
        if (last) stats = found;
      } else if (!last) missingDirs.push(next);
      current = next;
    }
    // Defence in depth: whatever exists of the path must really be inside the root.
    const existing = dirname(missingDirs.length > 0 ? missingDirs[0]! : current);
    if (this.realDirs.has(existing)) return { relative: components.join('/'), absolute: current, stats, missingDirs };
    const real = realpathSync(existing);
    if (real !== this.root && !real.startsWith(this.root.endsWith(sep) ? this.root : this.root + sep)) {
      throw new CodedError('PATH_OUTSIDE_ROOT', `${JSON.stringify(path)} resolves outside the repository root`);
    }
    this.realDirs.add(existing);
    return { relative: components.join('/'), absolute: current, stats, missingDirs };
  }

  private assertNoCaseTwin(dir: string, name: string, path: string): void {
    let listing = this.listings.get(dir);
    if (listing === undefined) {
      listing = new Map();
      try {
        for (const entry of readdirSync(dir)) {
          const key = foldKey(entry);
          listing.set(key, [...(listing.get(key) ?? []), entry]);
        }
      } catch {
        // An unreadable directory is caught by the lstat that follows.
      }
      this.listings.set(dir, listing);
    }
    const twins = listing.get(foldKey(name));
    if (twins && !twins.includes(name)) throw twinError(path, twins[0]!);
  }
}

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') throw new CodedError('PATH_OUTSIDE_ROOT', `${path} goes through a file`);
    throw new CodedError('IO_ERROR', `Cannot inspect ${path}: ${(error as Error).message}`);
  }
}
