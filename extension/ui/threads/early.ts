/**
 * The side panel asks for its tab's thread before its UI code has loaded. A tiny classic script
 * (entrypoints/panel-early.ts, in the page's <head>) sends `threads.forTab` while the page is still
 * parsing, and `useTabThread` takes that answer for its first resolution instead of asking again:
 * the background answers while the UI modules load.
 *
 * The early script uses `chrome.*` directly: it blocks parsing, so it must not carry the polyfill.
 */
import type { CommandResult } from '../../../shared/commands';
import type { Result } from '../../../shared/errors';
import { COMMAND_MESSAGE_TYPE } from '../../commands/message';

type ForTabReply = Result<CommandResult<'threads.forTab'>>;

interface EarlyRequest {
  tabId: number;
  url: string | null;
  reply: Promise<ForTabReply>;
}

const SLOT = '__hydraflowEarlyThread';
type EarlySlot = { [SLOT]?: Promise<EarlyRequest | null> };

/** `?tabId=N` names the panel's tab; otherwise it is the window's active tab (never an incognito one). */
export function requestThreadEarly(): void {
  const ask = (params: { tabId: number; url?: string; title?: string }): Promise<ForTabReply> =>
    (chrome.runtime.sendMessage({ type: COMMAND_MESSAGE_TYPE, method: 'threads.forTab', params }) as Promise<ForTabReply | undefined>).then(
      // Not `err()`: it would pull the whole error table into this blocking script.
      (reply) => reply ?? { ok: false, error: { code: 'INTERNAL_ERROR', message: 'The background did not answer' } },
      (error: unknown) => ({ ok: false, error: { code: 'INTERNAL_ERROR', message: `Could not reach the background: ${(error as Error).message}` } }),
    );
  const tabId = Number(new URLSearchParams(location.search).get('tabId') ?? NaN);
  (globalThis as EarlySlot)[SLOT] = Number.isInteger(tabId)
    ? Promise.resolve({ tabId, url: null, reply: ask({ tabId }) })
    : chrome.tabs.query({ active: true, currentWindow: true }).then(
        ([tab]) => (tab?.id === undefined || tab.incognito || !tab.url ? null : { tabId: tab.id, url: tab.url, reply: ask({ tabId: tab.id, url: tab.url, title: tab.title ?? '' }) }),
        () => null,
      );
}

/** The early answer when it was asked for this tab and URL (taken once); else null, and the caller asks. */
export async function takeEarlyThread(tabId: number, url: string | null): Promise<ForTabReply | null> {
  const slot = globalThis as EarlySlot;
  const pending = slot[SLOT];
  delete slot[SLOT];
  const request = await pending;
  return request && request.tabId === tabId && request.url === url ? request.reply : null;
}
