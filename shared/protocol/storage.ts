/** What the native host keeps on disk: how much, a size-capped clean-up, and a wipe. */
import { z } from 'zod';
import { defineMethod } from './define';

const bytes = z.lazy(() => z.number().int().nonnegative());

export const storageMethods = {
  'storage.usage': defineMethod({
    summary: 'Bytes the host keeps in its data dir: bundles, repo ledgers (entries + pre-images), logs.',
    params: () => z.object({}),
    result: () => z.object({ bundles: bytes, ledger: bytes, logs: bytes }),
  }),
  'storage.prune': defineMethod({
    summary: 'Removes the oldest rotated logs beyond logBytes and the oldest ledger pre-images beyond preimageBytes.',
    params: () => z.object({ logBytes: bytes.nullable(), preimageBytes: bytes.nullable() }),
    result: () => z.object({ logBytesRemoved: bytes, preimageBytesRemoved: bytes, changesNoLongerRevertible: z.number().int().nonnegative() }),
  }),
  'storage.wipe': defineMethod({
    summary: 'Deletes the host data (bundles, repo ledgers, rotated logs); keeps the launcher and the config. Needs confirm: "WIPE".',
    params: () => z.object({ confirm: z.literal('WIPE') }),
    result: () => z.object({ removedBytes: bytes }),
  }),
};
