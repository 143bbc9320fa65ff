/**
 * Bundle files on disk: a random-access byte source over a file descriptor (for the shared
 * codec), and new files (0600) written to a temporary name and linked into place only when
 * complete (never over an existing file). The protocol reaches files only by folder id and plain
 * name (core/folders.ts); paths are for the CLI, whose user names them in their own shell.
 * Temporary files of writers that never finished are deleted when the host exits, and swept from
 * the bundle folder after a day (a killed host).
 */
import { randomBytes } from 'node:crypto';
import { closeSync, constants, existsSync, fstatSync, fsyncSync, linkSync, lstatSync, openSync, readdirSync, readSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { BUNDLE_EXTENSION } from '../../shared/bundle/format';
import type { BundleSink } from '../../shared/bundle/write';
import type { ByteSource } from '../../shared/bundle/zip-read';
import { CodedError } from '../../shared/errors';
import type { BundleFileInfo } from '../../shared/protocol/bundle';
import { checkFileName, openRegularFile, type AllowedFolder } from '../core/folders';
import { PRIVATE_FILE_MODE } from '../core/private-files';

/** What a file in a folder looks like to the extension (its path only for display). */
export function fileInfo(path: string, folderId: string | null = null): BundleFileInfo {
  let stats;
  try {
    stats = statSync(path);
  } catch {
    throw new CodedError('BUNDLE_FILE_NOT_FOUND', `${path} does not exist or cannot be read`);
  }
  if (!stats.isFile()) throw new CodedError('FILE_NOT_REGULAR', `${path} is not a regular file`);
  return { folderId, path, name: basename(path), size: stats.size, modifiedAt: Math.floor(stats.mtimeMs) };
}

export interface FileSource extends ByteSource {
  fd: number;
  close(): void;
}

/** A file named on the command line (the user's own shell: a path is fine here). */
export function openFileSource(path: string): FileSource {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    throw new CodedError('BUNDLE_FILE_NOT_FOUND', `${path} does not exist or cannot be read`);
  }
  const stats = fstatSync(fd);
  if (!stats.isFile()) {
    closeSync(fd);
    throw new CodedError('FILE_NOT_REGULAR', `${path} is not a regular file`);
  }
  const size = stats.size;
  return {
    fd,
    size,
    read: async (offset, length) => readAt(fd, offset, length),
    close: () => closeSync(fd),
  };
}

export function readAt(fd: number, offset: number, length: number): Uint8Array {
  const buffer = Buffer.allocUnsafe(length);
  let filled = 0;
  while (filled < length) {
    const n = readSync(fd, buffer, filled, length - filled, offset + filled);
    if (n === 0) break;
    filled += n;
  }
  return buffer.subarray(0, filled);
}

/** A slice of a regular file of an allowed folder, by name (never through a symlink, never a FIFO). */
export function readFileSlice(folder: AllowedFolder, name: string, offset: number, length: number): Uint8Array {
  const file = openRegularFile(folder.path, name);
  try {
    return readAt(file.fd, offset, Math.max(0, Math.min(length, file.size - offset)));
  } finally {
    file.close();
  }
}

/** Size and time of a regular file of an allowed folder, by name. */
export function statInFolder(folder: AllowedFolder, name: string): BundleFileInfo {
  const file = openRegularFile(folder.path, name);
  file.close();
  return { folderId: folder.id, path: file.path, name, size: file.size, modifiedAt: Math.floor(file.mtimeMs) };
}

/** Temporary files of unfinished writers in this process, deleted at exit. */
const unfinished = new Set<string>();
process.on('exit', () => {
  for (const path of unfinished) {
    try {
      unlinkSync(path);
    } catch {
      // already gone
    }
  }
});

const SWEEP_AGE_MS = 24 * 3600 * 1000;

function sweep(folder: string): void {
  try {
    for (const name of readdirSync(folder)) {
      if (!/\.partial-[0-9a-f]+$/.test(name)) continue;
      const path = join(folder, name);
      if (Date.now() - statSync(path).mtimeMs > SWEEP_AGE_MS) unlinkSync(path);
    }
  } catch {
    // best effort
  }
}

/** Where a new bundle goes: a plain name (default: a dated one) ending in `.hydraflow`, in an allowed folder. */
export function targetPath(folder: AllowedFolder, fileName: string | undefined): string {
  if (folder.isDefault) sweep(folder.path);
  const name = fileName ?? `hydraflow-${new Date().toISOString().replace(/\..*$/, '').replace(/[:T]/g, '-')}${BUNDLE_EXTENSION}`;
  return join(folder.path, checkFileName(name.endsWith(BUNDLE_EXTENSION) ? name : `${name}${BUNDLE_EXTENSION}`));
}

export interface FileSink extends BundleSink {
  readonly path: string;
  readonly written: number;
  close(): BundleFileInfo;
  abort(): void;
}

/**
 * A new file at `path` (0600): bytes go to `<path>.partial-<random>` (created exclusively, never
 * through a symlink); close links it into place, which fails on any existing name (a planted
 * symlink included), so an existing file is never written or replaced.
 */
export function createFileSink(path: string, folderId: string | null = null): FileSink {
  if (lstatOrNull(path) !== null) throw new CodedError('BUNDLE_FILE_EXISTS', `${path} already exists`);
  if (!existsSync(dirname(path))) throw new CodedError('IO_ERROR', `Folder ${dirname(path)} does not exist`);
  const temp = `${path}.partial-${randomBytes(6).toString('hex')}`;
  const fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, PRIVATE_FILE_MODE);
  unfinished.add(temp);
  let written = 0;
  let open = true;
  const finish = () => {
    if (!open) return false;
    open = false;
    closeSync(fd);
    return true;
  };
  return {
    path,
    get written() {
      return written;
    },
    write: async (chunk) => {
      let at = 0;
      while (at < chunk.length) at += writeSync(fd, chunk, at, chunk.length - at, written + at);
      written += chunk.length;
    },
    close: () => {
      fsyncSync(fd);
      finish();
      try {
        linkSync(temp, path);
      } catch (error) {
        unlinkSync(temp);
        unfinished.delete(temp);
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new CodedError('BUNDLE_FILE_EXISTS', `${path} already exists`);
        throw new CodedError('IO_ERROR', `Cannot create ${path}: ${(error as Error).message}`);
      }
      unlinkSync(temp);
      unfinished.delete(temp);
      return fileInfo(path, folderId);
    },
    abort: () => {
      finish();
      try {
        unlinkSync(temp);
      } catch {
        // already gone
      }
      unfinished.delete(temp);
    },
  };
}

/** Most files listed per allowed folder (a Downloads folder may hold thousands). */
const LIST_MAX_PER_FOLDER = 500;

/**
 * The files the extension may name: `.hydraflow` files of the bundle folder, and the visible
 * regular files of each allowed folder (no symlinks, no hidden or unfinished files), newest first.
 */
export function listBundles(folders: readonly AllowedFolder[]): { folder: string; folders: { id: string; path: string; isDefault: boolean }[]; files: BundleFileInfo[] } {
  const files: BundleFileInfo[] = [];
  for (const folder of folders) {
    let names: string[] = [];
    try {
      names = readdirSync(folder.path);
    } catch {
      continue;
    }
    const found: BundleFileInfo[] = [];
    for (const name of names) {
      if (name.startsWith('.') || /\.partial-[0-9a-f]+$/.test(name) || (folder.isDefault && !name.endsWith(BUNDLE_EXTENSION))) continue;
      const stats = lstatOrNull(join(folder.path, name));
      if (stats?.isFile()) found.push({ folderId: folder.id, path: join(folder.path, name), name, size: stats.size, modifiedAt: Math.floor(stats.mtimeMs) });
    }
    files.push(...found.sort((a, b) => b.modifiedAt - a.modifiedAt).slice(0, LIST_MAX_PER_FOLDER));
  }
  return { folder: folders[0]!.path, folders: folders.map(({ id, path, isDefault }) => ({ id, path, isDefault })), files: files.sort((a, b) => b.modifiedAt - a.modifiedAt) };
}

function lstatOrNull(path: string) {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}
