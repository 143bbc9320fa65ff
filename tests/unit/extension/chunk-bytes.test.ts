/**
 * Chunks are cut by bytes as well as by count (extension/visits/chunk.ts, CHUNK_BYTES): Chromium
 * stores an IndexedDB value whose serialization exceeds 64 KiB as a separate blob file, much
 * slower, and 256 visits of long URLs or non-Latin titles cross it. node:v8 serializes as V8 does
 * in the browser (Blink adds a few bytes of envelope).
 */
import { serialize } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { CHUNK_BYTES, CHUNK_VISITS, chunkBytes, compareVisits, cutChunks, decodeChunk, encodeChunk } from '../../../extension/visits/chunk';
import { makeVisit } from '../../../shared/history/visit';
import type { Visit } from '../../../shared/schemas/entities';

const WRAP_THRESHOLD = 64 * 1024;
const T0 = Date.UTC(2026, 0, 1);
function visits(count: number, url: (i: number) => string, title: (i: number) => string, at = (i: number) => T0 + i * 1000): Visit[] {
  return Array.from({ length: count }, (_, i) => makeVisit({ url: url(i), title: title(i), visitedAt: at(i), transition: 'link', source: 'chrome' })).sort(compareVisits);
}
/** Every chunk invariant of chunk.ts: all visits once in order, keys lower bounds, the next key an upper bound, one millisecond never cut apart. */
function checkInvariants(input: Visit[], chunks: ReturnType<typeof cutChunks>): void {
  expect(chunks.flatMap(decodeChunk)).toEqual(input);
  chunks.forEach((chunk, i) => {
    expect(chunk.id).toBeLessThanOrEqual(chunk.at[0]!);
    const next = chunks[i + 1];
    if (next) {
      expect(next.id).toBeGreaterThan(chunk.at[chunk.n - 1]!);
      expect(next.at[0]).not.toBe(chunk.at[chunk.n - 1]);
    }
  });
}

describe('chunks cut by bytes', () => {
  it('256 visits of 300-character URLs and titles in Chinese are cut into chunks under 64 KiB as stored', () => {
    const input = visits(2000, (i) => `https://www.example${i % 50}.com/search?q=${'x'.repeat(250)}&id=${i}`, (i) => `第${i}页 ${'搜索结果'.repeat(10)}`);
    const chunks = cutChunks(input);
    checkInvariants(input, chunks);
    for (const chunk of chunks) expect(serialize(chunk).length).toBeLessThanOrEqual(WRAP_THRESHOLD);
    expect(Math.max(...chunks.map((chunk) => chunk.n))).toBeLessThan(CHUNK_VISITS);
    // Not cut needlessly small either: most of the threshold is used.
    expect(serialize(chunks[0]).length).toBeGreaterThan(WRAP_THRESHOLD * 0.75);
  });

  it('a URL visited again costs little: 256 visits of a few long URLs stay one chunk', () => {
    const input = visits(CHUNK_VISITS, (i) => `https://www.example.com/${'y'.repeat(400)}/${i % 4}`, () => 'Title');
    const chunks = cutChunks(input);
    expect(chunks.map((chunk) => chunk.n)).toEqual([CHUNK_VISITS]);
    expect(serialize(chunks[0]).length).toBeLessThanOrEqual(WRAP_THRESHOLD);
  });

  it('short URLs (the bench\'s) still make chunks of 256', () => {
    const input = visits(600, (i) => `https://site${i % 997}.example/page/${i}?ref=${i % 13}`, (i) => `Page ${i} — generated title with some words`);
    expect(cutChunks(input).map((chunk) => chunk.n)).toEqual([256, 256, 88]);
  });

  it('cut by count when that fits, by the sizer when not: every chunk as full as the bytes and the count allow, whatever the URLs and titles', () => {
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (const [length, script] of [[40, 'latin'], [90, 'latin'], [160, 'latin'], [60, 'mixed'], [120, 'mixed']] as const) {
      const input = visits(
        1500,
        (i) => `https://site${i % 300}.example/${'p'.repeat(next() % (2 * length))}/${i % 700}`,
        (i) => (script === 'mixed' && next() % 3 === 0 ? `第${i}页 ${'搜索'.repeat(next() % 20)}` : `Title ${i % 500} ${'w'.repeat(next() % 60)}`),
        (i) => T0 + Math.floor(i / (1 + (next() % 3))) * 1000,
      );
      const chunks = cutChunks(input);
      checkInvariants(input, chunks);
      chunks.forEach((chunk, i) => {
        // Over the bytes only by the visits of its last millisecond (never cut apart).
        const inside = decodeChunk(chunk).filter((visit) => visit.visitedAt !== chunk.at[chunk.n - 1]);
        if (inside.length > 0) expect(chunkBytes(encodeChunk(chunk.id, inside)), `${length} ${script} chunk ${i}`).toBeLessThanOrEqual(CHUNK_BYTES);
        const following = chunks[i + 1];
        if (!following || chunk.n >= CHUNK_VISITS) return;
        // Not one visit more fits: the next chunk's first visit would take it over the bytes.
        const grown = [...decodeChunk(chunk), decodeChunk(following)[0]!];
        expect(chunkBytes(encodeChunk(chunk.id, grown)), `${length} ${script} chunk ${i} + 1`).toBeGreaterThan(CHUNK_BYTES);
      });
    }
  });

  it('visits of one millisecond are never cut apart, even past the bytes', () => {
    const burst = visits(300, (i) => `https://burst.example/${'z'.repeat(300)}/${i}`, () => '', () => T0);
    const input = [...visits(10, (i) => `https://before.example/${i}`, () => '', (i) => T0 - 100 + i), ...burst].sort(compareVisits);
    const chunks = cutChunks(input);
    checkInvariants(input, chunks);
    expect(chunks.some((chunk) => chunk.n >= 300)).toBe(true);
  });
});
