/**
 * Runs in the offscreen document (entrypoints/offscreen): answers extraction requests from the
 * service worker. Only the runtime API exists here; everything else is plain DOM.
 */
import { browser } from 'wxt/browser';
import { extractFromHtml } from '../capture/readable';
import { callerOf } from '../commands/caller';
import { EXTRACT_MESSAGE_TYPE } from './offscreen';

export function listenForExtraction(): void {
  browser.runtime.onMessage.addListener((message: unknown, sender) => {
    // Only the service worker asks; a content script in a web page must not use this parser.
    if (callerOf(sender, browser.runtime.id) !== 'extension-page') return undefined;
    const request = message as { type?: unknown; html?: unknown; url?: unknown } | null;
    if (request?.type !== EXTRACT_MESSAGE_TYPE || typeof request.html !== 'string' || typeof request.url !== 'string') return undefined;
    return Promise.resolve(extractFromHtml(request.html, request.url));
  });
}
