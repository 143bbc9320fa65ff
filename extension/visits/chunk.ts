/**
 * The visit chunk: how stored visits are laid out (docs/adr/0006-visit-chunks.md). Visits live in
 * `visitChunks` rows of at most CHUNK_VISITS visits that follow each other in time, each visit's
 * facts in compact arrays with per-chunk dictionaries (URLs, titles, transitions, sources), so a
 * chunk is a self-describing, JSON-shaped document (sync ships it as it is). Pure functions: no
 * database here (store.ts reads and writes chunks).
 *
 * A chunk holds at most CHUNK_VISITS visits and about CHUNK_BYTES as stored (see there).
 *
 * Invariants: a chunk's `id` (its key) is a lower bound of its visits' times and the next chunk's
 * id an upper bound (exclusive), so the chunk of a visit is the one with the greatest id ≤ its
 * time; visits are ordered by (visitedAt, urlKey); visits with the same time never straddle two
 * chunks (a cut never falls between them).
 */
import { visitId } from '../../shared/history/visit';
import type { Visit } from '../../shared/schemas/entities';
import type { VisitChunk } from '../db';

export type { VisitChunk };

/** Most visits per chunk (more only when that many share one millisecond). */
export const CHUNK_VISITS = 256;

/**
 * Most bytes a chunk may take as IndexedDB stores it (V8's serialization, estimated by
 * `ChunkSizer`), unless one millisecond's visits alone take more. Chromium stores a value whose
 * serialization exceeds 64 KiB (Blink's IDBValueWrapper::kWrapThreshold) as a separate blob file,
 * much slower to write and read; 256 visits of URLs averaging ~125 characters cross it (256 of
 * the bench's 40-character URLs take ~52 KB). The margin covers Blink's envelope and the estimate.
 */
export const CHUNK_BYTES = 60 * 1024;

/**
 * An upper estimate of a chunk's V8-serialized size as visits join it: a string takes its length
 * (two bytes a character when one is beyond Latin-1) and a few bytes of tag and length; a
 * visit's time is a double (9 bytes) and its four indexes small integers (≤ 3 bytes each).
 * Telling Latin-1 text apart costs a scan, so each URL and title first counts two bytes a
 * character, and the scans run only once that bound passes the limit (near a chunk's end, if at
 * all). No allocation per visit: this runs for every visit an import writes.
 */
/** What the estimate counts: a chunk's fixed part, each visit (a time and four small indexes), and besides each string's characters, a URL key's and any other string's tag and length. */
const CHUNK_BASE = 64;
const VISIT_BYTES = 9 + 4 * 3;
const KEY_EXTRA = 9;
const STRING_EXTRA = 6;

class ChunkSizer {
  private readonly keys = new Set<string>();
  private readonly hosts = new Set<string>();
  private readonly titles = new Set<string>();
  /** The URLs and titles counted (each once), until the exact count starts. */
  private readonly texts: string[] = [];
  private ascii = CHUNK_BASE;
  private upper = CHUNK_BASE;
  private exact: number | null = null;

  /** Adds `visit` when the chunk stays under `limit` bytes with it; false (nothing added) otherwise. */
  tryAdd(visit: Visit, limit: number): boolean {
    const newUrl = !this.keys.has(visit.urlKey);
    const newTitle = !this.titles.has(visit.title);
    let ascii = VISIT_BYTES;
    let upper = 0;
    // A URL key (base-36 digits) and a reversed host (a parsed host: punycode) are ASCII.
    if (newUrl) {
      ascii += visit.urlKey.length + KEY_EXTRA + (this.hosts.has(visit.hostRev) ? 0 : visit.hostRev.length + STRING_EXTRA);
      upper += 2 * visit.url.length + STRING_EXTRA;
    }
    if (newTitle) upper += 2 * visit.title.length + STRING_EXTRA;
    if (this.exact === null && this.upper + ascii + upper > limit) {
      let exact = this.ascii;
      for (const text of this.texts) exact += stringBytes(text);
      this.exact = exact;
    }
    if (this.exact !== null) {
      const exact = this.exact + ascii + (newUrl ? stringBytes(visit.url) : 0) + (newTitle ? stringBytes(visit.title) : 0);
      if (exact > limit) return false;
      this.exact = exact;
    } else {
      if (newUrl) this.texts.push(visit.url);
      if (newTitle) this.texts.push(visit.title);
    }
    this.ascii += ascii;
    this.upper += ascii + upper;
    if (newUrl) {
      this.keys.add(visit.urlKey);
      this.hosts.add(visit.hostRev);
    }
    if (newTitle) this.titles.add(visit.title);
    return true;
  }
}

// eslint-disable-next-line no-control-regex
const BEYOND_LATIN1 = /[^\u0000-\u00ff]/;
function stringBytes(text: string): number {
  return (BEYOND_LATIN1.test(text) ? 2 * text.length : text.length) + STRING_EXTRA;
}

export function compareVisits(a: Visit, b: Visit): number {
  return a.visitedAt - b.visitedAt || (a.urlKey < b.urlKey ? -1 : a.urlKey > b.urlKey ? 1 : 0);
}

/** The visits of a chunk, in order, as full rows (the shape bundles and views use). */
export function decodeChunk(chunk: VisitChunk): Visit[] {
  const out: Visit[] = new Array(chunk.n);
  for (let i = 0; i < chunk.n; i++) {
    const u = chunk.url[i]!;
    const key = chunk.urlKeys[u]!;
    const visitedAt = chunk.at[i]!;
    out[i] = {
      id: visitId(key, visitedAt),
      url: chunk.urls[u]!,
      urlKey: key,
      hostRev: chunk.hosts[chunk.urlHost[u]!]!,
      title: chunk.titles[chunk.title[i]!]!,
      visitedAt,
      transition: chunk.transitions[chunk.transition[i]!] as Visit['transition'],
      source: chunk.sources[chunk.source[i]!] as Visit['source'],
    };
  }
  return out;
}

/** The ids (`urlKey@visitedAt`) of a chunk's visits, without building rows. */
export function chunkVisitIds(chunk: VisitChunk): string[] {
  const out: string[] = new Array(chunk.n);
  for (let i = 0; i < chunk.n; i++) out[i] = visitId(chunk.urlKeys[chunk.url[i]!]!, chunk.at[i]!);
  return out;
}

function dictionary(): { list: string[]; of: (value: string) => number } {
  const list: string[] = [];
  const index = new Map<string, number>();
  return {
    list,
    of(value) {
      let i = index.get(value);
      if (i === undefined) {
        i = list.length;
        list.push(value);
        index.set(value, i);
      }
      return i;
    },
  };
}

/** One chunk of `visits` (ordered by compareVisits, not empty), keyed `id`. */
export function encodeChunk(id: number, visits: readonly Visit[]): VisitChunk {
  const urlKeys = dictionary();
  const urls: string[] = [];
  const urlHost: number[] = [];
  const hosts = dictionary();
  const titles = dictionary();
  const transitions = dictionary();
  const sources = dictionary();
  const n = visits.length;
  // Filled by push, not `new Array(n)`: V8 serializes an array with holes (which `new Array(n)`
  // makes, even once filled) as index–value pairs, an array without as values only, so the stored
  // chunk is ~13 bytes a visit smaller (docs/adr/0006-visit-chunks.md).
  const at: number[] = [];
  const url: number[] = [];
  const title: number[] = [];
  const transition: number[] = [];
  const source: number[] = [];
  for (let i = 0; i < n; i++) {
    const visit = visits[i]!;
    const u = urlKeys.of(visit.urlKey);
    if (u === urls.length) {
      urls.push(visit.url);
      urlHost.push(hosts.of(visit.hostRev));
    }
    at.push(visit.visitedAt);
    url.push(u);
    title.push(titles.of(visit.title));
    transition.push(transitions.of(visit.transition));
    source.push(sources.of(visit.source));
  }
  return { id, n, urls, urlKeys: urlKeys.list, urlHost, hosts: hosts.list, titles: titles.list, transitions: transitions.list, sources: sources.list, at, url, title, transition, source };
}

/**
 * Cuts ordered visits into chunks of CHUNK_VISITS or CHUNK_BYTES, whichever comes first (the last
 * one holds the rest, unless `evenly`), never between two visits of the same time. The first chunk keeps `firstId`
 * when given (an existing chunk's key, a lower bound of its times); the others are keyed by their
 * first visit's time.
 */
export function cutChunks(visits: readonly Visit[], firstId?: number, evenly = false): VisitChunk[] {
  const out: VisitChunk[] = [];
  // Evenly: as few chunks as CHUNK_VISITS allows, all of about the same count (10,000 visits: 40
  // of 250), so the last is not a small rest that the next write would have to merge into.
  const count = evenly ? Math.ceil(visits.length / Math.ceil(visits.length / CHUNK_VISITS)) : CHUNK_VISITS;
  let start = 0;
  while (start < visits.length) {
    const limit = Math.min(visits.length, start + count);
    const id = start === 0 && firstId !== undefined ? Math.min(firstId, visits[0]!.visitedAt) : visits[start]!.visitedAt;
    // Most chunks hold CHUNK_VISITS well under CHUNK_BYTES: cut by count and measure the encoded
    // chunk from its dictionaries (each distinct string once). The sizer, visit by visit, runs only
    // for a chunk over the bytes; it cuts at the same place whenever the chunk by count fits, the
    // estimate growing with every visit.
    let end = sameTimeEnd(visits, limit);
    const byCount = encodeChunk(id, visits.slice(start, end));
    if (end - start > 1 && chunkBytes(byCount) > CHUNK_BYTES) {
      const sizer = new ChunkSizer();
      end = start;
      // The first visit always fits (a chunk is never empty).
      while (end < limit && sizer.tryAdd(visits[end]!, end > start ? CHUNK_BYTES : Infinity)) end++;
      end = sameTimeEnd(visits, end);
      out.push(encodeChunk(id, visits.slice(start, end)));
    } else out.push(byCount);
    start = end;
  }
  return out;
}

/** `end`, moved past the visits that share the time of the one before it (a cut never falls between them). */
function sameTimeEnd(visits: readonly Visit[], end: number): number {
  while (end < visits.length && visits[end]!.visitedAt === visits[end - 1]!.visitedAt) end++;
  return end;
}

/**
 * ChunkSizer's estimate of an encoded chunk, from its dictionaries: what the sizer reaches after
 * adding every visit of the chunk, or a larger bound when even that stays under CHUNK_BYTES (the
 * URLs and titles are scanned for non-Latin-1 characters only when counting them two bytes a
 * character passes the limit).
 */
export function chunkBytes(chunk: VisitChunk): number {
  let ascii = CHUNK_BASE + VISIT_BYTES * chunk.n;
  for (const key of chunk.urlKeys) ascii += key.length + KEY_EXTRA;
  for (const host of chunk.hosts) ascii += host.length + STRING_EXTRA;
  let upper = ascii;
  for (const url of chunk.urls) upper += 2 * url.length + STRING_EXTRA;
  for (const title of chunk.titles) upper += 2 * title.length + STRING_EXTRA;
  if (upper <= CHUNK_BYTES) return upper;
  let exact = ascii;
  for (const url of chunk.urls) exact += stringBytes(url);
  for (const title of chunk.titles) exact += stringBytes(title);
  return exact;
}

/**
 * The chunk without the visits `drop` selects (by position), its dictionaries cut to what the
 * kept visits use, same key; null when no visit is left. Works on the arrays: no visit rows built.
 */
export function withoutVisits(chunk: VisitChunk, drop: (i: number) => boolean): VisitChunk | null {
  const keep: number[] = [];
  for (let i = 0; i < chunk.n; i++) if (!drop(i)) keep.push(i);
  if (keep.length === 0) return null;
  if (keep.length === chunk.n) return chunk;
  const remap = (size: number) => new Array<number>(size).fill(-1);
  const urlMap = remap(chunk.urls.length);
  const hostMap = remap(chunk.hosts.length);
  const titleMap = remap(chunk.titles.length);
  const transitionMap = remap(chunk.transitions.length);
  const sourceMap = remap(chunk.sources.length);
  const out: VisitChunk = { id: chunk.id, n: keep.length, urls: [], urlKeys: [], urlHost: [], hosts: [], titles: [], transitions: [], sources: [], at: [], url: [], title: [], transition: [], source: [] };
  const take = (map: number[], from: string[], to: string[], i: number) => {
    if (map[i] === -1) map[i] = to.push(from[i]!) - 1;
    return map[i]!;
  };
  for (const i of keep) {
    const u = chunk.url[i]!;
    if (urlMap[u] === -1) {
      urlMap[u] = out.urls.push(chunk.urls[u]!) - 1;
      out.urlKeys.push(chunk.urlKeys[u]!);
      out.urlHost.push(take(hostMap, chunk.hosts, out.hosts, chunk.urlHost[u]!));
    }
    out.at.push(chunk.at[i]!);
    out.url.push(urlMap[u]!);
    out.title.push(take(titleMap, chunk.titles, out.titles, chunk.title[i]!));
    out.transition.push(take(transitionMap, chunk.transitions, out.transitions, chunk.transition[i]!));
    out.source.push(take(sourceMap, chunk.sources, out.sources, chunk.source[i]!));
  }
  return out;
}
