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

const BLOCK = new Set(['ADDRESS', 'ARTICLE', 'ASIDE', 'BLOCKQUOTE', 'BR', 'DD', 'DIV', 'DL', 'DT', 'FIGCAPTION', 'FIGURE', 'FOOTER', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'HEADER', 'HR', 'LI', 'MAIN', 'NAV', 'OL', 'P', 'PRE', 'SECTION', 'TABLE', 'TBODY', 'THEAD', 'TR', 'UL']);

/**
 * The text of an element with one line per block (paragraph, heading, list item, table row…), so
 * a line diff between two versions shows the paragraphs that changed. Whitespace inside a block
 * is collapsed, except in <pre>.
 */
export function blockText(root: Node): string {
  const lines: string[] = [];
  let line = '';
  const flush = () => {
    const text = line.replace(/[ \t\f\v\u00a0]+/g, ' ').trim();
    if (text) lines.push(text);
    line = '';
  };
  const walk = (node: Node, pre: boolean) => {
    if (node.nodeType === 3) {
      line += pre ? (node.nodeValue ?? '') : (node.nodeValue ?? '').replace(/\s+/g, ' ');
      return;
    }
    if (node.nodeType !== 1 && node.nodeType !== 9 && node.nodeType !== 11) return;
    const name = (node as Element).tagName ?? '';
    if (name === 'SCRIPT' || name === 'STYLE' || name === 'NOSCRIPT' || name === 'TEMPLATE') return;
    const block = BLOCK.has(name);
    if (block) flush();
    if (name === 'PRE') {
      for (const part of (node.textContent ?? '').split('\n')) lines.push(part.replace(/\s+$/, ''));
      return;
    }
    for (let child = node.firstChild; child; child = child.nextSibling) walk(child, pre);
    if (block) flush();
  };
  walk(root, false);
  flush();
  return lines.join('\n').replace(/\n{3,}/g, '\n\n').trim();
}

/** Runs Readability on `doc` (which it modifies: pass a clone or a parsed copy). */
export function readableOf(doc: Document, fallbackTitle: string, fallbackText: () => string): ReadableResult {
  const article = new Readability(doc).parse();
  // Readability's textContent runs paragraphs together; its content (sanitized HTML, parsed
  // inert here, never attached to a page) keeps the block boundaries.
  const text = article?.content ? blockText(new DOMParser().parseFromString(article.content, 'text/html').body) : fallbackText();
  return {
    title: article?.title || fallbackTitle,
    byline: article?.byline ?? null,
    text: text.replace(/\n{3,}/g, '\n\n').trim(),
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
  const fallback = doc.body ? blockText(doc.body) : '';
  const readable = readableOf(doc, doc.title, () => fallback);
  return { ...readable, links, metaRobots };
}
