/**
 * The service worker's start-up. Everything here runs synchronously on every start (an MV3
 * worker can be killed and restarted at any time, and a listener added late misses the event that
 * woke it). State lives in the database, never only in memory.
 */
import { browser } from 'wxt/browser';
import { appCommandHandlers } from '../app/handlers';
import { bundleCommandHandlers, resumeBundleImport } from '../bundles';
import { dispatchCommand, type CommandHandlers } from '../commands/router';
import { getDb } from '../db';
import { historyCommandHandlers, resumeHistoryImport } from '../history';
import { createNativeHostConnection, hostCommandHandlers } from '../host';
import { recoverInterruptedJobs, type JobResumer } from '../jobs';
import { repoCommandHandlers } from '../repo';
import { threadCommandHandlers } from '../threads';
import { registerCaptureListeners, syncOpenTabs } from '../capture';
import { recoverInterruptedReplies } from '../chat';
import type { JobType } from '../../shared/schemas/statuses';

export function main(): void {
  const db = getDb();
  const host = createNativeHostConnection();
  const handlers = {
    ...appCommandHandlers(db),
    ...hostCommandHandlers(host),
    ...repoCommandHandlers(db, host),
    ...historyCommandHandlers(db, host),
    ...threadCommandHandlers(db),
    ...bundleCommandHandlers(db, host),
  } satisfies CommandHandlers;

  browser.runtime.onMessage.addListener((message, sender) => {
    if (sender.id !== browser.runtime.id) return undefined;
    return dispatchCommand(handlers, message, { senderTabId: sender.tab?.id ?? null });
  });

  registerCaptureListeners(db);
  void syncOpenTabs(db).catch((error: unknown) => console.error('[hydraflow] tab sync failed', error));
  void recoverInterruptedReplies(db).catch((error: unknown) => console.error('[hydraflow] reply recovery failed', error));

  // Jobs cut off by the previous worker's death: resume those whose capability can, fail the rest.
  const resumers: Partial<Record<JobType, JobResumer>> = {
    history_import: (job) => resumeHistoryImport(db, host, job),
    bundle_import: (job) => resumeBundleImport(db, host, job),
  };
  void recoverInterruptedJobs(db, resumers).catch((error: unknown) => console.error('[hydraflow] job recovery failed', error));
}
