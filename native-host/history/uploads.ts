/**
 * History files handed to the host as bytes: a `History` or `places.sqlite` the user picked in
 * the browser (the browser reads it with the File API; the host never takes its path). The bytes
 * go to a private file in `<data>/history-copies/` (0700 folder, 0600 file, created exclusively),
 * live as long as this host process (or until dropped), and are read like any history file.
 * A dead host's uploads are swept with the stale snapshot copies (their folder names carry the pid).
 */
import { randomBytes } from 'node:crypto';
import { closeSync, constants, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { CodedError } from '../../shared/errors';
import { PRIVATE_FILE_MODE } from '../core/private-files';
import { snapshotsDir, sweepStaleSnapshots } from './snapshot';

/** Largest history file accepted as bytes (a decade of heavy browsing is a few hundred MB). */
export const MAX_UPLOAD_BYTES = 4 * 1024 * 1024 * 1024;

interface Upload {
  dir: string;
  path: string;
  fd: number | null;
  bytes: number;
}

const uploads = new Map<string, Upload>();
process.on('exit', () => {
  for (const upload of uploads.values()) rmSync(upload.dir, { recursive: true, force: true });
});

export function openUpload(dataDir: string): string {
  const base = snapshotsDir(dataDir);
  sweepStaleSnapshots(base);
  const dir = mkdtempSync(join(base, `hydraflow-history-${process.pid}-upload-`));
  const path = join(dir, 'history');
  const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, PRIVATE_FILE_MODE);
  const id = `u${randomBytes(8).toString('hex')}`;
  uploads.set(id, { dir, path, fd, bytes: 0 });
  return id;
}

function get(id: string): Upload {
  const upload = uploads.get(id);
  if (!upload) throw new CodedError('HISTORY_UPLOAD_NOT_FOUND', `No history file ${id} in this host process; pick the file again`);
  return upload;
}

export function appendUpload(id: string, offset: number, bytes: Uint8Array): number {
  const upload = get(id);
  if (upload.fd === null) throw new CodedError('INVALID_PARAMS', `History file ${id} is complete; it takes no more bytes`);
  if (offset !== upload.bytes) throw new CodedError('INVALID_PARAMS', `Chunk at offset ${offset}; ${upload.bytes} bytes written so far`);
  if (upload.bytes + bytes.length > MAX_UPLOAD_BYTES) throw new CodedError('HISTORY_FILE_CORRUPT', `A history file over ${MAX_UPLOAD_BYTES} bytes is refused`);
  for (let at = 0; at < bytes.length; ) at += writeSync(upload.fd, bytes, at, bytes.length - at, upload.bytes + at);
  upload.bytes += bytes.length;
  return upload.bytes;
}

/** The private path of a complete upload (the first read closes it for writing). */
export function uploadPath(id: string): string {
  const upload = get(id);
  if (upload.fd !== null) {
    closeSync(upload.fd);
    upload.fd = null;
  }
  return upload.path;
}

export function dropUpload(id: string): boolean {
  const upload = uploads.get(id);
  if (!upload) return false;
  uploads.delete(id);
  if (upload.fd !== null) closeSync(upload.fd);
  rmSync(upload.dir, { recursive: true, force: true });
  return true;
}
