/**
 * Readable text with Readability, in one place for both paths that need it: inside a tab
 * (injected by capture.page through entrypoints/readability.ts, in the extension's isolated world,
 * on a clone of the document so the page itself is never modified) and in the offscreen document
 * for fetched HTML (page refresh: the service worker has no DOM).
 */
import { Readability } from '@mozilla/readability';

export interface ReadableResult {
  title: string;
  byline: string | null;
  text: string;
}

/** Runs Readability on `doc` (which it modifies: pass a clone or a parsed copy). */
export function readableOf(doc: Document, fallbackTitle: string, fallbackText: () => string): ReadableResult {
  const article = new Readability(doc).parse();
  return {
    title: article?.title || fallbackTitle,
    byline: article?.byline ?? null,
    text: (article?.textContent ?? fallbackText()).replace(/\n{3,}/g, '\n\n').trim(),
  };
}

export function installReadable(): void {
  (globalThis as { __hydraflowReadable?: () => unknown }).__hydraflowReadable = () => readableOf(document.cloneNode(true) as Document, document.title, () => document.body?.innerText ?? '');
}

export interface ExtractedPage extends ReadableResult {
  /** Every `<a href>` of the page, raw, with its rel attribute. */
  links: { href: string; rel: string }[];
  /** `<meta name="robots">` content, when present. */
  metaRobots: string | null;
}

/**
 * Parses fetched HTML (never attached to a live document: scripts do not run, nothing loads) and
 * extracts its readable text and links. `url` becomes the base for relative links.
 */
export function extractFromHtml(html: string, url: string): ExtractedPage {
  const doc = new DOMParser().parseFromString(html, 'text/html');
  if (!doc.querySelector('base[href]')) {
    const base = doc.createElement('base');
    base.setAttribute('href', url);
    doc.head.prepend(base);
  }
  const links = [...doc.querySelectorAll('a[href]')].map((a) => ({ href: a.getAttribute('href') ?? '', rel: a.getAttribute('rel') ?? '' }));
  const metaRobots = doc.querySelector('meta[name="robots" i]')?.getAttribute('content') ?? null;
  const fallback = doc.body?.textContent ?? '';
  const readable = readableOf(doc, doc.title, () => fallback);
  return { ...readable, links, metaRobots };
}
