/**
 * Which links a focused refresh follows from a fetched page: http(s) only, on the same site (same
 * host, a leading `www.` ignored), without fragment, not to obvious non-HTML files, and none at
 * all from a page marked `nofollow`. Pure: the hrefs come from the offscreen document's DOM.
 */
import { normalizeUrl } from '../url';

const NOT_HTML = /\.(pdf|zip|gz|tgz|bz2|xz|7z|rar|tar|jpe?g|png|gif|webp|avif|svg|ico|bmp|tiff?|mp3|mp4|m4a|ogg|wav|webm|mov|avi|mkv|exe|dmg|msi|deb|rpm|apk|iso|css|js|mjs|json|xml|rss|atom|woff2?|ttf|otf|csv|xlsx?|docx?|pptx?)$/i;

export interface PageLink {
  href: string;
  /** The link's rel attribute ('' when none). */
  rel: string;
}

export function siteOf(host: string): string {
  return host.toLowerCase().replace(/\.$/, '').replace(/^www\./, '');
}

/**
 * The distinct same-site links of a page, as normalized absolute URLs, in document order. `base`
 * is the page's own URL; `nofollow` is the page's meta robots saying not to follow its links.
 */
export function followableLinks(base: string, links: readonly PageLink[], options: { nofollow?: boolean } = {}): string[] {
  if (options.nofollow) return [];
  let from: URL;
  try {
    from = new URL(base);
  } catch {
    return [];
  }
  const self = normalizeUrl(base);
  const seen = new Set<string>();
  const out: string[] = [];
  for (const link of links) {
    if (/(^|\s)nofollow(\s|$)/i.test(link.rel)) continue;
    let url: URL;
    try {
      url = new URL(link.href.trim(), from);
    } catch {
      continue;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') continue;
    if (siteOf(url.hostname) !== siteOf(from.hostname)) continue;
    if (NOT_HTML.test(url.pathname)) continue;
    const normalized = normalizeUrl(url.href);
    if (!normalized || normalized === self || seen.has(normalized)) continue;
    seen.add(normalized);
    out.push(normalized);
  }
  return out;
}

/** True when a `<meta name="robots">` content forbids following links. */
export function metaNofollow(content: string | null): boolean {
  return content !== null && /(^|[\s,])(nofollow|none)([\s,]|$)/i.test(content);
}
