/**
 * The visit chunks' inverted index (`visitTerms`, v7; docs/adr/0006-visit-chunks.md): which chunks
 * hold a URL key, and which a reversed host. Multi-entry indexes on the chunks did this, but
 * Chromium's IndexedDB spent ~5–10 µs of browser CPU per index entry, ~500 per chunk: most of an
 * import. Here the pairs (term, chunk) live in a few rows per bucket, each written once per
 * transaction that changes it. Pure functions: no database here (store.ts reads and writes rows,
 * in the same transaction as the chunks, so the rows are always exact).
 *
 * A URL key's bucket is a hash of the key (URL_BUCKETS); a host's is a hash of its first two
 * reversed labels (`com.example` for `com.example.news`), so a domain and every subdomain share
 * one bucket and a prefix query reads one bucket. A bucket's rows are keyed `[bucket, start]`:
 * each covers the chunk ids from its `start` up to the next row's (the first row's start is
 * -Infinity once it is made), like the chunks themselves cover times. A row holds about ROW_PAIRS
 * pairs: rows that grow past twice that are cut at chunk boundaries, and chunks appended after a
 * row already holding half of it start a row of their own (an import writes each row about once).
 */
import type { VisitChunk, VisitTermRow } from '../db';

export type { VisitTermRow };

export const URL_BUCKETS = 64;
export const HOST_BUCKETS = 32;
/** About how many (term, chunk) pairs a row holds: ~25 bytes each, so rows stay far below the 64 KiB above which Chromium stores a value as a blob. */
export const ROW_PAIRS = 512;

/** FNV-1a, 32 bits. */
function fnv(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export function urlBucket(urlKey: string): string {
  return `u:${fnv(urlKey) % URL_BUCKETS}`;
}

/** The first two labels of a reversed host: what a host shares with its subdomains. */
function siteOf(hostRev: string): string {
  const first = hostRev.indexOf('.');
  if (first < 0) return hostRev;
  const second = hostRev.indexOf('.', first + 1);
  return second < 0 ? hostRev : hostRev.slice(0, second);
}

export function hostBucket(hostRev: string): string {
  return `h:${fnv(siteOf(hostRev)) % HOST_BUCKETS}`;
}

/** Every host bucket: subdomains of a one-label host (`com`) can be in any. */
export const ALL_HOST_BUCKETS: readonly string[] = Array.from({ length: HOST_BUCKETS }, (_, i) => `h:${i}`);

/** Whether the subdomains of `hostRev` all share its bucket (it has two labels or more). */
export function subdomainsShareBucket(hostRev: string): boolean {
  return hostRev.includes('.');
}

/** A chunk's terms by bucket, each list sorted. */
export function chunkTerms(chunk: Pick<VisitChunk, 'urlKeys' | 'hosts'>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (bucket: string, term: string) => {
    const list = out.get(bucket);
    if (list) list.push(term);
    else out.set(bucket, [term]);
  };
  for (const key of chunk.urlKeys) add(urlBucket(key), key);
  for (const host of chunk.hosts) add(hostBucket(host), host);
  for (const list of out.values()) list.sort();
  return out;
}

/** Per bucket, per chunk id whose terms there changed, its terms now (empty: it holds none any more). */
export type TermChanges = Map<string, Map<number, string[]>>;

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * What a chunk write changes in the index: `before` = the stored versions of the chunks the write
 * replaces or removes (those not stored before are new), `puts` = the chunks written, `gone` = the
 * ids removed. Chunks whose terms did not change (a retitle) change nothing.
 */
export function termChanges(before: readonly VisitChunk[], puts: readonly VisitChunk[], gone: readonly number[]): TermChanges {
  const old = new Map(before.map((chunk) => [chunk.id, chunk]));
  const now = new Map<number, VisitChunk | null>(gone.map((id) => [id, null]));
  for (const chunk of puts) now.set(chunk.id, chunk);
  const out: TermChanges = new Map();
  for (const [id, chunk] of now) {
    const was = old.get(id);
    const from = was ? chunkTerms(was) : new Map<string, string[]>();
    const to = chunk ? chunkTerms(chunk) : new Map<string, string[]>();
    for (const bucket of new Set([...from.keys(), ...to.keys()])) {
      const terms = to.get(bucket) ?? [];
      if (sameList(from.get(bucket) ?? [], terms)) continue;
      let changes = out.get(bucket);
      if (!changes) out.set(bucket, (changes = new Map()));
      changes.set(id, terms);
    }
  }
  return out;
}

/** A row's content: chunk id → its terms in the row's bucket. */
type Entries = Map<number, string[]>;

export function rowEntries(row: VisitTermRow): Entries {
  const out: Entries = new Map();
  let from = 0;
  row.chunks.forEach((id, i) => {
    out.set(id, row.terms.slice(from, row.ends[i]));
    from = row.ends[i]!;
  });
  return out;
}

function encodeRow(bucket: string, start: number, entries: readonly [number, string[]][]): VisitTermRow {
  const row: VisitTermRow = { bucket, start, chunks: [], ends: [], terms: [] };
  for (const [id, terms] of entries) {
    row.chunks.push(id);
    row.terms.push(...terms);
    row.ends.push(row.terms.length);
  }
  return row;
}

/** Entries (in chunk order) cut into rows of about ROW_PAIRS pairs at chunk boundaries; the first keyed `start`, the others by their first chunk. */
function cutRows(bucket: string, start: number, entries: readonly [number, string[]][]): VisitTermRow[] {
  const out: VisitTermRow[] = [];
  let piece: [number, string[]][] = [];
  let pairs = 0;
  for (const entry of entries) {
    if (piece.length > 0 && pairs + entry[1].length > ROW_PAIRS) {
      out.push(encodeRow(bucket, out.length === 0 ? start : piece[0]![0], piece));
      piece = [];
      pairs = 0;
    }
    piece.push(entry);
    pairs += entry[1].length;
  }
  if (piece.length > 0) out.push(encodeRow(bucket, out.length === 0 ? start : piece[0]![0], piece));
  return out;
}

/**
 * Applies one bucket's changes to its rows: `rows` = every stored row of the bucket covering a
 * changed chunk id (the row at or below the smallest, and those after it up to the largest).
 * Returns the rows to put and the starts of rows to delete. A chunk id below every row goes to a
 * new first row keyed -Infinity.
 */
export function applyTermChanges(bucket: string, rows: readonly VisitTermRow[], changes: ReadonlyMap<number, string[]>): { puts: VisitTermRow[]; gone: number[] } {
  const sorted = [...rows].sort((a, b) => a.start - b.start);
  const ids = [...changes.keys()].sort((a, b) => a - b);
  if (ids.length > 0 && (sorted.length === 0 || sorted[0]!.start > ids[0]!)) sorted.unshift({ bucket, start: -Infinity, chunks: [], ends: [], terms: [] });
  const puts: VisitTermRow[] = [];
  const gone: number[] = [];
  let r = 0;
  let i = 0;
  while (i < ids.length) {
    while (r + 1 < sorted.length && sorted[r + 1]!.start <= ids[i]!) r++;
    const row = sorted[r]!;
    const next = r + 1 < sorted.length ? sorted[r + 1]!.start : Infinity;
    const mine: number[] = [];
    while (i < ids.length && ids[i]! < next) mine.push(ids[i++]!);
    const held = row.terms.length;
    const last = row.chunks.length ? row.chunks[row.chunks.length - 1]! : -Infinity;
    // Chunks after every chunk of a row already half full start a row of their own: the row is
    // not written again, so a time-ordered import writes each row about once.
    if (held >= ROW_PAIRS / 2 && mine[0]! > last && mine.every((id) => changes.get(id)!.length > 0)) {
      puts.push(...cutRows(bucket, mine[0]!, mine.map((id) => [id, changes.get(id)!])));
      continue;
    }
    const entries = rowEntries(row);
    for (const id of mine) {
      const terms = changes.get(id)!;
      if (terms.length) entries.set(id, terms);
      else entries.delete(id);
    }
    const kept = [...entries].sort((a, b) => a[0] - b[0]);
    const pairs = kept.reduce((n, [, terms]) => n + terms.length, 0);
    if (pairs === 0) {
      if (held > 0) gone.push(row.start);
    } else if (pairs > 2 * ROW_PAIRS) puts.push(...cutRows(bucket, row.start, kept));
    else puts.push(encodeRow(bucket, row.start, kept));
  }
  return { puts, gone };
}

/**
 * The rows of one bucket's changes when they are all new chunks after every chunk stored (an
 * import appending in time order): a row of their own, cut like any (none when they hold fewer
 * than ROW_PAIRS / 4 pairs: those join the bucket's last row, which must be read). The bucket's
 * stored rows are neither read nor written: every chunk id they hold is below these.
 */
export function appendedRows(bucket: string, changes: ReadonlyMap<number, string[]>): VisitTermRow[] | null {
  const entries = [...changes].filter(([, terms]) => terms.length > 0).sort((a, b) => a[0] - b[0]);
  const pairs = entries.reduce((n, [, terms]) => n + terms.length, 0);
  if (pairs < ROW_PAIRS / 4) return null;
  return cutRows(bucket, entries[0]![0], entries);
}

/** The chunk ids of a row where `wanted` accepts a term. */
export function chunksWhere(row: VisitTermRow, wanted: (term: string) => boolean, into: Set<number>): void {
  let from = 0;
  row.chunks.forEach((id, i) => {
    const end = row.ends[i]!;
    for (let t = from; t < end; t++)
      if (wanted(row.terms[t]!)) {
        into.add(id);
        break;
      }
    from = end;
  });
}

/** Every row of the chunks in key order, built at once (the v7 upgrade's algorithm, tests compare against it). */
export function rowsOfChunks(chunks: readonly VisitChunk[]): VisitTermRow[] {
  const byBucket = new Map<string, [number, string[]][]>();
  for (const chunk of [...chunks].sort((a, b) => a.id - b.id))
    for (const [bucket, terms] of chunkTerms(chunk)) {
      const list = byBucket.get(bucket);
      if (list) list.push([chunk.id, terms]);
      else byBucket.set(bucket, [[chunk.id, terms]]);
    }
  return [...byBucket].flatMap(([bucket, entries]) => cutRows(bucket, -Infinity, entries));
}
