/**
 * Reads a zip from a random-access byte source: the central directory first (so every name and
 * declared size is checked before a single byte is decompressed), then one entry at a time as a
 * stream of decompressed chunks. Only what bundles need: stored or deflated entries, no ZIP64, no
 * encryption. Works on a File/Blob in the extension, a file descriptor in the host, or bytes
 * the host streams to the extension.
 */
import { Inflate } from 'fflate';
import { CodedError } from '../errors';
import { MAX_TOTAL_BYTES } from './format';

export interface ByteSource {
  size: number;
  /** Exactly `length` bytes at `offset` (fewer only at the end of the source). */
  read(offset: number, length: number): Promise<Uint8Array>;
}

export function bytesSource(bytes: Uint8Array): ByteSource {
  return { size: bytes.length, read: async (offset, length) => bytes.subarray(offset, offset + length) };
}

export interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const READ_CHUNK = 1024 * 1024;
/**
 * Compressed bytes handed to the inflater at a time. Deflate expands at most ~1032×, so one step
 * yields at most ~2 MiB, and the size checks run between steps: a bomb never inflates in one go.
 */
const INFLATE_STEP = 2048;
const STORED_STEP = 256 * 1024;

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Names a bundle may hold: one plain relative file name, no folders, no tricks. */
export function unsafeEntryName(name: string): string | null {
  if (name.length === 0 || name.length > 255) return 'empty or too long';
  for (let i = 0; i < name.length; i++) if (name.charCodeAt(i) < 0x20 || name.charCodeAt(i) === 0x7f) return 'control characters';
  if (name.startsWith('/') || name.startsWith('\\') || /^[A-Za-z]:/.test(name)) return 'absolute path';
  if (name.split(/[\\/]/).some((part) => part === '..' || part === '.')) return 'a .. or . component';
  if (/[\\/]/.test(name)) return 'a folder';
  return null;
}

/** Lists the entries of a zip, refusing anything unsafe, oversized or not plain zip. */
export async function readZipDirectory(source: ByteSource, maxEntryBytes: number): Promise<ZipEntry[]> {
  if (source.size < 22) throw new CodedError(await looksLikeZip(source) ? 'BUNDLE_TRUNCATED' : 'BUNDLE_NOT_ZIP', `The file is ${source.size} bytes: too small for a zip archive`);
  const tailLength = Math.min(source.size, 22 + 65_535);
  const tail = await source.read(source.size - tailLength, tailLength);
  const tailView = view(tail);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tailView.getUint32(i, true) === EOCD_SIGNATURE && i + 22 + tailView.getUint16(i + 20, true) === tail.length) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) {
    throw new CodedError((await looksLikeZip(source)) ? 'BUNDLE_TRUNCATED' : 'BUNDLE_NOT_ZIP', (await looksLikeZip(source)) ? 'The zip has no end-of-directory record: the file is cut off' : 'The file is not a zip archive');
  }
  const count = tailView.getUint16(eocd + 10, true);
  const directorySize = tailView.getUint32(eocd + 12, true);
  const directoryOffset = tailView.getUint32(eocd + 16, true);
  if (count === 0xffff || directoryOffset === 0xffffffff) throw new CodedError('BUNDLE_CORRUPT', 'ZIP64 archives are not bundles');
  const eocdOffset = source.size - tailLength + eocd;
  if (directoryOffset + directorySize > eocdOffset) throw new CodedError('BUNDLE_TRUNCATED', 'The zip directory points past the end of the file');
  const directory = await source.read(directoryOffset, directorySize);
  const dv = view(directory);
  const decoder = new TextDecoder('utf-8', { fatal: false });
  const entries: ZipEntry[] = [];
  const names = new Set<string>();
  let declaredTotal = 0;
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (at + 46 > directory.length || dv.getUint32(at, true) !== CENTRAL_SIGNATURE) throw new CodedError('BUNDLE_CORRUPT', 'The zip directory is damaged');
    const flags = dv.getUint16(at + 8, true);
    const method = dv.getUint16(at + 10, true);
    const compressedSize = dv.getUint32(at + 20, true);
    const size = dv.getUint32(at + 24, true);
    const nameLength = dv.getUint16(at + 28, true);
    const extraLength = dv.getUint16(at + 30, true);
    const commentLength = dv.getUint16(at + 32, true);
    const localHeaderOffset = dv.getUint32(at + 42, true);
    if (at + 46 + nameLength > directory.length) throw new CodedError('BUNDLE_CORRUPT', 'The zip directory is damaged');
    const name = decoder.decode(directory.subarray(at + 46, at + 46 + nameLength));
    at += 46 + nameLength + extraLength + commentLength;
    const unsafe = unsafeEntryName(name);
    if (unsafe) throw new CodedError('BUNDLE_UNSAFE_ENTRY', `Entry "${name}" is refused: ${unsafe}`);
    if (names.has(name)) throw new CodedError('BUNDLE_UNSAFE_ENTRY', `Entry "${name}" appears twice`);
    names.add(name);
    if (size === 0xffffffff || compressedSize === 0xffffffff) throw new CodedError('BUNDLE_TOO_LARGE', `Entry "${name}" declares a ZIP64 size`);
    if (size > maxEntryBytes) throw new CodedError('BUNDLE_TOO_LARGE', `Entry "${name}" declares ${size} bytes (limit ${maxEntryBytes})`);
    declaredTotal += size;
    if (declaredTotal > MAX_TOTAL_BYTES) throw new CodedError('BUNDLE_TOO_LARGE', `The entries declare more than ${MAX_TOTAL_BYTES} bytes in all`);
    if (flags & 0x1) throw new CodedError('BUNDLE_CORRUPT', `Entry "${name}" is encrypted`);
    if (method !== 0 && method !== 8) throw new CodedError('BUNDLE_CORRUPT', `Entry "${name}" uses unsupported compression method ${method}`);
    if (method === 0 && compressedSize !== size) throw new CodedError('BUNDLE_CORRUPT', `Stored entry "${name}" has different sizes`);
    if (localHeaderOffset + 30 + compressedSize > directoryOffset) throw new CodedError('BUNDLE_TRUNCATED', `Entry "${name}" extends past the directory`);
    entries.push({ name, method, flags, compressedSize, size, localHeaderOffset });
  }
  return entries;
}

async function looksLikeZip(source: ByteSource): Promise<boolean> {
  if (source.size < 4) return false;
  return view(await source.read(0, 4)).getUint32(0, true) === LOCAL_SIGNATURE;
}

/**
 * The decompressed bytes of one entry, chunk by chunk (each at most a few MiB). Stops with
 * BUNDLE_CORRUPT as soon as the data inflates to more than the declared size (checked after every
 * small inflate step), or ends with less: an entry never yields more than its header declared.
 */
export async function* readZipEntry(source: ByteSource, entry: ZipEntry): AsyncGenerator<Uint8Array> {
  const header = await source.read(entry.localHeaderOffset, 30);
  if (header.length < 30 || view(header).getUint32(0, true) !== LOCAL_SIGNATURE) throw new CodedError('BUNDLE_CORRUPT', `Entry "${entry.name}" has no local header`);
  const hv = view(header);
  let offset = entry.localHeaderOffset + 30 + hv.getUint16(26, true) + hv.getUint16(28, true);
  const end = offset + entry.compressedSize;
  if (end > source.size) throw new CodedError('BUNDLE_TRUNCATED', `Entry "${entry.name}" is cut off`);
  let produced = 0;
  const out: Uint8Array[] = [];
  const inflate = entry.method === 8 ? new Inflate((chunk) => out.push(chunk)) : null;
  const take = (chunk: Uint8Array) => {
    produced += chunk.length;
    if (produced > entry.size) throw new CodedError('BUNDLE_CORRUPT', `Entry "${entry.name}" inflates to more than its declared ${entry.size} bytes`);
  };
  if (entry.compressedSize === 0 && inflate) throw new CodedError('BUNDLE_CORRUPT', `Entry "${entry.name}" has no compressed data`);
  while (offset < end) {
    const length = Math.min(READ_CHUNK, end - offset);
    const chunk = await source.read(offset, length);
    if (chunk.length < length) throw new CodedError('BUNDLE_TRUNCATED', `Entry "${entry.name}" is cut off`);
    offset += length;
    if (inflate) {
      for (let step = 0; step < chunk.length; step += INFLATE_STEP) {
        const last = offset >= end && step + INFLATE_STEP >= chunk.length;
        try {
          inflate.push(chunk.subarray(step, step + INFLATE_STEP), last);
        } catch (error) {
          throw new CodedError('BUNDLE_CORRUPT', `Entry "${entry.name}" has damaged compressed data: ${(error as Error).message}`);
        }
        for (const piece of out.splice(0)) {
          take(piece);
          yield piece;
        }
      }
    } else {
      // Stored bytes go on in the same small steps, so a reader splits few lines at a time.
      for (let step = 0; step < chunk.length; step += STORED_STEP) {
        const piece = chunk.subarray(step, step + STORED_STEP);
        take(piece);
        yield piece;
      }
    }
  }
  if (produced !== entry.size) throw new CodedError('BUNDLE_CORRUPT', `Entry "${entry.name}" holds ${produced} bytes, its header says ${entry.size}`);
}
