/**
 * URL normalization and URL-derived keys, in exactly one place. The normalized form decides which
 * visits are the same visit and which thread belongs to a page, so changing it is a migration.
 */
import { stringKey } from './hash';

/**
 * Normalizes a URL for identity: lowercase scheme and host, no default port, no fragment, no
 * empty query marker. Query parameters keep their order (order can be meaningful). Returns null
 * for strings that are not absolute URLs.
 */
export function normalizeUrl(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return null;
  }
  url.hash = '';
  let text = url.href;
  if (text.endsWith('?')) text = text.slice(0, -1);
  return text;
}

/** The dedupe/index key of a URL: a hash of its normalized form (or of the raw text if unparsable). */
export function urlKey(raw: string): string {
  return stringKey(normalizeUrl(raw) ?? raw);
}

/**
 * `urlKey(raw)` and `hostOf(raw)` together, parsing the URL once (makeVisit needs both for every
 * visit an import reads). Same answers as the two functions, whitespace and unparsable text included.
 */
export function urlKeyAndHost(raw: string): { key: string; host: string } {
  const trimmed = raw.trim();
  let url: URL | null = null;
  try {
    url = new URL(trimmed);
  } catch {
    // not an absolute URL: the raw text is its own key
  }
  // hostOf parses the text as given; only surrounding whitespace can make that differ.
  if (!url) return { key: stringKey(raw), host: trimmed === raw ? '' : hostOf(raw) };
  const host = trimmed === raw ? url.hostname.toLowerCase().replace(/\.$/, '') : hostOf(raw);
  url.hash = '';
  let text = url.href;
  if (text.endsWith('?')) text = text.slice(0, -1);
  return { key: stringKey(text), host };
}

/** Lowercase host of a URL without a trailing dot, or '' when it has none (about:, data:, …). */
export function hostOf(raw: string): string {
  try {
    return new URL(raw).hostname.toLowerCase().replace(/\.$/, '');
  } catch {
    return '';
  }
}

/** True for URLs we never capture: browser-internal pages and our own extension pages. */
export function isCapturableUrl(raw: string): boolean {
  return /^(https?|file|ftp):/i.test(raw);
}

/**
 * An http: or https: URL that parses: the only visits we import and the only URLs a view makes a
 * link of (javascript:, data:, file:, chrome:, blob: … are counted invalid on import and shown as
 * text; docs/history.md says why).
 */
export function isWebUrl(raw: string): boolean {
  if (!/^https?:/i.test(raw)) return false;
  try {
    const url = new URL(raw);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
