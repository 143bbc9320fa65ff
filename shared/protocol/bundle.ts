/**
 * Bundle files through the host. The extension does the encoding and decoding itself (the same
 * shared codec the CLI uses); the host only reads and writes bytes, in frames under the 1 MiB
 * limit (base64), of files named by folder id and plain name: its bundle folder and the folders
 * the user allowed on the host side. The extension never sends a path.
 */
import { z } from 'zod';
import { timestamp } from '../schemas/entities';
import { defineMethod } from './define';

/** Largest slice `bundle.readBytes` returns: its base64 (×4/3) plus the envelope stays < 1 MB. */
export const BUNDLE_READ_MAX_BYTES = 720_000;
/** Largest slice `bundle.writeChunk` accepts (browser → host frames may be up to 64 MiB). */
export const BUNDLE_WRITE_MAX_BYTES = 8 * 1024 * 1024;

const handle = z.lazy(() => z.string().regex(/^w[0-9a-f]{16}$/));
/** `bundles` (the host's bundle folder) or the id of a folder allowed with `hydraflow-host folders add`. */
export const folderId = z.lazy(() => z.string().regex(/^(bundles|f[0-9a-f]{12})$/));
/** A plain file name; the host checks the rest (no separators, no leading dot, no `:`, ≤ 255 bytes). */
export const fileName = z.lazy(() => z.string().min(1).max(255));

export const bundleFileInfo = z.lazy(() => z.object({
  /** The folder the file is in (null: a file named on the CLI). */
  folderId: folderId.nullable(),
  name: z.string(),
  /** For display only: the protocol never takes a path. */
  path: z.string(),
  size: z.number().int().nonnegative(),
  modifiedAt: timestamp,
}));
export type BundleFileInfo = z.infer<typeof bundleFileInfo>;

export const allowedFolderInfo = z.lazy(() => z.object({ id: folderId, path: z.string(), isDefault: z.boolean() }));
export type AllowedFolderInfo = z.infer<typeof allowedFolderInfo>;

export const bundleMethods = {
  'bundle.list': defineMethod({
    summary: 'The folders the host may use (its bundle folder, then the folders allowed on the host) and their files, newest first.',
    params: () => z.strictObject({}),
    result: () => z.object({ folder: z.string(), folders: z.array(allowedFolderInfo), files: z.array(bundleFileInfo) }),
  }),
  'bundle.stat': defineMethod({
    summary: 'Size of a file (bundle or another tool\'s export) in an allowed folder, by name.',
    params: () => z.strictObject({ folderId, name: fileName }),
    result: () => bundleFileInfo,
  }),
  'bundle.readBytes': defineMethod({
    summary: 'Up to 720,000 bytes of a file in an allowed folder at an offset, base64.',
    params: () => z.strictObject({ folderId, name: fileName, offset: z.number().int().nonnegative(), length: z.number().int().positive().max(BUNDLE_READ_MAX_BYTES) }),
    result: () => z.object({ data: z.string() }),
  }),
  'bundle.writeOpen': defineMethod({
    summary: 'Starts writing a new bundle file (a plain name, default a dated one, in an allowed folder, default the bundle folder); bytes go to a temporary file until writeClose.',
    params: () => z.strictObject({ folderId: folderId.default('bundles'), fileName: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._ -]{0,120}$/).optional() }),
    result: () => z.object({ handle, folderId, name: z.string(), path: z.string() }),
  }),
  'bundle.writeChunk': defineMethod({
    summary: 'Appends base64 bytes at `offset` (must equal the bytes written so far).',
    params: () => z.strictObject({ handle, offset: z.number().int().nonnegative(), data: z.string().max(Math.ceil(BUNDLE_WRITE_MAX_BYTES / 3) * 4) }),
    result: () => z.object({ bytes: z.number().int().nonnegative() }),
  }),
  'bundle.writeClose': defineMethod({
    summary: 'Finishes a bundle: flushes, then renames the temporary file to its path (never over an existing file).',
    params: () => z.strictObject({ handle }),
    result: () => bundleFileInfo,
  }),
  'bundle.writeAbort': defineMethod({
    summary: 'Abandons a bundle being written and deletes its temporary file.',
    params: () => z.strictObject({ handle }),
    result: () => z.object({ aborted: z.boolean() }),
  }),
};
