/**
 * The only places the protocol may read or write files: the host's bundle folder and the folders
 * the user allowed on the host side (`hydraflow-host folders add PATH`, kept in config.json). The
 * extension names a folder by its id and a file by a plain name, never by a path.
 *
 * Must never: accept a separator, `..`, a leading dot or a control character in a name; follow a
 * symbolic link (O_NOFOLLOW); block on a FIFO (O_NONBLOCK, then fstat must say regular file);
 * create over an existing file (new files are linked into place: link() fails on any existing
 * name, dangling symlinks included); allow a folder that holds the host's own files.
 */
import { createHash } from 'node:crypto';
import { constants, fstatSync, lstatSync, openSync, closeSync, realpathSync, type Stats } from 'node:fs';
import { join, sep } from 'node:path';
import { CodedError } from '../../shared/errors';
import type { HostPaths } from './paths';
import { ensurePrivateDir } from './private-files';

export const DEFAULT_FOLDER_ID = 'bundles';
/** Longest file name (bytes of UTF-8), as on common file systems. */
export const MAX_NAME_BYTES = 255;

export interface AllowedFolder {
  id: string;
  path: string;
  /** The host's own bundle folder (created by the host, 0700). */
  isDefault: boolean;
}

export function bundleFolder(dataDir: string): string {
  return join(dataDir, 'bundles');
}

/** A stable id for an allowed folder: the same path always gets the same id. */
export function folderIdOf(path: string): string {
  return `f${createHash('sha256').update(path).digest('hex').slice(0, 12)}`;
}

export function defaultFolder(paths: HostPaths): AllowedFolder {
  return { id: DEFAULT_FOLDER_ID, path: bundleFolder(paths.dataDir), isDefault: true };
}

/** The bundle folder first, then the allowed folders in the order they were added. */
export function allowedFolders(paths: HostPaths, allowed: readonly string[]): AllowedFolder[] {
  return [defaultFolder(paths), ...allowed.map((path) => ({ id: folderIdOf(path), path, isDefault: false }))];
}

/** The folder with this id, checked to still be a real folder (not a symlink put in its place). */
export function resolveFolder(folders: readonly AllowedFolder[], id: string): AllowedFolder {
  const folder = folders.find((f) => f.id === id);
  if (!folder) throw new CodedError('FOLDER_NOT_ALLOWED', `No allowed folder with id "${id.slice(0, 40)}"; allow one with: hydraflow-host folders add PATH`);
  if (folder.isDefault) {
    ensurePrivateDir(folder.path);
    return folder;
  }
  let stats: Stats;
  try {
    stats = lstatSync(folder.path);
  } catch {
    throw new CodedError('FOLDER_NOT_ALLOWED', `The allowed folder ${folder.path} no longer exists`);
  }
  if (!stats.isDirectory() || realpathSync(folder.path) !== folder.path) throw new CodedError('FOLDER_NOT_ALLOWED', `The allowed folder ${folder.path} is no longer a real folder`);
  return folder;
}

/** A plain file name or FILE_NAME_INVALID. */
export function checkFileName(name: string): string {
  const bad = (why: string) => new CodedError('FILE_NAME_INVALID', `Not a plain file name (${why})`);
  if (name.length === 0) throw bad('empty');
  if (Buffer.byteLength(name, 'utf8') > MAX_NAME_BYTES) throw bad(`over ${MAX_NAME_BYTES} bytes`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) throw bad('control characters');
  if (/[/\\]/.test(name)) throw bad('a separator');
  if (name.includes(':')) throw bad('":" names a Windows stream or drive');
  if (name.startsWith('.')) throw bad('a leading dot');
  if (!name.isWellFormed()) throw bad('not well-formed Unicode');
  if (name.trim() !== name) throw bad('leading or trailing spaces');
  return name;
}

export interface OpenedFile {
  fd: number;
  path: string;
  size: number;
  mtimeMs: number;
  close(): void;
}

/**
 * Opens a regular file of a folder for reading without following a symlink and without blocking
 * on a FIFO; anything else is FILE_NOT_REGULAR, a missing name `notFound`.
 */
export function openRegularFile(folderPath: string, name: string, notFound: 'BUNDLE_FILE_NOT_FOUND' | 'HISTORY_FILE_NOT_FOUND' = 'BUNDLE_FILE_NOT_FOUND'): OpenedFile {
  const path = join(folderPath, checkFileName(name));
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP' || code === 'EISDIR' || code === 'ENXIO') throw new CodedError('FILE_NOT_REGULAR', `${name} is not a regular file`);
    throw new CodedError(notFound, `${name} does not exist or cannot be read in ${folderPath}`);
  }
  const stats = fstatSync(fd);
  if (!stats.isFile()) {
    closeSync(fd);
    throw new CodedError('FILE_NOT_REGULAR', `${name} is not a regular file`);
  }
  return { fd, path, size: stats.size, mtimeMs: stats.mtimeMs, close: () => closeSync(fd) };
}

/**
 * Whether `path` may be allowed: an existing real folder (after realpath), not the host's config
 * or data folder, nor inside them, nor an ancestor the host's files are direct children of.
 * Returns the real path to store.
 */
export function checkFolderToAllow(paths: HostPaths, path: string): string {
  let real: string;
  try {
    real = realpathSync(path);
  } catch {
    throw new CodedError('FOLDER_REFUSED', `${path} does not exist`);
  }
  if (!lstatSync(real).isDirectory()) throw new CodedError('FOLDER_REFUSED', `${path} is not a folder`);
  for (const own of [paths.configDir, paths.dataDir]) {
    const ownReal = realOr(own);
    if (real === ownReal || real.startsWith(ownReal + sep)) throw new CodedError('FOLDER_REFUSED', `${real} holds the host's own files (${own})`);
  }
  return real;
}

function realOr(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
