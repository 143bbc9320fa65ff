import type { Transaction } from 'dexie';
import type { Migration } from './types';

/*
 * A released migration is frozen: it imports nothing that can change later (only the Migration
 * type). What it needs of extension/visits/terms.ts is copied here as it was at version 7: the
 * buckets (FNV-1a of a URL key modulo 64; of a reversed host's first two labels modulo 32), the row
 * shape and the row size.
 */
const URL_BUCKETS = 64;
const HOST_BUCKETS = 32;
const ROW_PAIRS = 512;
/** Chunks read per request while building: bounds the upgrade's memory to a page and the rows not yet full. */
const PAGE_CHUNKS = 200;

type ChunkTerms = { id: number; urlKeys: string[]; hosts: string[] };
type TermRow = { bucket: string; start: number; chunks: number[]; ends: number[]; terms: string[] };

function fnv(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function siteOf(hostRev: string): string {
  const first = hostRev.indexOf('.');
  if (first < 0) return hostRev;
  const second = hostRev.indexOf('.', first + 1);
  return second < 0 ? hostRev : hostRev.slice(0, second);
}

/** Every chunk's URL keys and hosts as index rows, chunk after chunk in key order, written as rows fill. */
export async function buildVisitTerms(tx: Transaction): Promise<number> {
  const chunks = tx.table<ChunkTerms, number>('visitChunks');
  const rows = tx.table<TermRow, [string, number]>('visitTerms');
  const open = new Map<string, TermRow>();
  let written = 0;
  const add = (bucket: string, id: number, terms: string[]): TermRow[] => {
    let row = open.get(bucket);
    const full: TermRow[] = [];
    // A bucket's first row covers every key below the next; the next starts at its first chunk.
    if (!row) open.set(bucket, (row = { bucket, start: -Infinity, chunks: [], ends: [], terms: [] }));
    else if (row.terms.length + terms.length > ROW_PAIRS) {
      full.push(row);
      open.set(bucket, (row = { bucket, start: id, chunks: [], ends: [], terms: [] }));
    }
    row.chunks.push(id);
    row.terms.push(...terms);
    row.ends.push(row.terms.length);
    return full;
  };
  let after = -Infinity;
  let first = true;
  for (;;) {
    const page = await (first ? chunks.orderBy(':id') : chunks.where(':id').above(after)).limit(PAGE_CHUNKS).toArray();
    first = false;
    if (page.length === 0) break;
    const full: TermRow[] = [];
    for (const chunk of page) {
      const byBucket = new Map<string, string[]>();
      const put = (bucket: string, term: string) => {
        const list = byBucket.get(bucket);
        if (list) list.push(term);
        else byBucket.set(bucket, [term]);
      };
      for (const key of chunk.urlKeys) put(`u:${fnv(key) % URL_BUCKETS}`, key);
      for (const host of chunk.hosts) put(`h:${fnv(siteOf(host)) % HOST_BUCKETS}`, host);
      for (const [bucket, terms] of byBucket) full.push(...add(bucket, chunk.id, terms.sort()));
    }
    if (full.length) await rows.bulkPut(full);
    written += full.length;
    after = page[page.length - 1]!.id;
  }
  const rest = [...open.values()];
  await rows.bulkPut(rest);
  return written + rest.length;
}

/**
 * v7: `visitTerms` — the visit chunks' inverted index in rows (docs/adr/0006-visit-chunks.md):
 * per URL-key or host bucket and range of chunk keys, the (term, chunk) pairs as parallel arrays.
 * The chunks lose their multi-entry indexes (`*urlKeys`, `*hosts`): Chromium's IndexedDB spent
 * ~5–10 µs of browser CPU on each entry, ~500 per chunk, most of an import. The upgrade builds the
 * rows from the stored chunks in the versionchange transaction (atomic: the index is whole or the
 * database stays at v6). Counters and the search journal do not move (the same visits).
 */
export const migration0007: Migration = {
  version: 7,
  description: 'visit chunk index rows instead of multi-entry indexes',
  stores: { visitChunks: 'id', visitTerms: '[bucket+start]' },
  upgrade: async (tx) => void (await buildVisitTerms(tx)),
};
