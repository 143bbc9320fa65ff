/** One-time approval tokens of repo.apply (extension/repo/approval.ts) on a real Dexie database. */
import Dexie from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { createDatabase, type HydraDb } from '../../../extension/db';
import { APPROVAL_TTL_MS, consumeApproval, issueApproval } from '../../../extension/repo/approval';

let db: HydraDb;
let n = 0;
afterEach(async () => {
  db.close();
  await Dexie.delete(db.name);
});

const approval = { repoId: 'demo', patchSha256: 'a'.repeat(64) };
const NOW = Date.UTC(2026, 11, 5);

describe('repo.apply approval tokens', () => {
  it('accept a token once, for its own patch, within its lifetime, also after a worker restart', async () => {
    db = createDatabase(`hydraflow-approval-${n++}`);
    const token = await issueApproval(db, approval, NOW);
    // The database holds only the token's hash.
    expect(JSON.stringify(await db.settings.toArray())).not.toContain(token);
    // A restarted worker opens the database anew.
    db.close();
    await db.open();
    await expect(consumeApproval(db, token, approval, NOW + APPROVAL_TTL_MS - 1)).resolves.toBeUndefined();
    await expect(consumeApproval(db, token, approval, NOW + 1)).rejects.toMatchObject({ code: 'APPROVAL_REQUIRED' });
  });

  it('refuse a missing, expired or foreign token, and spend a token shown with the wrong patch', async () => {
    db = createDatabase(`hydraflow-approval-${n++}`);
    await expect(consumeApproval(db, undefined, approval, NOW)).rejects.toMatchObject({ code: 'APPROVAL_REQUIRED' });
    const late = await issueApproval(db, approval, NOW);
    await expect(consumeApproval(db, late, approval, NOW + APPROVAL_TTL_MS)).rejects.toMatchObject({ code: 'APPROVAL_REQUIRED', message: expect.stringContaining('expired') });
    const token = await issueApproval(db, approval, NOW);
    await expect(consumeApproval(db, token, { ...approval, patchSha256: 'b'.repeat(64) }, NOW)).rejects.toMatchObject({ code: 'APPROVAL_REQUIRED', message: expect.stringContaining('another patch') });
    await expect(consumeApproval(db, token, approval, NOW)).rejects.toMatchObject({ code: 'APPROVAL_REQUIRED' });
    const other = await issueApproval(db, approval, NOW);
    await expect(consumeApproval(db, other, { ...approval, repoId: 'elsewhere' }, NOW)).rejects.toMatchObject({ code: 'APPROVAL_REQUIRED' });
  });

  it('sweeps expired tokens when a new one is issued', async () => {
    db = createDatabase(`hydraflow-approval-${n++}`);
    await issueApproval(db, approval, NOW);
    await issueApproval(db, approval, NOW + APPROVAL_TTL_MS + 1);
    expect(await db.settings.where('key').startsWith('approval-token:').count()).toBe(1);
  });
});
