/**
 * Everything the host keeps is private to the user: every folder it creates is 0700 and every
 * file 0600 (the launcher 0700), whatever the umask (a umask only clears bits, so creating with
 * these modes is enough; folders made by an older version are repaired by `install`). `doctor`
 * lists what is looser (`looseModes`). Nothing here follows a symbolic link.
 */
import { chmodSync, closeSync, constants, lstatSync, mkdirSync, openSync, readdirSync, renameSync, writeSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { CodedError } from '../../shared/errors';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Creates `dir` (and missing parents) 0700; an existing `dir` must be a real folder of this user, and is made 0700. */
export function ensurePrivateDir(dir: string): string {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const stats = lstatSync(dir);
  if (!stats.isDirectory()) throw new CodedError('IO_ERROR', `${dir} is not a folder (a symbolic link or a file is in the way)`);
  assertOwned(dir, stats);
  if ((stats.mode & 0o777) !== PRIVATE_DIR_MODE) chmodSync(dir, PRIVATE_DIR_MODE);
  return dir;
}

/** Refuses a file or folder owned by another user (someone planted it). */
export function assertOwned(path: string, stats: Stats): void {
  const uid = process.getuid?.();
  if (uid !== undefined && stats.uid !== uid) throw new CodedError('IO_ERROR', `${path} belongs to another user (uid ${stats.uid})`);
}

/** Writes a whole private file atomically (temp + rename): 0600, the temp created exclusively. */
export function writePrivateFile(file: string, data: string | Uint8Array, mode: number = PRIVATE_FILE_MODE): void {
  const temp = `${file}.tmp-${process.pid}`;
  const fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, mode);
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
  } finally {
    closeSync(fd);
  }
  chmodSync(temp, mode);
  renameSync(temp, file);
}

export interface LooseMode {
  path: string;
  mode: number;
  expected: number;
}

/**
 * Files and folders under `roots` with group or other permission bits (a folder should be 0700,
 * a file 0600; executables 0700). Symbolic links are reported, never followed.
 */
export function looseModes(roots: readonly string[]): LooseMode[] {
  const found: LooseMode[] = [];
  const seen = new Set<string>();
  const visit = (path: string) => {
    // One root may hold another (with $HYDRAFLOW_HOME the data folder is inside the config folder).
    if (seen.has(path)) return;
    seen.add(path);
    let stats: Stats;
    try {
      stats = lstatSync(path);
    } catch {
      return;
    }
    const mode = stats.mode & 0o777;
    if (stats.isSymbolicLink()) return;
    if (stats.isDirectory()) {
      if (mode !== PRIVATE_DIR_MODE) found.push({ path, mode, expected: PRIVATE_DIR_MODE });
      let names: string[] = [];
      try {
        names = readdirSync(path);
      } catch {
        return;
      }
      for (const name of names) visit(join(path, name));
      return;
    }
    if ((mode & 0o077) !== 0) found.push({ path, mode, expected: (mode & 0o100) !== 0 ? 0o700 : PRIVATE_FILE_MODE });
  };
  for (const root of new Set(roots)) visit(root);
  return found;
}

/** Tightens what `looseModes` found; returns what was changed. */
export function repairModes(roots: readonly string[]): LooseMode[] {
  const loose = looseModes(roots);
  for (const item of loose) chmodSync(item.path, item.expected);
  return loose;
}

export function formatMode(mode: number): string {
  return `0${mode.toString(8).padStart(3, '0')}`;
}
