/**
 * The service worker's start-up. Everything here runs synchronously on every start (an MV3
 * worker can be killed and restarted at any time, and a listener added late misses the event that
 * woke it). State lives in the database, never only in memory.
 */
import { browser } from 'wxt/browser';
import { appCommandHandlers } from '../app/handlers';
import { dispatchCommand, type CommandHandlers } from '../commands/router';
import { getDb } from '../db';
import { createNativeHostConnection, hostCommandHandlers } from '../host';

export function main(): void {
  const db = getDb();
  const host = createNativeHostConnection();
  const handlers = {
    ...appCommandHandlers(db),
    ...hostCommandHandlers(host),
  } satisfies CommandHandlers;

  browser.runtime.onMessage.addListener((message, sender) => {
    if (sender.id !== browser.runtime.id) return undefined;
    return dispatchCommand(handlers, message, { senderTabId: sender.tab?.id ?? null });
  });
}
