/**
 * The saved pages a refresh starts from: for a thread, the pages it is bound to (plus the URLs of
 * its tabs and its start URL, saved or not); for a query, saved pages whose latest version holds
 * every word (a scan until search lands: docs/refresh.md); for domains, saved pages on them or
 * their subdomains (the hostRev index, never a substring). The stalest pages come first, so a
 * page cap keeps the ones that most need it.
 */
import { reverseHost } from '../../shared/host-key';
import { pageMatchesQuery, queryWords, type RefreshScope } from '../../shared/refresh/scope';
import type { Page } from '../../shared/schemas/entities';
import { urlKey } from '../../shared/url';
import type { HydraDb } from '../db';
import { getThread } from '../threads/store';

export interface Seed {
  url: string;
  urlKey: string;
  /** When its latest version was captured (null: never saved). */
  capturedAt: number | null;
}

function latestByKey(pages: Iterable<Page>): Map<string, Page> {
  const latest = new Map<string, Page>();
  for (const page of pages) {
    const known = latest.get(page.urlKey);
    if (!known || page.version > known.version) latest.set(page.urlKey, page);
  }
  return latest;
}

function toSeeds(latest: Map<string, Page>): Seed[] {
  return [...latest.values()].map((p) => ({ url: p.url, urlKey: p.urlKey, capturedAt: p.capturedAt }));
}

export async function resolveSeeds(db: HydraDb, scope: RefreshScope): Promise<Seed[]> {
  let seeds: Seed[];
  if (scope.kind === 'thread') {
    const thread = await getThread(db, scope.threadId);
    const keys = new Set(thread.urlKeys);
    const saved = latestByKey(await db.pages.where('urlKey').anyOf([...keys]).toArray());
    seeds = toSeeds(saved);
    const unsaved = new Map<string, string>();
    for (const tab of await db.tabs.where('threadId').equals(thread.id).toArray()) if (tab.url && keys.has(tab.urlKey)) unsaved.set(tab.urlKey, tab.url);
    if (thread.url && keys.has(urlKey(thread.url))) unsaved.set(urlKey(thread.url), thread.url);
    for (const [key, url] of unsaved) if (!saved.has(key)) seeds.push({ url, urlKey: key, capturedAt: null });
  } else if (scope.kind === 'domains') {
    const pages: Page[] = [];
    for (const domain of scope.domains) {
      const rev = reverseHost(domain);
      pages.push(...(await db.pages.where('hostRev').equals(rev).or('hostRev').startsWith(`${rev}.`).toArray()));
    }
    seeds = toSeeds(latestByKey(pages));
  } else {
    const words = queryWords(scope.query);
    // Only the latest version of each page decides, and only its verdict is kept, not its text.
    const latest = new Map<string, { seed: Seed; version: number; matches: boolean }>();
    await db.pages.each((page) => {
      const known = latest.get(page.urlKey);
      if (known && known.version >= page.version) return;
      latest.set(page.urlKey, { seed: { url: page.url, urlKey: page.urlKey, capturedAt: page.capturedAt }, version: page.version, matches: pageMatchesQuery(words, page) });
    });
    seeds = [...latest.values()].filter((entry) => entry.matches).map((entry) => entry.seed);
  }
  return seeds.sort((a, b) => (a.capturedAt ?? -1) - (b.capturedAt ?? -1) || (a.url < b.url ? -1 : a.url > b.url ? 1 : 0));
}
