/**
 * The omnibox keyword `hf`: search hits → Chrome suggestions, and the text Chrome hands back on
 * Enter → where to go. Pure (the omnibox API wiring is extension/search/omnibox.ts).
 * A suggestion's description is XML that Chrome parses: every piece of hit text is escaped and
 * only our own <match>/<url>/<dim> elements are markup, so a page title cannot inject any.
 */
import type { SearchHit } from '../commands/search';
import type { SearchKind } from './kinds';
import { markedPieces } from './marks';
import { isWebUrl } from '../url';

export const OMNIBOX_MAX_SUGGESTIONS = 8;
/** Suggestion content for items without a URL: opens the thread view in the options page. */
const THREAD_PREFIX = 'hf-thread:';
/** Chrome truncates the description anyway; a bound keeps hostile giant titles cheap. */
const MAX_TITLE_CHARS = 200;

const KIND_LABEL: Record<SearchKind, string> = { visit: 'History', page: 'Page', thread: 'Thread', message: 'Message', task: 'Task', memory: 'Memory' };

export interface OmniboxSuggestion {
  content: string;
  description: string;
}

/** Escapes the five XML special characters, and drops characters XML 1.0 forbids (Chrome's parser rejects the whole description otherwise). */
export function escapeOmniboxXml(text: string): string {
  return text
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/'/g, '&apos;')
    .replace(/"/g, '&quot;');
}

/** The text with its marked ranges wrapped in <match>, everything escaped. */
export function markedXml(text: string, marks: readonly (readonly [number, number])[]): string {
  return markedPieces(text, marks)
    .map((piece) => (piece.marked ? `<match>${escapeOmniboxXml(piece.text)}</match>` : escapeOmniboxXml(piece.text)))
    .join('');
}

export function omniboxDescription(hit: SearchHit): string {
  const cut = hit.title.length > MAX_TITLE_CHARS;
  const title = hit.title.trim() ? markedXml(cut ? hit.title.slice(0, MAX_TITLE_CHARS) : hit.title, hit.titleMarks) + (cut ? '…' : '') : escapeOmniboxXml(hit.url ?? '(untitled)');
  const where = hit.url ? ` <url>${escapeOmniboxXml(hit.url)}</url>` : '';
  return `<dim>${KIND_LABEL[hit.kind]}</dim> ${title}${where}`;
}

/** Where a hit goes from the omnibox: its URL when it has a web URL, else its thread. Null when neither. */
export function omniboxContent(hit: SearchHit): string | null {
  if (hit.url && isOpenableUrl(hit.url)) return hit.url;
  if (hit.threadId) return `${THREAD_PREFIX}${hit.threadId}`;
  return null;
}

/** At most `max` suggestions, one per distinct content (Chrome drops duplicates unpredictably). */
export function omniboxSuggestions(hits: readonly SearchHit[], max = OMNIBOX_MAX_SUGGESTIONS): OmniboxSuggestion[] {
  const seen = new Set<string>();
  const out: OmniboxSuggestion[] = [];
  for (const hit of hits) {
    const content = omniboxContent(hit);
    if (content === null || seen.has(content)) continue;
    seen.add(content);
    out.push({ content, description: omniboxDescription(hit) });
    if (out.length >= max) break;
  }
  return out;
}

export type OmniboxTarget = { kind: 'url'; url: string } | { kind: 'thread'; threadId: string } | { kind: 'search'; q: string };

/**
 * What Enter means: a suggestion's URL, a suggestion's thread, or (typed text that is neither)
 * the full search page with that text. Only web/file URLs are opened: `javascript:` and other
 * schemes typed after the keyword are searched for, never navigated to.
 */
export function omniboxTarget(text: string): OmniboxTarget {
  const trimmed = text.trim();
  if (trimmed.startsWith(THREAD_PREFIX)) {
    const threadId = trimmed.slice(THREAD_PREFIX.length);
    if (threadId.length >= 1 && threadId.length <= 100) return { kind: 'thread', threadId };
  }
  if (isOpenableUrl(trimmed)) return { kind: 'url', url: trimmed };
  return { kind: 'search', q: trimmed };
}

/** Web addresses (http, https): the only ones search ever navigates to or shows as a link (isWebUrl). */
export function isOpenableUrl(text: string): boolean {
  return isWebUrl(text);
}
