/**
 * A private copy of a history file. Browsers keep their History database open and locked while
 * they run, so we never open the original: the file and its `-journal`/`-wal` companions are
 * copied into a fresh temp dir, read there, and the dir is deleted when the reader closes. The
 * dir's name carries the host's pid: a host killed mid-read (SIGKILL runs no cleanup) leaves its
 * copy behind, and the next snapshot removes every copy whose process is gone.
 */
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { CodedError } from '../../shared/errors';
import { processAlive } from '../core/process';

export interface FileSnapshot {
  path: string;
  size: number;
  remove(): void;
}

const COMPANIONS = ['-journal', '-wal'];
const PREFIX = 'hydraflow-history-';


/** Removes the copies left by hosts that died while reading; returns how many were removed. */
export function sweepStaleSnapshots(dir: string = tmpdir()): number {
  let removed = 0;
  for (const name of readdirSync(dir)) {
    const match = new RegExp(`^${PREFIX}(\\d+)-`).exec(name);
    if (!match || processAlive(Number(match[1]))) continue;
    rmSync(join(dir, name), { recursive: true, force: true });
    removed++;
  }
  return removed;
}

export function snapshotFile(original: string): FileSnapshot {
  let size: number;
  try {
    const stat = statSync(original);
    if (!stat.isFile()) throw new CodedError('HISTORY_FILE_NOT_FOUND', `${original} is not a file`);
    size = stat.size;
  } catch (error) {
    if (error instanceof CodedError) throw error;
    throw new CodedError('HISTORY_FILE_NOT_FOUND', `Cannot read ${original}: ${(error as Error).message}`);
  }
  sweepStaleSnapshots();
  const dir = mkdtempSync(join(tmpdir(), `${PREFIX}${process.pid}-`));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  const copy = join(dir, basename(original));
  try {
    copyFileSync(original, copy);
    for (const suffix of COMPANIONS) if (existsSync(original + suffix)) copyFileSync(original + suffix, copy + suffix);
  } catch (error) {
    remove();
    throw new CodedError('IO_ERROR', `Cannot copy ${original}: ${(error as Error).message}`);
  }
  return { path: copy, size, remove };
}
