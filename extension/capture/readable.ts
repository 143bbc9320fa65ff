/**
 * Runs inside a tab (injected by capture.page through entrypoints/readability.ts): defines the
 * function that extracts the page's readable text with Readability, in the extension's isolated
 * world, on a clone of the document so the page itself is never modified.
 */
import { Readability } from '@mozilla/readability';

export function installReadable(): void {
  (globalThis as { __hydraflowReadable?: () => unknown }).__hydraflowReadable = () => {
    const article = new Readability(document.cloneNode(true) as Document).parse();
    return {
      title: article?.title || document.title,
      byline: article?.byline ?? null,
      text: (article?.textContent ?? document.body?.innerText ?? '').replace(/\n{3,}/g, '\n\n').trim(),
    };
  };
}
