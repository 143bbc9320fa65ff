/**
 * Disk headroom for large writes. When a LevelDB log append under IndexedDB is cut off by a full
 * disk, Chromium (156) can find the torn record at the next open ("Corruption: partial record
 * without end"), delete the origin's whole database and start an empty one ("IndexedDB recovering
 * from a corrupted (and deleted) database"): the storage-pressure stress scenario saw every visit
 * and the job row itself disappear that way (docs/reliability.md). So a large write (a history or
 * bundle import, a sync pull, the visit migration) never fills the disk itself: before each batch
 * it asks how much the origin may still store (`navigator.storage.estimate()`: quota − usage, which
 * with `unlimitedStorage` is the disk's free space, measured at the call) and stops with
 * QUOTA_EXCEEDED below the headroom. The headroom
 * covers what LevelDB writes besides the batch (log, memtable flush, a compaction's output before
 * its inputs are deleted).
 */
import { CodedError } from '../../shared/errors';

/** Free space a large write leaves on the disk. */
export const DISK_HEADROOM_BYTES = 64 * 1024 * 1024;

/** Throws QUOTA_EXCEEDED when the origin may store less than the headroom; a browser that cannot tell is not refused. */
export async function ensureDiskHeadroom(): Promise<void> {
  const storage = (globalThis.navigator as Navigator | undefined)?.storage;
  if (typeof storage?.estimate !== 'function') return;
  const { quota, usage } = await storage.estimate().catch(() => ({ quota: undefined, usage: undefined }));
  if (quota === undefined || usage === undefined) return;
  const left = quota - usage;
  if (left >= DISK_HEADROOM_BYTES) return;
  const mb = (bytes: number) => Math.max(0, Math.round(bytes / 2 ** 20));
  throw new CodedError('QUOTA_EXCEEDED', `Only ${mb(left)} MB of disk space is left (HydraFlow keeps ${mb(DISK_HEADROOM_BYTES)} MB free): it stopped writing before the disk filled. Free some space, then try again.`);
}
