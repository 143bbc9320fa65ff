/**
 * Runs in the offscreen document (entrypoints/offscreen): answers extraction requests from the
 * service worker. Only the runtime API exists here; everything else is plain DOM.
 */
import { browser } from 'wxt/browser';
import { extractFromHtml } from '../capture/readable';
import { EXTRACT_MESSAGE_TYPE } from './offscreen';

export function listenForExtraction(): void {
  browser.runtime.onMessage.addListener((message: unknown, sender) => {
    if (sender.id !== browser.runtime.id) return undefined;
    const request = message as { type?: unknown; html?: unknown; url?: unknown } | null;
    if (request?.type !== EXTRACT_MESSAGE_TYPE || typeof request.html !== 'string' || typeof request.url !== 'string') return undefined;
    return Promise.resolve(extractFromHtml(request.html, request.url));
  });
}
