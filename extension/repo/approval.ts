/**
 * One-time approval tokens for irreversible actions (applying a patch). `repo.preview`, asked by
 * one of our own pages, issues a token bound to the repository and the patch's SHA-256; only that
 * page receives it (a runtime reply goes to its sender alone). `repo.apply` must present it: once
 * (it is deleted as it is checked, whatever the outcome), within APPROVAL_TTL_MS, for the very
 * same repository and patch text.
 *
 * Kept in the database (`settings`, key `approval-token:<SHA-256 of the token>`): a token
 * outlives a service-worker restart while the user reads the diff, and the database holds only
 * its hash, so reading the store yields no usable token. (chrome.storage.session would need the
 * `storage` permission, which nothing else uses.)
 */
import { CodedError } from '../../shared/errors';
import { sha256Text } from '../../shared/sha256-text';
import type { HydraDb } from '../db';

/** As long as the host connection waits for an approval after a preview (handlers.ts). */
export const APPROVAL_TTL_MS = 15 * 60_000;
const KEY_PREFIX = 'approval-token:';

interface ApprovalRow {
  repoId: string;
  patchSha256: string;
  expiresAt: number;
}

/** A new token for `approval`; expired tokens are swept on the way. */
export async function issueApproval(db: HydraDb, approval: { repoId: string; patchSha256: string }, now = Date.now()): Promise<string> {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const token = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  const key = KEY_PREFIX + (await sha256Text(token));
  await db.transaction('rw', db.settings, async () => {
    const rows = await db.settings.where('key').startsWith(KEY_PREFIX).toArray();
    const expired = rows.filter((row) => (row.value as ApprovalRow).expiresAt <= now).map((row) => row.key);
    if (expired.length) await db.settings.bulkDelete(expired);
    await db.settings.put({ key, value: { ...approval, expiresAt: now + APPROVAL_TTL_MS } satisfies ApprovalRow, updatedAt: now });
  });
  return token;
}

/** Checks and uses up `token` for `approval`; throws APPROVAL_REQUIRED when it does not match. */
export async function consumeApproval(db: HydraDb, token: string | undefined, approval: { repoId: string; patchSha256: string }, now = Date.now()): Promise<void> {
  if (!token) throw new CodedError('APPROVAL_REQUIRED', 'Applying a patch needs the approval token of its preview');
  const key = KEY_PREFIX + (await sha256Text(token));
  const row = await db.transaction('rw', db.settings, async () => {
    const found = await db.settings.get(key);
    if (found) await db.settings.delete(key);
    return found?.value as ApprovalRow | undefined;
  });
  if (!row) throw new CodedError('APPROVAL_REQUIRED', 'The approval token is unknown or was already used: preview the patch again');
  if (row.expiresAt <= now) throw new CodedError('APPROVAL_REQUIRED', 'The approval token expired: preview the patch again');
  if (row.repoId !== approval.repoId || row.patchSha256 !== approval.patchSha256) throw new CodedError('APPROVAL_REQUIRED', 'The approval token was issued for another patch or repository');
}
