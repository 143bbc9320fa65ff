/**
 * Bundle files through the host. The extension does the encoding and decoding itself (the same
 * shared codec the CLI uses); the host only reads and writes bytes of `.hydraflow` files, in
 * frames under the 1 MiB limit (base64), and lists its bundle folder.
 */
import { z } from 'zod';
import { timestamp } from '../schemas/entities';
import { defineMethod } from './define';

/** Largest slice `bundle.readBytes` returns: its base64 (×4/3) plus the envelope stays < 1 MB. */
export const BUNDLE_READ_MAX_BYTES = 720_000;
/** Largest slice `bundle.writeChunk` accepts (browser → host frames may be up to 64 MiB). */
export const BUNDLE_WRITE_MAX_BYTES = 8 * 1024 * 1024;

const filePath = z.string().min(1).max(4096);
const handle = z.string().regex(/^w[0-9a-f]{16}$/);

export const bundleFileInfo = z.object({ path: z.string(), name: z.string(), size: z.number().int().nonnegative(), modifiedAt: timestamp });
export type BundleFileInfo = z.infer<typeof bundleFileInfo>;

export const bundleMethods = {
  'bundle.list': defineMethod({
    summary: 'The bundle files in the host bundle folder (<data dir>/bundles), newest first.',
    params: z.object({}),
    result: z.object({ folder: z.string(), files: z.array(bundleFileInfo) }),
  }),
  'bundle.stat': defineMethod({
    summary: 'Size of a bundle (or other importable) file on this machine.',
    params: z.object({ path: filePath }),
    result: bundleFileInfo,
  }),
  'bundle.readBytes': defineMethod({
    summary: 'Up to 720,000 bytes of a file at an offset, base64.',
    params: z.object({ path: filePath, offset: z.number().int().nonnegative(), length: z.number().int().positive().max(BUNDLE_READ_MAX_BYTES) }),
    result: z.object({ data: z.string() }),
  }),
  'bundle.writeOpen': defineMethod({
    summary: 'Starts writing a new bundle file (a chosen path, or a fresh name in the bundle folder); bytes go to a temporary file until writeClose.',
    params: z.object({ path: filePath.optional(), fileName: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._ -]{0,120}$/).optional() }),
    result: z.object({ handle, path: z.string() }),
  }),
  'bundle.writeChunk': defineMethod({
    summary: 'Appends base64 bytes at `offset` (must equal the bytes written so far).',
    params: z.object({ handle, offset: z.number().int().nonnegative(), data: z.string().max(Math.ceil(BUNDLE_WRITE_MAX_BYTES / 3) * 4) }),
    result: z.object({ bytes: z.number().int().nonnegative() }),
  }),
  'bundle.writeClose': defineMethod({
    summary: 'Finishes a bundle: flushes, then renames the temporary file to its path (never over an existing file).',
    params: z.object({ handle }),
    result: bundleFileInfo,
  }),
  'bundle.writeAbort': defineMethod({
    summary: 'Abandons a bundle being written and deletes its temporary file.',
    params: z.object({ handle }),
    result: z.object({ aborted: z.boolean() }),
  }),
};
