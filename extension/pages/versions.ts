/**
 * Page versions: a page's readable text is stored as a new version only when it differs from the
 * page's latest version (a text that changes back is a new version too: the history shows it).
 * Version numbers grow from the highest kept, so a retention prune never makes two versions share
 * a number. Diffs between versions are computed on demand, never stored.
 */
import { CodedError } from '../../shared/errors';
import { reverseHost } from '../../shared/host-key';
import { newId } from '../../shared/ids';
import { diffHunks, diffLines } from '../../shared/pages/diff';
import type { Page } from '../../shared/schemas/entities';
import { hostOf, urlKey } from '../../shared/url';
import type { HydraDb } from '../db';
import { textHash } from '../memories/memories';

export interface ReadableText {
  url: string;
  title: string;
  byline: string | null;
  text: string;
}

export interface StoredVersion {
  page: Page;
  stored: boolean;
  /** The version before this one (null for a page seen the first time). */
  previous: Page | null;
}

/** The latest version of a page by URL key, or undefined. */
export async function latestVersion(db: HydraDb, key: string): Promise<Page | undefined> {
  const versions = await db.pages.where('urlKey').equals(key).toArray();
  return versions.sort((a, b) => b.version - a.version || b.capturedAt - a.capturedAt)[0];
}

/** Stores the text as the page's next version unless it equals the latest version's text. */
export async function storePageVersion(db: HydraDb, readable: ReadableText, now = Date.now()): Promise<StoredVersion> {
  const key = urlKey(readable.url);
  const hash = await textHash(readable.text);
  return db.transaction('rw', db.pages, async () => {
    const latest = await latestVersion(db, key);
    if (latest && latest.contentHash === hash) return { page: latest, stored: false, previous: null };
    const page: Page = {
      id: newId(),
      url: readable.url,
      urlKey: key,
      hostRev: reverseHost(hostOf(readable.url)),
      title: readable.title.slice(0, 10_000),
      byline: readable.byline === null ? null : readable.byline.slice(0, 1000),
      text: readable.text,
      contentHash: hash,
      version: (latest?.version ?? 0) + 1,
      capturedAt: now,
    };
    await db.pages.add(page);
    return { page, stored: true, previous: latest ?? null };
  });
}

export type PageMeta = Omit<Page, 'text'>;

export function pageMeta(page: Page): PageMeta {
  const { text: _text, ...meta } = page;
  return meta;
}

/** The diff of a version against another version of the same page (default: the version before it). */
export async function diffVersions(db: HydraDb, pageId: string, againstId?: string, context = 3) {
  const page = await db.pages.get(pageId);
  if (!page) throw new CodedError('NOT_FOUND', `No page version ${pageId}`);
  let base: Page | undefined;
  if (againstId !== undefined) {
    base = await db.pages.get(againstId);
    if (!base) throw new CodedError('NOT_FOUND', `No page version ${againstId}`);
    if (base.urlKey !== page.urlKey) throw new CodedError('INVALID_COMMAND', 'Both versions must be of the same page');
  } else {
    const older = (await db.pages.where('urlKey').equals(page.urlKey).toArray()).filter((p) => p.version < page.version);
    base = older.sort((a, b) => b.version - a.version)[0];
  }
  const diff = diffLines(base?.text ?? '', page.text);
  return { from: base ? pageMeta(base) : null, to: pageMeta(page), added: diff.added, removed: diff.removed, exact: diff.exact, hunks: diffHunks(diff.lines, context) };
}
