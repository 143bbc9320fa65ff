/**
 * Who sent a runtime message, from what the browser (never the message) says about the sender.
 * Its own module so the offscreen document can check its senders without loading the schemas.
 */
import type { CommandCaller } from '../../shared/commands/define';

/** What the router knows of a message's sender (a subset of runtime.MessageSender). */
export interface CommandSender {
  id?: string;
  url?: string;
  origin?: string;
  tab?: { id?: number };
}

/** `scheme://host[:port]` of a URL (URL.origin is "null" for chrome-extension: outside Chromium). */
function originOf(url: string | undefined): string | null {
  const match = url ? /^([a-z][a-z0-9+.-]*:\/\/[^/?#]*)/i.exec(url) : null;
  return match ? match[1]!.toLowerCase() : null;
}

/**
 * Which kind of context sent a message, from what the browser (not the message) says about it.
 * Our own pages have our extension's origin, also when one is open in a tab (`sender.tab` is then
 * set too); both `origin` and `url` must say so. A sender of our extension with any other origin
 * is a content script in a web page. Anything else (another extension, no URL) is nobody.
 */
export function callerOf(sender: CommandSender, extensionId: string): CommandCaller | null {
  if (sender.id !== extensionId) return null;
  const own = `chrome-extension://${extensionId}`;
  const urlOrigin = originOf(sender.url);
  const origin = sender.origin ?? urlOrigin;
  if (origin === own && urlOrigin === own) return 'extension-page';
  if (sender.tab && origin !== own && urlOrigin !== own) return 'content-script';
  return null;
}
