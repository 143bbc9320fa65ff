/**
 * The visit store (extension/visits/store.ts) is the only writer of `visitChunks` and its index
 * rows `visitTerms`: it moves the index rows, the visit counters and the search journal in the
 * same transaction as each chunk write, which no middleware does for that store. A write anywhere
 * else would leave them wrong.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..', '..');

function filesUnder(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(dir, name);
    return statSync(join(ROOT, path)).isDirectory() ? filesUnder(path) : /\.tsx?$/.test(name) ? [path] : [];
  });
}

const WRITE = /(visitChunks|visitTerms)\s*\.\s*(put|bulkPut|add|bulkAdd|delete|bulkDelete|clear|update|bulkUpdate|modify|upsert)\b|table\(\s*['"](visitChunks|visitTerms)['"]\s*\)|objectStore\(\s*['"](visitChunks|visitTerms)['"]\s*\)/;

describe('visit chunks and their index rows', () => {
  it('are written only by extension/visits/store.ts', () => {
    const writers = [...filesUnder('extension'), ...filesUnder('entrypoints')].filter((file) => WRITE.test(readFileSync(join(ROOT, file), 'utf8')));
    expect(writers.map((file) => relative('.', file))).toEqual(['extension/visits/store.ts']);
  });
});
