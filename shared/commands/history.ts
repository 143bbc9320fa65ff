/** Commands of the history capability: profiles, import jobs, Takeout drop, visit deletion. */
import { z } from 'zod';
import { fileName, folderId } from '../protocol/bundle';
import { historyProfile } from '../protocol/history';
import { defineCommand, OWN_PAGES } from './define';

/**
 * The counts every history import reports, honestly: read = added + duplicates + invalid +
 * deleted (visits a privacy delete removed since, not brought back; absent when none).
 */
export const importCounts = z.lazy(() => z.object({
  read: z.number().int().nonnegative(),
  added: z.number().int().nonnegative(),
  duplicates: z.number().int().nonnegative(),
  invalid: z.number().int().nonnegative(),
  deleted: z.number().int().nonnegative().optional(),
}));
export type ImportCounts = z.infer<typeof importCounts>;

export const historyCommands = {
  'history.profiles': defineCommand({
    callers: OWN_PAGES,
    summary: 'Browser profiles the native host found, with History size and last-modified time.',
    params: () => z.object({}),
    result: () => z.object({ profiles: z.array(historyProfile) }),
  }),
  'history.import': defineCommand({
    callers: OWN_PAGES,
    summary: 'Starts a history import job for a profile (or a file in a folder allowed on the host, by name); incremental unless `full`.',
    params: () => z
      .object({
        profileId: z.string().min(1).max(300).optional(),
        file: z.object({ folderId, name: fileName }).optional(),
        full: z.boolean().default(false),
      })
      .refine((p) => (p.profileId === undefined) !== (p.file === undefined), { message: 'give exactly one of profileId or file' }),
    result: () => z.object({ jobId: z.string() }),
  }),
  'history.importFile': defineCommand({
    callers: OWN_PAGES,
    summary: 'Imports a History or places.sqlite file the user picked (staged in Cache Storage by the page): its bytes are handed to the host, never a path.',
    params: () => z.object({ stagedId: z.string().uuid(), name: z.string().max(1000) }),
    result: () => z.object({ jobId: z.string() }),
  }),
  'history.importTakeout': defineCommand({
    callers: OWN_PAGES,
    summary: 'Imports a Google Takeout BrowserHistory.json the user picked (staged in Cache Storage by the page, read by the worker as a stream), without the native host.',
    params: () => z.object({ fileName: z.string().max(1000), stagedId: z.string().uuid() }),
    result: () => z.object({ jobId: z.string() }),
  }),
  'history.cancelImport': defineCommand({
    callers: OWN_PAGES,
    summary: 'Cancels a running history import job.',
    params: () => z.object({ jobId: z.string().min(1) }),
    result: () => z.object({ cancelled: z.boolean() }),
  }),
  'history.deleteVisits': defineCommand({
    callers: OWN_PAGES,
    summary: 'Deletes visits by id.',
    params: () => z.object({ ids: z.array(z.string().min(1)).max(10_000) }),
    result: () => z.object({ deleted: z.number().int().nonnegative() }),
  }),
};
