/**
 * Where bundle bytes come from and go to. The codec reads a random-access `ByteSource` and
 * writes to a `BundleSink`; here those are a file on disk through the host (named by folder id
 * and plain name, never a path; base64 slices under the frame limit), or a Blob staged in Cache Storage by a UI page (a file the user picked) and
 * a Cache Storage entry the options page saves as a download when there is no host.
 */
import { base64ToBytes, bytesToBase64 } from '../../shared/bundle/base64';
import type { BundleSink } from '../../shared/bundle/write';
import type { ByteSource } from '../../shared/bundle/zip-read';
import type { BundleFileRef } from '../../shared/commands/bundles';
import { CodedError, type Result } from '../../shared/errors';
import { BUNDLE_READ_MAX_BYTES } from '../../shared/protocol/bundle';
import type { MethodName, MethodParams, MethodResult } from '../../shared/protocol/methods';
import type { RequestOptions } from '../host/connection';

/** The part of the host connection bundles need. */
export interface BundleHost {
  request<M extends MethodName>(method: M, params: MethodParams<M>, options?: RequestOptions): Promise<Result<MethodResult<M>>>;
}

/** Cache Storage holding staged imports and download exports (same origin for pages and worker). */
export const BUNDLE_CACHE = 'hydraflow-bundles';

/** Cache Storage only keys http(s) requests; this origin is never fetched (`.invalid`). */
const CACHE_ORIGIN = 'https://bundles.hydraflow.invalid';

export function stagedKey(id: string): string {
  return `${CACHE_ORIGIN}/staged/${id}`;
}

export function exportKey(jobId: string, fileName: string): string {
  return `${CACHE_ORIGIN}/exports/${jobId}/${encodeURIComponent(fileName)}`;
}

async function unwrap<T>(reply: Promise<Result<T>>): Promise<T> {
  const result = await reply;
  if (!result.ok) throw new CodedError(result.error.code, result.error.message);
  return result.result;
}

export function blobSource(blob: Blob): ByteSource {
  return {
    size: blob.size,
    read: async (offset, length) => new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer()),
  };
}

/** A file in a folder the host may use, by folder id and name (the host never takes a path). */
export async function hostSource(host: BundleHost, file: { folderId: string; name: string }): Promise<ByteSource> {
  const { folderId, name } = file;
  const info = await unwrap(host.request('bundle.stat', { folderId, name }));
  return {
    size: info.size,
    read: async (offset, length) => {
      const end = Math.min(info.size, offset + length);
      const out = new Uint8Array(Math.max(0, end - offset));
      for (let at = offset; at < end; at += BUNDLE_READ_MAX_BYTES) {
        const { data } = await unwrap(host.request('bundle.readBytes', { folderId, name, offset: at, length: Math.min(BUNDLE_READ_MAX_BYTES, end - at) }));
        out.set(base64ToBytes(data), at - offset);
      }
      return out;
    },
  };
}

/** Bytes per block of a host file's copy. */
const COPY_BLOCK = 1024 * 1024;

function copyPrefix(jobId: string): string {
  return `${CACHE_ORIGIN}/import-copies/${encodeURIComponent(jobId)}/`;
}

/** What a key of the bundle cache holds: a block of an import job's copy, a staged file, or else (an export). */
export function cacheEntryOf(url: string): { kind: 'copy'; jobId: string } | { kind: 'staged'; id: string } | { kind: 'other' } {
  const copy = /^\/import-copies\/([^/]+)\//.exec(url.slice(CACHE_ORIGIN.length));
  if (url.startsWith(CACHE_ORIGIN) && copy) return { kind: 'copy', jobId: decodeURIComponent(copy[1]!) };
  if (url.startsWith(`${CACHE_ORIGIN}/staged/`)) return { kind: 'staged', id: url.slice(`${CACHE_ORIGIN}/staged/`.length) };
  return { kind: 'other' };
}

/**
 * A host file read through a copy in Cache Storage kept for one import job, block by block: each
 * block comes from the host once and is kept, so a worker restarted mid-import reads again what it
 * had read (a deflate stream is inflated from its start) from disk here, not over native messaging
 * (about 2.5 MB/s there). A file changed on the host meanwhile mixes old and new blocks, which the
 * bundle's hashes refuse (BUNDLE_HASH_MISMATCH, BUNDLE_FILE_CHANGED). `discardCopy` ends it.
 */
export async function copiedSource(inner: ByteSource, jobId: string): Promise<ByteSource> {
  const cache = await caches.open(BUNDLE_CACHE);
  const prefix = `${copyPrefix(jobId)}${inner.size}/`;
  const recent = new Map<number, Uint8Array>();
  const block = async (index: number): Promise<Uint8Array> => {
    const kept = recent.get(index);
    if (kept) return kept;
    const start = index * COPY_BLOCK;
    const length = Math.min(COPY_BLOCK, inner.size - start);
    const hit = await cache.match(`${prefix}${index}`);
    let bytes: Uint8Array | null = hit ? new Uint8Array(await hit.arrayBuffer()) : null;
    if (!bytes || bytes.length !== length) {
      const read = await inner.read(start, length);
      await cache.put(`${prefix}${index}`, new Response(read as Uint8Array<ArrayBuffer>));
      bytes = read;
    }
    // A read of READ_CHUNK bytes spans two blocks at most: the last few stay in memory.
    recent.set(index, bytes);
    if (recent.size > 3) recent.delete(recent.keys().next().value!);
    return bytes;
  };
  return {
    size: inner.size,
    read: async (offset, length) => {
      const end = Math.min(inner.size, offset + length);
      const out = new Uint8Array(Math.max(0, end - offset));
      for (let at = offset; at < end; ) {
        const index = Math.floor(at / COPY_BLOCK);
        const bytes = await block(index);
        const from = at - index * COPY_BLOCK;
        const take = Math.min(bytes.length - from, end - at);
        out.set(bytes.subarray(from, from + take), at - offset);
        at += take;
      }
      return out;
    },
  };
}

/** Bytes per block of a bundle's inflated components kept for a job. */
const INFLATED_BLOCK = 1024 * 1024;

export interface InflatedCopy {
  /** Takes a component's inflated bytes in order from its start (as validation passes them), keeping each block once. */
  keep(component: string, offset: number, bytes: Uint8Array, last: boolean): Promise<void>;
  /** Kept inflated bytes of `component` from `offset` to the end of their block, or null. */
  read(component: string, offset: number): Promise<Uint8Array | null>;
}

/**
 * The inflated components of an import job's bundle, kept in blocks beside its file's copy
 * (`discardCopy` removes them too): a resumed import seeks to its cursor's row here instead of
 * inflating the bundle from its start again (shared/bundle/read.ts `RowSeek`; the hash of what it
 * reads goes on from the cursor's, so altered blocks fail with BUNDLE_FILE_CHANGED).
 */
export async function inflatedCopy(jobId: string): Promise<InflatedCopy> {
  const cache = await caches.open(BUNDLE_CACHE);
  const prefix = `${copyPrefix(jobId)}inflated/`;
  const key = (component: string, index: number) => `${prefix}${encodeURIComponent(component)}/${index}`;
  const kept = new Set((await cache.keys()).map((request) => request.url).filter((url) => url.startsWith(prefix)));
  let block = new Uint8Array(INFLATED_BLOCK);
  let filled = 0;
  let index = 0;
  const put = async (component: string) => {
    const at = key(component, index);
    if (!kept.has(at)) await cache.put(at, new Response(block.slice(0, filled)));
    index += 1;
    filled = 0;
  };
  return {
    keep: async (component, offset, bytes, last) => {
      if (offset === 0) {
        block = new Uint8Array(INFLATED_BLOCK);
        filled = 0;
        index = 0;
      }
      for (let at = 0; at < bytes.length; ) {
        const take = Math.min(INFLATED_BLOCK - filled, bytes.length - at);
        block.set(bytes.subarray(at, at + take), filled);
        filled += take;
        at += take;
        if (filled === INFLATED_BLOCK) await put(component);
      }
      if (last && filled > 0) await put(component);
    },
    read: async (component, offset) => {
      const index = Math.floor(offset / INFLATED_BLOCK);
      const hit = await cache.match(key(component, index));
      if (!hit) return null;
      const bytes = new Uint8Array(await hit.arrayBuffer()).subarray(offset - index * INFLATED_BLOCK);
      return bytes.length ? bytes : null;
    },
  };
}

/** Removes the copy `copiedSource` kept for an import job. */
export async function discardCopy(jobId: string): Promise<void> {
  const cache = await caches.open(BUNDLE_CACHE);
  const prefix = copyPrefix(jobId);
  for (const request of await cache.keys()) if (request.url.startsWith(prefix)) await cache.delete(request);
}

/** The header a staged file carries: when it was staged (ms since the epoch). */
export const STAGED_AT_HEADER = 'x-hydraflow-staged-at';

/**
 * Stages a file the user picked (a UI page calls this) under a new id: Cache Storage keeps it on
 * disk, so the worker reads it by id, in slices or as a stream, and no message carries its bytes.
 * It is stamped with the time, for the start-up sweep (sweep.ts).
 */
export async function stagePickedFile(file: Blob): Promise<string> {
  const id = crypto.randomUUID();
  await (await caches.open(BUNDLE_CACHE)).put(stagedKey(id), new Response(file, { headers: { [STAGED_AT_HEADER]: String(Date.now()) } }));
  return id;
}

/** A Blob staged by a UI page; Cache Storage keeps it on disk, and slices read only what is asked. */
export async function stagedBlob(id: string): Promise<Blob> {
  const response = await (await caches.open(BUNDLE_CACHE)).match(stagedKey(id));
  if (!response) throw new CodedError('BUNDLE_FILE_NOT_FOUND', 'The picked file is no longer staged; pick it again');
  return response.blob();
}

export async function discardStaged(id: string): Promise<void> {
  await (await caches.open(BUNDLE_CACHE)).delete(stagedKey(id));
}

export async function openSource(host: BundleHost, file: BundleFileRef): Promise<ByteSource> {
  return file.kind === 'host' ? hostSource(host, file) : blobSource(await stagedBlob(file.id));
}

export interface ClosableSink extends BundleSink {
  /** Finishes the file; returns where it is. */
  close(): Promise<{ path: string | null; cacheKey: string | null; bytes: number }>;
  abort(): Promise<void>;
}

const HOST_CHUNK_BYTES = 4 * 1024 * 1024;

/** Bytes to a new file (a plain name) in a folder the host may use, in slices of a few MiB. */
export async function hostSink(host: BundleHost, options: { folderId?: string; fileName: string }): Promise<ClosableSink> {
  const opened = await unwrap(host.request('bundle.writeOpen', { folderId: options.folderId ?? 'bundles', fileName: options.fileName }));
  let parts: Uint8Array[] = [];
  let buffered = 0;
  let written = 0;
  const flush = async () => {
    if (buffered === 0) return;
    const joined = new Uint8Array(buffered);
    let at = 0;
    for (const part of parts) {
      joined.set(part, at);
      at += part.length;
    }
    parts = [];
    buffered = 0;
    await unwrap(host.request('bundle.writeChunk', { handle: opened.handle, offset: written, data: bytesToBase64(joined) }, { timeoutMs: 120_000 }));
    written += joined.length;
  };
  return {
    write: async (chunk) => {
      parts.push(chunk);
      buffered += chunk.length;
      if (buffered >= HOST_CHUNK_BYTES) await flush();
    },
    close: async () => {
      await flush();
      const info = await unwrap(host.request('bundle.writeClose', { handle: opened.handle }));
      return { path: info.path, cacheKey: null, bytes: info.size };
    },
    abort: async () => {
      await host.request('bundle.writeAbort', { handle: opened.handle });
    },
  };
}

/**
 * Bytes gathered into a Blob and stored as a Cache Storage entry (the download path when the host
 * is absent). The Blob grows in slices of a few MiB; Chromium keeps large blobs on disk.
 */
export async function cacheSink(key: string): Promise<ClosableSink> {
  const cache = await caches.open(BUNDLE_CACHE);
  let blob = new Blob([]);
  let parts: Uint8Array[] = [];
  let buffered = 0;
  const fold = () => {
    blob = new Blob([blob, ...(parts as BlobPart[])], { type: 'application/zip' });
    parts = [];
    buffered = 0;
  };
  return {
    write: async (chunk) => {
      parts.push(chunk);
      buffered += chunk.length;
      if (buffered >= HOST_CHUNK_BYTES) fold();
    },
    close: async () => {
      fold();
      await cache.put(key, new Response(blob, { headers: { 'content-type': 'application/zip' } }));
      return { path: null, cacheKey: key, bytes: blob.size };
    },
    abort: async () => {
      parts = [];
      await cache.delete(key);
    },
  };
}
