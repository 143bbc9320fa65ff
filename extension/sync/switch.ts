/**
 * Whether sync is on, for the outbox (outbox.ts records only then), and what sync forgets when it
 * is off. No browser API here: the worker's start-up and the unit tests call it alike.
 */
import { syncConfig, type SyncConfig } from '../../shared/commands/sync';
import type { HydraDb } from '../db';
import { CHECKPOINT_KEY, CONFIG_KEY, STATE_KEY } from './engine';
import { setOutboxRecording } from './outbox';

export async function readConfig(db: HydraDb): Promise<SyncConfig | null> {
  const parsed = syncConfig.safeParse((await db.settings.get(CONFIG_KEY))?.value);
  return parsed.success ? parsed.data : null;
}

/**
 * What sync keeps of a database, forgotten when sync is off (inside the caller's transaction):
 * the changes waiting to be sent and the visit tombstones (both name rows and visits, and a visit's
 * id holds its URL), the server revisions known (`syncDocs`), the checkpoint and the status. The
 * next sync with a database, even the same one, then starts over (engine.ts `startOver`): it pulls
 * what the server holds and sends every row.
 */
export async function forgetSync(db: HydraDb): Promise<void> {
  await Promise.all([db.syncOutbox.clear(), db.syncTombstones.clear(), db.syncDocs.clear(), db.settings.bulkDelete([CHECKPOINT_KEY, STATE_KEY])]);
}

/**
 * At worker start (before any other start-up chore): reads whether sync is set up and tells the
 * outbox (outbox.ts: until then it records). Sync off: what sync kept is forgotten (`forgetSync`),
 * including what the outbox recorded before it knew — in one transaction that reads the settings
 * again, so a configuration saved meanwhile wins. Cheap when sync is off and nothing is kept: one
 * read-only transaction.
 */
export async function settleSyncBookkeeping(db: HydraDb): Promise<void> {
  const [config, outbox, tombstones, docs, checkpoint] = await db.transaction('r', [db.settings, db.syncOutbox, db.syncTombstones, db.syncDocs], () =>
    Promise.all([readConfig(db), db.syncOutbox.count(), db.syncTombstones.count(), db.syncDocs.count(), db.settings.get(CHECKPOINT_KEY)]),
  );
  if (config) return setOutboxRecording(db.name, true);
  setOutboxRecording(db.name, false);
  if (outbox + tombstones + docs === 0 && !checkpoint) return;
  await db.transaction('rw', [db.settings, db.syncOutbox, db.syncTombstones, db.syncDocs], async () => {
    if (await readConfig(db)) return setOutboxRecording(db.name, true);
    await forgetSync(db);
  });
}

