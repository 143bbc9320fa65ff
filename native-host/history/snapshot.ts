/**
 * A private copy of a history file. Browsers keep their History database open and locked while
 * they run, so we never open the original: the file and its `-journal`/`-wal` companions are
 * copied into a fresh folder, read there, and the folder is deleted when the reader closes.
 *
 * The copies live in the host's own data folder (`<data>/history-copies`, 0700, checked to be
 * ours), never in a shared /tmp where another user could plant a folder to block or read them.
 * A copy folder's name carries the host's pid: a host killed mid-read (SIGKILL runs no cleanup)
 * leaves its copy behind, and the next snapshot removes every copy whose process is gone.
 * Originals are opened without blocking (a FIFO is refused, not waited on) and must be regular
 * files; `noFollow` refuses a symlink too (files the extension named in an allowed folder).
 */
import { chmodSync, closeSync, constants, copyFileSync, fstatSync, mkdtempSync, openSync, readdirSync, readSync, rmSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';
import { CodedError } from '../../shared/errors';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from '../core/private-files';
import { processAlive } from '../core/process';
import { currentPaths } from '../host-env';

export interface FileSnapshot {
  path: string;
  size: number;
  remove(): void;
}

const COMPANIONS = ['-journal', '-wal'];
const PREFIX = 'hydraflow-history-';

/** The private folder of history copies (created 0700, owner checked). */
export function snapshotsDir(dataDir: string = currentPaths().dataDir): string {
  return ensurePrivateDir(join(dataDir, 'history-copies'));
}

/** Removes the copies left by hosts that died while reading; returns how many were removed. */
export function sweepStaleSnapshots(dir: string = snapshotsDir()): number {
  let removed = 0;
  for (const name of readdirSync(dir)) {
    const match = new RegExp(`^${PREFIX}(\\d+)-`).exec(name);
    if (!match || processAlive(Number(match[1]))) continue;
    rmSync(join(dir, name), { recursive: true, force: true });
    removed++;
  }
  return removed;
}

/** Opens a regular file without blocking on a FIFO; null when it does not exist. */
function openOriginal(path: string, noFollow: boolean): { fd: number; size: number } | null {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | (noFollow ? constants.O_NOFOLLOW : 0));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    if (code === 'ELOOP' || code === 'ENXIO' || code === 'EISDIR') throw new CodedError('FILE_NOT_REGULAR', `${basename(path)} is not a regular file`);
    throw new CodedError('HISTORY_FILE_NOT_FOUND', `Cannot read ${path}: ${(error as Error).message}`);
  }
  const stats = fstatSync(fd);
  if (!stats.isFile()) {
    closeSync(fd);
    throw new CodedError('FILE_NOT_REGULAR', `${basename(path)} is not a regular file`);
  }
  return { fd, size: stats.size };
}

/**
 * Copies the open file `from` into a new private file `to`. On Linux the kernel copies it
 * (copy_file_range, through the descriptor's /proc link: the very file that was opened and
 * checked, whatever its path names now), without passing every byte through a buffer here: a
 * 57 MB History took 40–200 ms read and written in 1 MB pieces, 17–37 ms copied by the kernel.
 * `to` is in a fresh 0700 folder of ours; where the kernel copy is not available, the bytes go
 * through JavaScript.
 */
function copyFd(from: number, to: string): void {
  if (process.platform === 'linux') {
    try {
      copyFileSync(`/proc/self/fd/${from}`, to, constants.COPYFILE_EXCL);
      chmodSync(to, PRIVATE_FILE_MODE);
      return;
    } catch {
      rmSync(to, { force: true });
    }
  }
  const out = openSync(to, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, PRIVATE_FILE_MODE);
  try {
    const buffer = Buffer.allocUnsafe(1 << 20);
    for (let at = 0; ; ) {
      const n = readSync(from, buffer, 0, buffer.length, at);
      if (n === 0) break;
      for (let done = 0; done < n; ) done += writeSync(out, buffer, done, n - done);
      at += n;
    }
  } finally {
    closeSync(out);
  }
}

export function snapshotFile(original: string, options: { noFollow?: boolean; dataDir?: string } = {}): FileSnapshot {
  const noFollow = options.noFollow ?? false;
  const main = openOriginal(original, noFollow);
  if (!main) throw new CodedError('HISTORY_FILE_NOT_FOUND', `${original} does not exist`);
  let dir: string;
  try {
    const base = snapshotsDir(options.dataDir);
    sweepStaleSnapshots(base);
    dir = mkdtempSync(join(base, `${PREFIX}${process.pid}-`));
  } catch (error) {
    closeSync(main.fd);
    throw error;
  }
  const remove = () => rmSync(dir, { recursive: true, force: true });
  const copy = join(dir, basename(original));
  try {
    try {
      copyFd(main.fd, copy);
    } finally {
      closeSync(main.fd);
    }
    for (const suffix of COMPANIONS) {
      const companion = openOriginal(original + suffix, noFollow);
      if (!companion) continue;
      try {
        copyFd(companion.fd, copy + suffix);
      } finally {
        closeSync(companion.fd);
      }
    }
  } catch (error) {
    remove();
    if (error instanceof CodedError) throw error;
    throw new CodedError('IO_ERROR', `Cannot copy ${original}: ${(error as Error).message}`);
  }
  return { path: copy, size: main.size, remove };
}
