/**
 * Wipe everything with sync on (docs/sync.md, "Wipe and delete all history"): the wipe clears
 * every store, and sync keeps what it needs to take the wipe to the other machines — its settings,
 * checkpoint and the server revisions it knows — and queues a `reset:all` document stamped now
 * and a deletion of every document the server holds (reset.ts). Sync off: nothing is kept.
 */
import { docKindOf, RESET_ALL } from '../../shared/sync/format';
import type { HydraDb, SyncOutboxRow } from '../db';
import { tick } from './clock';
import { CHECKPOINT_KEY, CONFIG_KEY, STATE_KEY } from './engine';
import { outboxGrew } from './outbox';
import { keepThroughWipe } from '../privacy';

/** Called by the wipe inside its transaction (every store) before it clears them; what it returns, after. */
async function syncThroughWipe(db: HydraDb): Promise<() => Promise<void>> {
  const settings = (await db.settings.bulkGet([CONFIG_KEY, STATE_KEY, CHECKPOINT_KEY])).filter((row) => row !== undefined);
  if (!settings.some((row) => row.key === CONFIG_KEY)) return async () => {};
  const docs = await db.syncDocs.toArray();
  return async () => {
    await db.settings.bulkPut(settings);
    await db.syncDocs.bulkPut(docs);
    const hlc = tick();
    const deletions = docs.filter((doc) => !doc.deleted && docKindOf(doc.docId) !== 'reset').map((doc): SyncOutboxRow => ({ docId: doc.docId, hlc }));
    await db.syncOutbox.bulkPut([...deletions, { docId: RESET_ALL, hlc }]);
    outboxGrew();
  };
}

keepThroughWipe(syncThroughWipe);
