/** Commands of sync (docs/sync.md): its settings, its status, and "Sync now". */
import { z } from 'zod';
import { errorBody } from '../protocol/envelope';
import { id, timestamp } from '../schemas/entities';
import { defineCommand, OWN_PAGES } from './define';

const serverUrl = z.lazy(() =>
  z
    .string()
    .trim()
    .max(2000)
    .refine((text) => {
      try {
        const url = new URL(text);
        return (url.protocol === 'https:' || url.protocol === 'http:') && !url.username && !url.password && !url.search && !url.hash;
      } catch {
        return false;
      }
    }, 'an http(s) URL without credentials, query or fragment'),
);

/** CouchDB's rule for database names. */
const database = z.lazy(() => z.string().regex(/^[a-z][a-z0-9_$()+/-]{0,237}$/, 'a CouchDB database name: lowercase letters, digits and _$()+-/ , starting with a letter'));

/** What the user sets (the stored row `sync.config` also keeps the password and passphrase, never sent back to a page). */
export const syncConfig = z.lazy(() =>
  z.object({
  serverUrl,
  database,
  username: z.string().max(200).default(''),
  password: z.string().max(1000).default(''),
  encrypt: z.boolean().default(true),
  passphrase: z.string().max(1000).default(''),
  /** Saved pages whose text is larger than this are not synced (0: no pages). */
  pagesMaxBytes: z.number().int().min(0).max(50_000_000).default(1_000_000),
  }),
);
export type SyncConfig = z.infer<typeof syncConfig>;

export const syncSettingsView = z.lazy(() =>
  z.object({
  serverUrl: z.string(),
  database: z.string(),
  username: z.string(),
  hasPassword: z.boolean(),
  encrypt: z.boolean(),
  hasPassphrase: z.boolean(),
  pagesMaxBytes: z.number().int(),
  }),
);

export const syncStatus = z.lazy(() =>
  z.object({
  configured: z.boolean(),
  lastSyncAt: timestamp.nullable(),
  lastError: errorBody.nullable(),
  /** Documents changed here and not yet sent. */
  pending: z.number().int().nonnegative(),
  runningJobId: id.nullable(),
  }),
);
export type SyncStatus = z.infer<typeof syncStatus>;

export const syncCommands = {
  'sync.getSettings': defineCommand({
    callers: OWN_PAGES,
    summary: 'The sync settings, without the password and passphrase.',
    params: () => z.object({}),
    result: () => z.object({ settings: syncSettingsView.nullable() }),
  }),
  'sync.setSettings': defineCommand({
    callers: OWN_PAGES,
    summary: 'Saves the sync settings (an empty password or passphrase keeps the saved one), or turns sync off (null).',
    params: () => z.object({
      settings: syncConfig
        .unwrap()
        .extend({ password: z.string().max(1000).optional(), passphrase: z.string().max(1000).optional() })
        .refine((config) => !config.encrypt || config.passphrase === undefined || config.passphrase === '' || config.passphrase.length >= 8, { message: 'a passphrase of at least 8 characters', path: ['passphrase'] })
        .nullable(),
    }),
    result: () => z.object({ settings: syncSettingsView.nullable() }),
  }),
  'sync.status': defineCommand({
    callers: OWN_PAGES,
    summary: 'Last sync, pending changes and the last error.',
    params: () => z.object({}),
    result: () => syncStatus,
  }),
  'sync.start': defineCommand({
    callers: OWN_PAGES,
    summary: 'Starts a sync now (or returns the one running) as a `sync` job.',
    params: () => z.object({}),
    result: () => z.object({ jobId: id }),
  }),
};
