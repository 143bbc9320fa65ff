/**
 * Privacy deletes reach every copy of the history they select, by whole domain labels (never a
 * substring), and refuse filters that are missing or malformed with stable codes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import Dexie from 'dexie';
import { createDatabase, STORE_NAMES, storeCounterKey, type HydraDb } from '../../../extension/db';
import { dispatchCommand, type CommandHandlers } from '../../../extension/commands/router';
import { privacyCommandHandlers, prunePageVersions, UNLINKED_THREAD_TITLE } from '../../../extension/privacy';
import { addVisits, makeVisit } from '../../../extension/history/visits';
import { createMemory } from '../../../extension/memories/memories';
import { threadForTab } from '../../../extension/threads/store';
import { reverseHost } from '../../../shared/host-key';
import { hostOf, urlKey } from '../../../shared/url';
import type { Page } from '../../../shared/schemas/entities';
import { storedVisitCount, storedVisits } from '../../support/visits';
import { Indexer } from '../../../extension/search';
import { searchQuery } from '../../../extension/search/service';
import { searchParams } from '../../../shared/commands/search';
// The worker loads sync: its outbox middleware and visit observer see every write (docs/sync.md).
import { syncCommandHandlers } from '../../../extension/sync/handlers';
import { settleSyncBookkeeping } from '../../../extension/sync/switch';
import '../../../extension/sync/wipe';

let db: HydraDb;
let n = 0;
/** A profile as the worker opens it: its start-up reads whether sync is set up (here: not), unless `started` is false. */
async function fresh(started = true): Promise<HydraDb> {
  db = createDatabase(`hydraflow-privacy-test-${n++}`);
  await db.open();
  if (started) await settleSyncBookkeeping(db);
  return db;
}
afterEach(async () => {
  db.close();
  await Dexie.delete(db.name);
});

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 9, 1);

function page(url: string, version: number, at: number): Page {
  return { id: `page-${url}-${version}`, url, urlKey: urlKey(url), hostRev: reverseHost(hostOf(url)), title: `Title v${version}`, byline: null, text: `Text of version ${version}`, contentHash: version.toString(16).padStart(64, '0'), version, capturedAt: at };
}

/** History of three sites: the target, a subdomain of it, and a sibling that contains its name as a substring. */
const SEED_URLS = ['https://ample.com/a', 'https://ample.com/b', 'https://news.ample.com/x', 'https://example.com/a', 'https://sample.org/q'];
async function seed() {
  const urls = SEED_URLS;
  for (const [i, url] of urls.entries()) {
    await addVisits(db, [0, 1, 2].map((d) => makeVisit({ url, title: `Visit ${i}`, visitedAt: T0 + d * DAY + i, transition: 'link', source: 'live' })));
    await db.pages.add(page(url, 1, T0 + i));
    await db.tabSnapshots.add({ id: `snap-${i}`, tabId: 100 + i, url, urlKey: urlKey(url), hostRev: reverseHost(hostOf(url)), title: `Tab ${i}`, threadId: null, capturedAt: T0 + i });
    await db.tabs.put({ tabId: 100 + i, windowId: 1, index: i, url, urlKey: urlKey(url), title: `Tab ${i}`, active: 0, open: 1, threadId: null, openedAt: T0, updatedAt: T0 + i });
  }
  const threadA = (await threadForTab(db, { tabId: 100, url: urlsOf(0), title: 'Ample article' })).thread;
  const threadE = (await threadForTab(db, { tabId: 103, url: urlsOf(3), title: 'Example article' })).thread;
  await db.messages.add({ id: 'note-1', threadId: threadA.id, role: 'note', content: 'my own words', status: 'complete', model: null, error: null, createdAt: T0, updatedAt: T0 });
  await createMemory(db, { text: 'Fact from the ample page', scope: 'global', source: { kind: 'page', id: page(urlsOf(0), 1, 0).id } });
  await createMemory(db, { text: 'Fact from the example page', scope: 'global', source: { kind: 'page', id: page(urlsOf(3), 1, 0).id } });
  return { threadA, threadE };
  function urlsOf(i: number) {
    return urls[i]!;
  }
}

/**
 * Every row of every store (sync's included) whose JSON names `host`: as a host (…//needle/,
 * …//sub.needle/ or the bare name), reversed, or by the URL key of a seeded URL on it (a visit's
 * id, and so a sync tombstone's, is `<urlKey>@<time>`). One known exception is left out: a
 * history delete's own job keeps its filter as the subject the Jobs page shows (docs/privacy.md).
 */
async function rowsMentioningHost(host: string): Promise<string[]> {
  const found: string[] = [];
  const pattern = new RegExp(`(//|\\.|")${host.replace(/\./g, '\\.')}(/|"|$)`);
  const reversed = reverseHost(host);
  const keys = SEED_URLS.filter((url) => hostOf(url) === host || hostOf(url).endsWith(`.${host}`)).map((url) => urlKey(url));
  for (const store of STORE_NAMES) {
    for (const row of await db.table(store).toArray()) {
      const { params: _filter, ...rest } = row as { params?: unknown; type?: unknown };
      const json = JSON.stringify(store === 'jobs' && rest.type === 'privacy_delete' ? rest : row);
      if (pattern.test(json) || json.includes(`"${reversed}"`) || json.includes(`"${reversed}.`) || keys.some((key) => json.includes(key))) found.push(`${store}: ${json.slice(0, 120)}`);
    }
  }
  return found;
}

const handlers = () => ({ ...privacyCommandHandlers(db, null), ...syncCommandHandlers(db) }) as unknown as CommandHandlers;
const call = (method: string, params: unknown) => dispatchCommand(handlers(), { type: 'hydraflow/command', method, params }, { senderTabId: null, caller: 'extension-page' });

describe('delete history', () => {
  it('deleting a domain with its subdomains leaves no row naming it, and never touches a sibling that contains it as a substring', async () => {
    await fresh();
    const { threadA, threadE } = await seed();
    const indexer = new Indexer(db);
    const search = (q: string) => searchQuery(db, indexer, searchParams.parse({ q }), null);
    expect((await search('ample')).hits.length).toBeGreaterThan(0);
    const exampleBefore = (await rowsMentioningHost('example.com')).length;
    // The count a person confirms first is exactly what the delete then removes; it deletes nothing.
    expect(await call('privacy.countHistory', { domain: 'ample.com', includeSubdomains: true })).toMatchObject({ ok: true, result: { visits: 9, pages: 3, tabSnapshots: 3 } });
    expect(await call('privacy.countHistory', { domain: 'ample.com' })).toMatchObject({ ok: true, result: { visits: 6, pages: 2, tabSnapshots: 2 } });
    expect(await call('privacy.countHistory', { everything: true })).toMatchObject({ ok: true, result: { visits: 15, pages: 5, tabSnapshots: 5 } });
    expect(await call('privacy.countHistory', {})).toMatchObject({ ok: false, error: { code: 'FILTER_REQUIRED' } });
    expect(await storedVisitCount(db)).toBe(15);
    const reply = await call('privacy.deleteHistory', { domain: 'ample.com', includeSubdomains: true });
    expect(reply).toMatchObject({ ok: true, result: { deleted: { visits: 9, pages: 3, tabSnapshots: 3, memories: 1, tabsCleared: 3, threadsUnlinked: 1 } } });
    // The search journal holds the deleted URL keys until the index applies it (docs/search.md): a search does.
    expect((await search('ample')).hits).toEqual([]);
    expect(await rowsMentioningHost('ample.com')).toEqual([]);
    expect(await rowsMentioningHost('news.ample.com')).toEqual([]);
    // example.com and sample.org keep everything.
    expect((await rowsMentioningHost('example.com')).length).toBe(exampleBefore);
    expect((await storedVisits(db)).filter((v) => v.hostRev === 'com.example').length).toBe(3);
    expect((await storedVisits(db)).filter((v) => v.hostRev === 'org.sample').length).toBe(3);
    expect(await db.memories.count()).toBe(1);
    // The thread stays with the user's messages, unlinked from the deleted page; the other thread is untouched.
    const a = (await db.threads.get(threadA.id))!;
    expect(a).toMatchObject({ url: null, urlKeys: [], title: UNLINKED_THREAD_TITLE });
    expect(await db.messages.get('note-1')).toBeDefined();
    expect(await db.threads.get(threadE.id)).toEqual(threadE);
    // Counters follow.
    expect((await db.counters.get(storeCounterKey('visits')))!.n).toBe(await storedVisitCount(db));
    // The job records what it did.
    const job = (await db.jobs.where('type').equals('privacy_delete').first())!;
    expect(job).toMatchObject({ status: 'succeeded', result: { visits: 9 } });
  });

  it('an exact domain spares its subdomains; a URL and a time range delete only what they select', async () => {
    await fresh();
    await seed();
    expect(await call('privacy.deleteHistory', { domain: 'ample.com' })).toMatchObject({ ok: true, result: { deleted: { visits: 6, pages: 2 } } });
    expect((await storedVisits(db)).filter((v) => v.hostRev === 'com.ample.news').length).toBe(3);
    expect(await call('privacy.deleteHistory', { url: 'https://EXAMPLE.com/a#frag' })).toMatchObject({ ok: true, result: { deleted: { visits: 3, pages: 1 } } });
    const before = await storedVisitCount(db);
    const reply = await call('privacy.deleteHistory', { from: T0 + DAY, to: T0 + 2 * DAY });
    expect(reply).toMatchObject({ ok: true, result: { deleted: { visits: 2 } } });
    expect(await storedVisitCount(db)).toBe(before - 2);
    expect((await storedVisits(db)).filter((v) => v.visitedAt >= T0 + DAY && v.visitedAt < T0 + 2 * DAY).length).toBe(0);
  });

  it('refuses a delete without a filter, an inverted range, a malformed domain or URL, and deletes nothing', async () => {
    await fresh();
    await seed();
    const before = await storedVisitCount(db);
    expect(await call('privacy.deleteHistory', {})).toMatchObject({ ok: false, error: { code: 'FILTER_REQUIRED' } });
    expect(await call('privacy.deleteHistory', { includeSubdomains: true })).toMatchObject({ ok: false, error: { code: 'FILTER_REQUIRED' } });
    expect(await call('privacy.deleteHistory', { from: T0 + DAY, to: T0 })).toMatchObject({ ok: false, error: { code: 'FILTER_INVALID' } });
    expect(await call('privacy.deleteHistory', { domain: 'not a domain/..' })).toMatchObject({ ok: false, error: { code: 'DOMAIN_INVALID' } });
    expect(await call('privacy.deleteHistory', { url: 'not a url' })).toMatchObject({ ok: false, error: { code: 'FILTER_INVALID' } });
    expect(await call('privacy.deleteHistory', { everything: true, domain: 'ample.com' })).toMatchObject({ ok: false, error: { code: 'FILTER_INVALID' } });
    expect(await call('privacy.deleteHistory', { from: 'yesterday' })).toMatchObject({ ok: false, error: { code: 'INVALID_COMMAND' } });
    expect(await storedVisitCount(db)).toBe(before);
    expect(await db.jobs.where('type').equals('privacy_delete').count()).toBe(0);
  });

  it('deletes everything when asked for everything', async () => {
    await fresh();
    await seed();
    expect(await call('privacy.deleteHistory', { everything: true })).toMatchObject({ ok: true, result: { deleted: { visits: 15, pages: 5, tabSnapshots: 5, memories: 2, tabsCleared: 5 } } });
    expect(await storedVisitCount(db)).toBe(0);
    expect(await db.messages.count()).toBe(1);
  });
});

describe('sync bookkeeping and deletes (docs/sync.md, "Sync off")', () => {
  const SYNC_STORES = ['syncOutbox', 'syncTombstones', 'syncDocs'] as const;
  const syncRows = async () => Object.fromEntries(await Promise.all(SYNC_STORES.map(async (store) => [store, await db.table(store).count()] as const)));
  const none = { syncOutbox: 0, syncTombstones: 0, syncDocs: 0 };
  const drainSearch = () => searchQuery(db, new Indexer(db), searchParams.parse({ q: 'ample' }), null);

  it('with sync off the outbox records nothing; what it recorded before the worker knew is forgotten at start-up', async () => {
    // Writes made before the start-up has read the settings are recorded (the safe side when sync is on)…
    await fresh(false);
    await seed();
    expect((await syncRows()).syncOutbox).toBeGreaterThan(0);
    expect(await call('privacy.deleteHistory', { domain: 'ample.com' })).toMatchObject({ ok: true, result: { deleted: { visits: 6 } } });
    expect((await syncRows()).syncTombstones).toBe(6);
    // …and forgotten once it finds sync off.
    await settleSyncBookkeeping(db);
    expect(await syncRows()).toEqual(none);
    expect(await call('privacy.deleteHistory', { domain: 'news.ample.com' })).toMatchObject({ ok: true, result: { deleted: { visits: 3 } } });
    await db.threads.update((await db.threads.toCollection().first())!.id, { title: 'Renamed' });
    expect(await syncRows()).toEqual(none);
    await drainSearch();
    expect(await rowsMentioningHost('ample.com')).toEqual([]);
  });

  it('with sync set up a delete keeps its tombstones for the other machines; turning sync off forgets every row sync kept', async () => {
    await fresh();
    const settings = { serverUrl: 'http://127.0.0.1:5984', database: 'hydraflow-test', username: 'u', password: 'p', encrypt: true, passphrase: 'correct horse battery', pagesMaxBytes: 1000 };
    expect(await call('sync.setSettings', { settings })).toMatchObject({ ok: true });
    await seed();
    expect(await call('privacy.deleteHistory', { domain: 'ample.com', includeSubdomains: true })).toMatchObject({ ok: true, result: { deleted: { visits: 9 } } });
    await drainSearch();
    // Only sync's rows still name the domain: the deletes waiting to be sent.
    const naming = await rowsMentioningHost('ample.com');
    expect(naming.length).toBeGreaterThan(0);
    expect(naming.filter((row) => !row.startsWith('syncOutbox:') && !row.startsWith('syncTombstones:'))).toEqual([]);
    expect((await syncRows()).syncTombstones).toBe(9);
    // A worker restart with sync on keeps them.
    await settleSyncBookkeeping(db);
    expect((await syncRows()).syncTombstones).toBe(9);
    await db.settings.put({ key: 'sync.checkpoint', value: { identity: 'x', since: 0 }, updatedAt: 0 });
    // Settings → Sync, "Turn sync off": nothing of sync is left, and later writes record nothing.
    expect(await call('sync.setSettings', { settings: null })).toMatchObject({ ok: true, result: { settings: null } });
    expect(await syncRows()).toEqual(none);
    expect(await db.settings.get('sync.checkpoint')).toBeUndefined();
    expect(await rowsMentioningHost('ample.com')).toEqual([]);
    await db.threads.update((await db.threads.toCollection().first())!.id, { title: 'Renamed' });
    expect(await call('privacy.deleteHistory', { domain: 'example.com' })).toMatchObject({ ok: true, result: { deleted: { visits: 3 } } });
    expect(await syncRows()).toEqual(none);
  });
});

describe('forget, wipe and retention', () => {
  it('forgets a tab with its snapshots only', async () => {
    await fresh();
    await seed();
    expect(await call('privacy.forgetTab', { tabId: 101 })).toMatchObject({ ok: true, result: { tabs: 1, tabSnapshots: 1 } });
    expect(await db.tabs.get(101)).toBeUndefined();
    expect(await db.tabSnapshots.count()).toBe(4);
  });

  it('wipes every store only with the confirmation word', async () => {
    await fresh();
    await seed();
    expect(await call('privacy.wipe', { confirm: 'yes' })).toMatchObject({ ok: false, error: { code: 'CONFIRMATION_REQUIRED' } });
    expect(await storedVisitCount(db)).toBe(15);
    const reply = await call('privacy.wipe', { confirm: 'WIPE', host: false });
    expect(reply).toMatchObject({ ok: true, result: { stores: { visits: 15, pages: 5 }, host: null } });
    for (const store of STORE_NAMES) expect(await db.table(store).count(), store).toBe(0);
  });

  it('keeps the newest N versions of each page and reports what it removed', async () => {
    await fresh();
    for (let v = 1; v <= 5; v++) await db.pages.add(page('https://a.example/', v, T0 + v));
    for (let v = 1; v <= 2; v++) await db.pages.add(page('https://b.example/', v, T0 + v));
    expect(await prunePageVersions(db, 2)).toBe(3);
    expect((await db.pages.where('urlKey').equals(urlKey('https://a.example/')).toArray()).map((p) => p.version).sort()).toEqual([4, 5]);
    expect(await db.pages.where('urlKey').equals(urlKey('https://b.example/')).count()).toBe(2);
    await call('privacy.setRetention', { settings: { jobsOlderThanDays: null, pageVersionsPerPage: 1, hostLogMiB: null, hostPreimageMiB: null } });
    const run = await call('privacy.runRetention', {});
    expect(run).toMatchObject({ ok: true, result: { report: { pageVersionsRemoved: 2, jobsRemoved: 0, host: null } } });
    expect(await call('privacy.getRetention', {})).toMatchObject({ ok: true, result: { settings: { pageVersionsPerPage: 1 }, lastRun: { report: { pageVersionsRemoved: 2 } } } });
  });
});

