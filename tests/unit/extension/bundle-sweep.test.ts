/**
 * The start-up sweep's database half (extension/bundles/sweep.ts): a validation checkpoint row is
 * kept while its import job is queued or running and deleted otherwise (failed by the recovery,
 * cancelled, finished, or gone). Cache Storage's half runs in real Chromium (e2e bundle-leftovers).
 */
import { afterEach, describe, expect, it } from 'vitest';
import Dexie from 'dexie';
import { createDatabase, type HydraDb } from '../../../extension/db';
import { sweepImportLeftovers } from '../../../extension/bundles';
import type { Job } from '../../../shared/schemas/entities';

let db: HydraDb;
afterEach(async () => {
  db.close();
  await Dexie.delete(db.name);
});

function job(id: string, status: Job['status']): Job {
  const now = Date.now();
  return { id, type: 'bundle_import', status, createdAt: now, startedAt: now, finishedAt: null, progress: { done: 0, total: null, rate: null }, params: { file: { kind: 'staged', id: `staged-${id}`, name: 'b.hydraflow' } }, result: null, error: null, parentId: null, relatedIds: [], cursor: null, logTail: [], origin: 'extension' } as Job;
}

describe('sweepImportLeftovers', () => {
  it('keeps the checkpoints of queued and running imports and deletes the others', async () => {
    db = createDatabase('hydraflow-bundle-sweep-test');
    await db.open();
    const statuses = ['queued', 'running', 'failed', 'cancelled', 'succeeded'] as const;
    await db.jobs.bulkAdd(statuses.map((status) => job(status, status)));
    await db.settings.bulkAdd([...statuses, 'gone'].map((id) => ({ key: `bundles.validation:${id}`, value: { component: 0, count: 1 }, updatedAt: 0 })));
    await db.settings.add({ key: 'bundles.other', value: 1, updatedAt: 0 });
    expect(await sweepImportLeftovers(db)).toEqual({ copies: 0, staged: 0, checkpoints: 4 });
    expect((await db.settings.toCollection().primaryKeys()).sort()).toEqual(['bundles.other', 'bundles.validation:queued', 'bundles.validation:running']);
    // Nothing left to do: a second sweep deletes nothing.
    expect(await sweepImportLeftovers(db)).toEqual({ copies: 0, staged: 0, checkpoints: 0 });
  });
});
