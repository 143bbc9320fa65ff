/**
 * Visit storage layouts compared (issue #25, docs/adr/0006-visit-chunks.md), run by
 * `npm run bench -- visit-layouts` after `npx wxt build`. The same generated visits
 * (HF_BENCH_VISITS, default 100k, over HF_BENCH_URLS URLs, default a fifth; one domain holds 12% of
 * them, one visit every 10 s) are stored in real Chromium IndexedDB (an extension page, raw
 * IndexedDB, each layout in its own database, one transaction per 10,000 visits) as:
 *   rows        — today's (v1–v4): one row per visit, indexes visitedAt, urlKey, hostRev, source;
 *   time-chunks — rows of up to 256 visits in time order, per-chunk dictionaries, indexes *urlKeys, *hosts (chosen);
 *   url-chunks  — one row per URL with its visits' arrays, indexes hostRev, lastAt.
 * Per layout: import, re-import (adds 0), the History view's first page (newest 200 visits),
 * exact-domain delete (12% of the visits), hydration of 10 search hits (a URL key and a visit
 * time each), export (every visit as a row, JSON) and stored bytes per visit (the database's
 * LevelDB files after the browser closed). One JSON line per figure and layout, with `rows` as
 * the baseline of the same run.
 */
import { readdirSync, rmSync, statSync, mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { launchWithExtension, openExtensionPage, serviceWorkerTarget } from '../support/chromium';

const VISITS = Number(process.env.HF_BENCH_VISITS ?? 100_000);
const URLS = Number(process.env.HF_BENCH_URLS ?? Math.round(VISITS / 5));
const LAYOUTS = ['rows', 'time-chunks', 'url-chunks'] as const;
type Layout = (typeof LAYOUTS)[number];
type Figures = Record<string, number>;

function dirBytes(path: string): number {
  let total = 0;
  for (const name of readdirSync(path)) {
    const full = join(path, name);
    const stat = statSync(full);
    total += stat.isDirectory() ? dirBytes(full) : stat.size;
  }
  return total;
}

/** Runs one layout's figures inside the page (raw IndexedDB; the code is self-contained). */
function runLayout(page: Page, layout: Layout): Promise<Figures> {
  return page.evaluate(
    async (layout: string, VISITS: number, URLS: number) => {
      const BATCH = 10_000;
      const CHUNK = 256;
      const T0 = Date.UTC(2025, 0, 1);
      const HEAVY = 'com.heavy';
      type V = { id: string; url: string; urlKey: string; hostRev: string; title: string; visitedAt: number; transition: string; source: string };
      const urlOf = (u: number) => (u % 8 === 0 ? { url: `https://heavy.example/inbox/${u}?view=${u % 13}`, hostRev: HEAVY } : { url: `https://site${u % 997}.example/page/${u}?ref=${u % 13}`, hostRev: `example.site${u % 997}` });
      const keyOf = (u: number) => `k${(u * 2654435761) % 4294967296}`.padEnd(18, 'x');
      const visits: V[] = [];
      for (let i = 0; i < VISITS; i++) {
        // 12% of visits on the heavy domain (every 8th URL, visited as often as the others).
        const u = i % URLS;
        const { url, hostRev } = urlOf(u);
        const visitedAt = T0 + i * 10_000 + (i % 7);
        visits.push({ id: `${keyOf(u)}@${visitedAt}`, url, urlKey: keyOf(u), hostRev, title: `Page ${u} — generated title with some words`, visitedAt, transition: i % 7 === 0 ? 'reload' : 'link', source: 'chrome' });
      }
      const req = <T>(r: IDBRequest<T>) => new Promise<T>((resolve, reject) => ((r.onsuccess = () => resolve(r.result)), (r.onerror = () => reject(r.error))));
      const done = (tx: IDBTransaction) => new Promise<void>((resolve, reject) => ((tx.oncomplete = () => resolve()), (tx.onerror = () => reject(tx.error)), (tx.onabort = () => reject(tx.error))));
      const name = `layout-${layout}`;
      await req(indexedDB.deleteDatabase(name));
      const open = indexedDB.open(name, 1);
      open.onupgradeneeded = () => {
        const db = open.result;
        if (layout === 'rows') {
          const s = db.createObjectStore('v', { keyPath: 'id' });
          for (const index of ['visitedAt', 'urlKey', 'hostRev', 'source']) s.createIndex(index, index);
        } else if (layout === 'time-chunks') {
          const s = db.createObjectStore('v', { keyPath: 'id' });
          s.createIndex('urlKeys', 'urlKeys', { multiEntry: true });
          s.createIndex('hosts', 'hosts', { multiEntry: true });
        } else {
          const s = db.createObjectStore('v', { keyPath: 'urlKey' });
          s.createIndex('hostRev', 'hostRev');
          s.createIndex('lastAt', 'lastAt');
        }
      };
      const db = await req(open);

      // Chunk encoding, as extension/visits/chunk.ts does it.
      type C = { id: number; n: number; urls: string[]; urlKeys: string[]; urlHost: number[]; hosts: string[]; titles: string[]; transitions: string[]; sources: string[]; at: number[]; url: number[]; title: number[]; transition: number[]; source: number[] };
      const dict = () => {
        const list: string[] = [];
        const m = new Map<string, number>();
        return { list, of: (s: string) => m.get(s) ?? (m.set(s, list.length), list.push(s) - 1) };
      };
      const encode = (id: number, vs: V[]): C => {
        const keys = dict(), hosts = dict(), titles = dict(), trs = dict(), srcs = dict();
        const urls: string[] = [], urlHost: number[] = [];
        const c: C = { id, n: vs.length, urls, urlKeys: keys.list, urlHost, hosts: hosts.list, titles: titles.list, transitions: trs.list, sources: srcs.list, at: [], url: [], title: [], transition: [], source: [] };
        for (const v of vs) {
          const u = keys.of(v.urlKey);
          if (u === urls.length) {
            urls.push(v.url);
            urlHost.push(hosts.of(v.hostRev));
          }
          c.at.push(v.visitedAt);
          c.url.push(u);
          c.title.push(titles.of(v.title));
          c.transition.push(trs.of(v.transition));
          c.source.push(srcs.of(v.source));
        }
        return c;
      };
      const decode = (c: C): V[] =>
        c.at.map((visitedAt, i) => ({ id: `${c.urlKeys[c.url[i]!]}@${visitedAt}`, url: c.urls[c.url[i]!]!, urlKey: c.urlKeys[c.url[i]!]!, hostRev: c.hosts[c.urlHost[c.url[i]!]!]!, title: c.titles[c.title[i]!]!, visitedAt, transition: c.transitions[c.transition[i]!]!, source: c.sources[c.source[i]!]! }));
      const cut = (vs: V[], firstId?: number): C[] => {
        const out: C[] = [];
        for (let s = 0; s < vs.length; ) {
          let e = Math.min(vs.length, s + CHUNK);
          while (e < vs.length && vs[e]!.visitedAt === vs[e - 1]!.visitedAt) e++;
          out.push(encode(s === 0 && firstId !== undefined ? Math.min(firstId, vs[0]!.visitedAt) : vs[s]!.visitedAt, vs.slice(s, e)));
          s = e;
        }
        return out;
      };
      type U = { urlKey: string; url: string; hostRev: string; lastAt: number; at: number[]; titles: string[]; title: number[]; transition: string[]; source: string[] };

      /** One batch written in one transaction; returns the visits added. */
      const write = async (batch: V[]): Promise<number> => {
        const tx = db.transaction('v', 'readwrite');
        const s = tx.objectStore('v');
        let added = 0;
        if (layout === 'rows') {
          for (const v of batch) {
            const r = s.add(v);
            r.onsuccess = () => added++;
            r.onerror = (e) => (e.preventDefault(), e.stopPropagation());
          }
        } else if (layout === 'time-chunks') {
          const min = batch[0]!.visitedAt, max = batch[batch.length - 1]!.visitedAt;
          const floorCursor = await req(s.openCursor(IDBKeyRange.upperBound(min), 'prev'));
          const chunks: C[] = [...(floorCursor ? [floorCursor.value as C] : []), ...((await req(s.getAll(IDBKeyRange.bound(min, max, true, false)))) as C[])];
          if (chunks.length === 0) {
            for (const c of cut(batch)) s.put(c);
            added = batch.length;
          } else {
            const groups: V[][] = chunks.map(() => []);
            let ci = 0;
            for (const v of batch) {
              while (ci + 1 < chunks.length && chunks[ci + 1]!.id <= v.visitedAt) ci++;
              groups[ci]!.push(v);
            }
            chunks.forEach((c, i) => {
              const ids = new Set(c.at.map((at, j) => `${c.urlKeys[c.url[j]!]}@${at}`));
              const fresh = groups[i]!.filter((v) => !ids.has(v.id));
              if (!fresh.length) return;
              added += fresh.length;
              const pieces = cut(decode(c).concat(fresh).sort((a, b) => a.visitedAt - b.visitedAt || (a.urlKey < b.urlKey ? -1 : 1)), c.id);
              for (const p of pieces) s.put(p);
              if (pieces[0]!.id !== c.id) s.delete(c.id);
            });
          }
        } else {
          const byUrl = new Map<string, V[]>();
          for (const v of batch) {
            if (!byUrl.has(v.urlKey)) byUrl.set(v.urlKey, []);
            byUrl.get(v.urlKey)!.push(v);
          }
          const keys = [...byUrl.keys()];
          const rows = await Promise.all(keys.map((k) => req(s.get(k)) as Promise<U | undefined>));
          keys.forEach((k, i) => {
            const row: U = rows[i] ?? { urlKey: k, url: byUrl.get(k)![0]!.url, hostRev: byUrl.get(k)![0]!.hostRev, lastAt: 0, at: [], titles: [], title: [], transition: [], source: [] };
            const have = new Set(row.at);
            let changed = false;
            for (const v of byUrl.get(k)!) {
              if (have.has(v.visitedAt)) continue;
              have.add(v.visitedAt);
              let t = row.titles.indexOf(v.title);
              if (t < 0) t = row.titles.push(v.title) - 1;
              row.at.push(v.visitedAt);
              row.title.push(t);
              row.transition.push(v.transition);
              row.source.push(v.source);
              row.lastAt = Math.max(row.lastAt, v.visitedAt);
              added++;
              changed = true;
            }
            if (changed) s.put(row);
          });
        }
        await done(tx);
        return added;
      };

      const out: Record<string, number> = {};
      const timeImport = async () => {
        const t = performance.now();
        let added = 0;
        for (let i = 0; i < visits.length; i += BATCH) added += await write(visits.slice(i, i + BATCH));
        return { ms: performance.now() - t, added };
      };
      const first = await timeImport();
      if (first.added !== VISITS) throw new Error(`${layout}: import added ${first.added}`);
      out.import_ms = first.ms;
      const again = await timeImport();
      if (again.added !== 0) throw new Error(`${layout}: re-import added ${again.added}`);
      out.reimport_ms = again.ms;

      // History view: the newest 200 visits, newest first.
      let t = performance.now();
      {
        const tx = db.transaction('v');
        const s = tx.objectStore('v');
        const page: V[] = [];
        if (layout === 'rows') {
          let cur = await req(s.index('visitedAt').openCursor(null, 'prev'));
          while (cur && page.length < 200) {
            page.push(cur.value as V);
            cur.continue();
            cur = await req(cur.request as IDBRequest<IDBCursorWithValue | null>);
          }
        } else if (layout === 'time-chunks') {
          let cur = await req(s.openCursor(null, 'prev'));
          while (cur && page.length < 200) {
            page.push(...decode(cur.value as C).reverse().slice(0, 200 - page.length));
            cur.continue();
            cur = await req(cur.request as IDBRequest<IDBCursorWithValue | null>);
          }
        } else {
          // URLs by last visit, newest first, until no later URL can hold a newer visit than the 200th.
          let cur = await req(s.index('lastAt').openCursor(null, 'prev'));
          const found: number[] = [];
          while (cur) {
            const row = cur.value as U;
            found.push(...row.at);
            found.sort((a, b) => b - a);
            if (found.length >= 200 && found[199]! > row.lastAt) break;
            cur.continue();
            cur = await req(cur.request as IDBRequest<IDBCursorWithValue | null>);
          }
          page.push(...(found.slice(0, 200) as unknown as V[]));
        }
        if (page.length !== 200) throw new Error(`${layout}: first page ${page.length}`);
      }
      out.first_page_ms = performance.now() - t;

      // Search hydration: 10 hits, each a URL key and a visit time.
      const hits = Array.from({ length: 10 }, (_, i) => visits[Math.floor((i + 0.5) * (VISITS / 10))]!);
      t = performance.now();
      {
        const tx = db.transaction('v');
        const s = tx.objectStore('v');
        const got = await Promise.all(
          hits.map(async (h) => {
            if (layout === 'rows') return ((await req(s.get(h.id))) as V).title;
            if (layout === 'url-chunks') {
              const row = (await req(s.get(h.urlKey))) as U;
              return row.titles[row.title[row.at.indexOf(h.visitedAt)]!];
            }
            const cur = await req(s.openCursor(IDBKeyRange.upperBound(h.visitedAt), 'prev'));
            const c = cur!.value as C;
            const u = c.urlKeys.indexOf(h.urlKey);
            for (let i = 0; i < c.n; i++) if (c.url[i] === u && c.at[i] === h.visitedAt) return c.titles[c.title[i]!];
            return undefined;
          }),
        );
        if (got.some((title, i) => title !== hits[i]!.title)) throw new Error(`${layout}: hydration`);
      }
      out.hydrate_10_ms = performance.now() - t;

      // Export: every visit as a row, serialized (what a bundle encodes), in pages.
      t = performance.now();
      {
        let exported = 0;
        let bytes = 0;
        let lower: IDBValidKey | null = null;
        for (;;) {
          const tx = db.transaction('v');
          const range: IDBKeyRange | null = lower === null ? null : IDBKeyRange.lowerBound(lower, true);
          const per = layout === 'rows' ? 10_000 : layout === 'time-chunks' ? 40 : 2000;
          const rows = (await req(tx.objectStore('v').getAll(range, per))) as unknown[];
          if (rows.length === 0) break;
          let batch: V[];
          if (layout === 'rows') batch = rows as V[];
          else if (layout === 'time-chunks') batch = (rows as C[]).flatMap(decode);
          else batch = (rows as U[]).flatMap((r) => r.at.map((at, i) => ({ id: `${r.urlKey}@${at}`, url: r.url, urlKey: r.urlKey, hostRev: r.hostRev, title: r.titles[r.title[i]!]!, visitedAt: at, transition: r.transition[i]!, source: r.source[i]! })));
          exported += batch.length;
          bytes += JSON.stringify(batch).length;
          const last = rows[rows.length - 1] as { id?: number | string; urlKey: string };
          lower = layout === 'url-chunks' ? last.urlKey : last.id!;
          if (rows.length < per) break;
        }
        if (exported !== VISITS) throw new Error(`${layout}: exported ${exported}`);
        out.export_json_bytes = bytes;
      }
      out.export_ms = performance.now() - t;

      // Exact-domain delete: every visit of heavy.example.
      t = performance.now();
      {
        const tx = db.transaction('v', 'readwrite');
        const s = tx.objectStore('v');
        let deleted = 0;
        if (layout === 'rows') {
          const keys = await req(s.index('hostRev').getAllKeys(HEAVY));
          for (const k of keys) s.delete(k);
          deleted = keys.length;
        } else if (layout === 'url-chunks') {
          const rows = (await req(s.index('hostRev').getAll(HEAVY))) as U[];
          for (const r of rows) {
            s.delete(r.urlKey);
            deleted += r.at.length;
          }
        } else {
          const keys = [...new Set(await req(s.index('hosts').getAllKeys(HEAVY)))] as number[];
          for (let i = 0; i < keys.length; i += 200) {
            const chunks = (await Promise.all(keys.slice(i, i + 200).map((k) => req(s.get(k))))) as C[];
            for (const c of chunks) {
              const all = decode(c);
              const keep = all.filter((v) => v.hostRev !== HEAVY);
              deleted += all.length - keep.length;
              if (keep.length) s.put(encode(c.id, keep));
              else s.delete(c.id);
            }
          }
        }
        await done(tx);
        out.domain_delete_visits = deleted;
      }
      out.domain_delete_ms = performance.now() - t;
      db.close();
      return out;
    },
    layout,
    VISITS,
    URLS,
  );
}

async function main(): Promise<void> {
  const results = new Map<Layout, Figures>();
  for (const layout of LAYOUTS) {
    // Each layout in a browser profile of its own: its bytes on disk are its database alone.
    const dir = mkdtempSync(join(tmpdir(), `hf-layout-${layout}-`));
    try {
      const launched = await launchWithExtension({ userDataDir: dir });
      let figures: Figures;
      try {
        await serviceWorkerTarget(launched.browser);
        const page = await openExtensionPage(launched.browser, 'options.html');
        page.setDefaultTimeout(0);
        // tsx keeps function names with a helper the page does not have.
        await page.evaluate('globalThis.__name = (f) => f');
        figures = await runLayout(page, layout);
      } finally {
        await launched.close();
      }
      const idb = join(dir, 'Default', 'IndexedDB');
      const leveldb = readdirSync(idb).filter((name) => name.endsWith('.leveldb')).map((name) => dirBytes(join(idb, name)));
      // After the domain delete: bytes per visit still stored (LevelDB compacts lazily, so this is what a profile really keeps).
      figures.bytes_per_visit = leveldb.reduce((a, b) => a + b, 0) / (VISITS - figures.domain_delete_visits!);
      results.set(layout, figures);
      process.stderr.write(`${layout}: ${JSON.stringify(Object.fromEntries(Object.entries(figures).map(([k, v]) => [k, Math.round(v)])))}; load ${loadavg()[0]!.toFixed(1)}\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const base = results.get('rows')!;
  for (const layout of LAYOUTS)
    for (const [figure, value] of Object.entries(results.get(layout)!)) {
      const baselineValue = base[figure]!;
      process.stdout.write(`${JSON.stringify({ bench: 'visit-layouts', layout, figure, value: Math.round(value * 10) / 10, baseline: 'rows', baselineValue: Math.round(baselineValue * 10) / 10, ratio: Math.round((value / baselineValue) * 100) / 100, visits: VISITS, urls: URLS })}\n`);
    }
}

await main();
