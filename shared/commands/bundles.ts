/** Commands of the bundles capability: export (job), preview and import (job) of bundle files. */
import { z } from 'zod';
import { allowedFolderInfo, bundleFileInfo, fileName, folderId } from '../protocol/bundle';
import { bundleScope } from '../bundle/format';
import { timestamp } from '../schemas/entities';
import { defineCommand, OWN_PAGES } from './define';

/**
 * Where a file to import is: in a folder the host may use (by folder id and plain name, never a
 * path), or picked by the user and staged by a UI page in Cache Storage (read by the extension).
 */
export const bundleFileRef = z.lazy(() => z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('host'), folderId, name: fileName }),
  z.object({ kind: z.literal('staged'), id: z.string().uuid(), name: z.string().max(1000) }),
]));
export type BundleFileRef = z.infer<typeof bundleFileRef>;

export const exportScope = z.lazy(() => z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('all') }),
  z.object({ kind: z.literal('threads'), threadIds: z.array(z.string().min(1)).min(1).max(10_000) }),
  z.object({ kind: z.literal('history'), from: timestamp.nullable(), to: timestamp.nullable() }),
]));
export type ExportScope = z.infer<typeof exportScope>;

export const exportDestination = z.lazy(() => z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('host'), folderId: folderId.optional() }),
  z.object({ kind: z.literal('download') }),
]));

/** Per component: rows in the file, rows added, rows already present, rows that could not be mapped. */
export const componentCounts = z.lazy(() => z.object({ rows: z.number().int().nonnegative(), added: z.number().int().nonnegative(), present: z.number().int().nonnegative(), invalid: z.number().int().nonnegative() }));
export type ComponentCounts = z.infer<typeof componentCounts>;
export const importReport = z.lazy(() => z.record(z.string(), componentCounts));
export type ImportReport = z.infer<typeof importReport>;

export const bundlePreview = z.lazy(() => z.object({
  /** 'hydraflow-bundle', or the foreign format detected. */
  format: z.string(),
  schemaVersion: z.number().int().nullable(),
  createdAt: timestamp.nullable(),
  appVersion: z.string().nullable(),
  scope: bundleScope.nullable(),
  /** What would happen: `added` = would be added, `present` = already here. */
  components: importReport,
}));
export type BundlePreview = z.infer<typeof bundlePreview>;

/** The result stored on a finished export job. */
export const exportResult = z.lazy(() => z.object({
  destination: z.enum(['host', 'download']),
  path: z.string().nullable(),
  /** Cache Storage key of a download-destination bundle (the options page saves it). */
  cacheKey: z.string().nullable(),
  fileName: z.string(),
  bytes: z.number().int().nonnegative(),
  rows: z.record(z.string(), z.number().int().nonnegative()),
}));
export type ExportResult = z.infer<typeof exportResult>;

export const bundleCommands = {
  'bundles.export': defineCommand({
    callers: OWN_PAGES,
    summary: 'Starts a bundle export job: everything, some threads, or history in a date range; to the host (its bundle folder or a folder allowed on the host) or as a download.',
    params: () => z.object({ scope: exportScope, destination: exportDestination }),
    result: () => z.object({ jobId: z.string() }),
  }),
  'bundles.preview': defineCommand({
    callers: OWN_PAGES,
    summary: 'Validates a file (bundle or foreign export) and says what it holds and what an import would add; writes nothing.',
    params: () => z.object({ file: bundleFileRef }),
    result: () => bundlePreview,
  }),
  'bundles.import': defineCommand({
    callers: OWN_PAGES,
    summary: 'Starts a bundle import job (validate everything, then write in batches; importing twice adds nothing).',
    params: () => z.object({ file: bundleFileRef }),
    result: () => z.object({ jobId: z.string() }),
  }),
  'bundles.cancel': defineCommand({
    callers: OWN_PAGES,
    summary: 'Cancels a running bundle export or import job.',
    params: () => z.object({ jobId: z.string().min(1) }),
    result: () => z.object({ cancelled: z.boolean() }),
  }),
  'bundles.files': defineCommand({
    callers: OWN_PAGES,
    summary: 'The folders the host may use and their files.',
    params: () => z.object({}),
    result: () => z.object({ folder: z.string(), folders: z.array(allowedFolderInfo), files: z.array(bundleFileInfo) }),
  }),
};
