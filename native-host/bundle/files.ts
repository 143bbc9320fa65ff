/**
 * Bundle files on disk: a random-access byte source over a file descriptor (for the shared
 * codec), and new files written to a temporary name and linked into place only when complete
 * (never over an existing file). Temporary files of writers that never finished are deleted when
 * the host exits, and swept from the bundle folder after a day (a killed host).
 */
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fstatSync, fsyncSync, linkSync, mkdirSync, openSync, readdirSync, readSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { BUNDLE_EXTENSION } from '../../shared/bundle/format';
import type { BundleSink } from '../../shared/bundle/write';
import type { ByteSource } from '../../shared/bundle/zip-read';
import { CodedError } from '../../shared/errors';
import type { BundleFileInfo } from '../../shared/protocol/bundle';

export function bundleFolder(dataDir: string): string {
  return join(dataDir, 'bundles');
}

export function fileInfo(path: string): BundleFileInfo {
  let stats;
  try {
    stats = statSync(path);
  } catch {
    throw new CodedError('BUNDLE_FILE_NOT_FOUND', `${path} does not exist or cannot be read`);
  }
  if (!stats.isFile()) throw new CodedError('BUNDLE_FILE_NOT_FOUND', `${path} is not a file`);
  return { path, name: basename(path), size: stats.size, modifiedAt: Math.floor(stats.mtimeMs) };
}

export interface FileSource extends ByteSource {
  fd: number;
  close(): void;
}

export function openFileSource(path: string): FileSource {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    throw new CodedError('BUNDLE_FILE_NOT_FOUND', `${path} does not exist or cannot be read`);
  }
  const size = fstatSync(fd).size;
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

export function readFileSlice(path: string, offset: number, length: number): Uint8Array {
  const source = openFileSource(path);
  try {
    return readAt(source.fd, offset, Math.max(0, Math.min(length, source.size - offset)));
  } finally {
    source.close();
  }
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

/** Where a new bundle goes: a chosen absolute path, or a name in the bundle folder. */
export function targetPath(dataDir: string, options: { path?: string; fileName?: string }): string {
  if (options.path !== undefined) {
    if (!isAbsolute(options.path)) throw new CodedError('USAGE', `The bundle path must be absolute: ${options.path}`);
    return resolve(options.path);
  }
  const folder = bundleFolder(dataDir);
  mkdirSync(folder, { recursive: true });
  sweep(folder);
  const name = options.fileName ?? `hydraflow-${new Date().toISOString().replace(/\..*$/, '').replace(/[:T]/g, '-')}${BUNDLE_EXTENSION}`;
  return join(folder, name.endsWith(BUNDLE_EXTENSION) ? name : `${name}${BUNDLE_EXTENSION}`);
}

export interface FileSink extends BundleSink {
  readonly path: string;
  readonly written: number;
  close(): BundleFileInfo;
  abort(): void;
}

/** A new file at `path`: bytes go to `<path>.partial-<random>`; close links it into place. */
export function createFileSink(path: string): FileSink {
  if (existsSync(path)) throw new CodedError('BUNDLE_FILE_EXISTS', `${path} already exists`);
  if (!existsSync(dirname(path))) throw new CodedError('IO_ERROR', `Folder ${dirname(path)} does not exist`);
  const temp = `${path}.partial-${randomBytes(6).toString('hex')}`;
  const fd = openSync(temp, 'wx');
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
      return fileInfo(path);
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

export function listBundles(dataDir: string): { folder: string; files: BundleFileInfo[] } {
  const folder = bundleFolder(dataDir);
  let names: string[] = [];
  try {
    names = readdirSync(folder);
  } catch {
    return { folder, files: [] };
  }
  const files = names.filter((n) => n.endsWith(BUNDLE_EXTENSION)).map((n) => fileInfo(join(folder, n)));
  return { folder, files: files.sort((a, b) => b.modifiedAt - a.modifiedAt) };
}
