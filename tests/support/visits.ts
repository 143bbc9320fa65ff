/** Every stored visit (chunks and any legacy rows), as rows, in id order: what tests compare. */
import type { Visit } from '../../shared/schemas/entities';
import type { HydraDb } from '../../extension/db';
import { walkVisits } from '../../extension/visits';
import { rowsOfChunks } from '../../extension/visits/terms';

export async function storedVisits(db: HydraDb): Promise<Visit[]> {
  const out: Visit[] = [];
  for await (const batch of walkVisits(db)) out.push(...batch);
  return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export async function storedVisitCount(db: HydraDb): Promise<number> {
  return (await storedVisits(db)).length;
}

/**
 * What is wrong with the chunks' index rows (`visitTerms`), compared with the stored chunks: every
 * (bucket, term, chunk) pair a chunk holds must be in the row covering that chunk's key, and
 * nothing else anywhere (an empty list = exact). Also checks the rows' shape: none empty, chunk ids
 * ascending and inside the row's range (its start up to the bucket's next row's).
 */
export async function indexProblems(db: HydraDb): Promise<string[]> {
  const problems: string[] = [];
  const rows = (await db.visitTerms.toArray()).sort((a, b) => (a.bucket < b.bucket ? -1 : a.bucket > b.bucket ? 1 : a.start - b.start));
  const stored = new Set<string>();
  rows.forEach((row, i) => {
    const next = rows[i + 1]?.bucket === row.bucket ? rows[i + 1]!.start : Infinity;
    if (row.chunks.length === 0) problems.push(`empty row ${row.bucket} ${row.start}`);
    if (row.ends.length !== row.chunks.length || row.ends[row.ends.length - 1] !== row.terms.length) problems.push(`bad ends in ${row.bucket} ${row.start}`);
    let from = 0;
    row.chunks.forEach((id, c) => {
      if (id < row.start || id >= next || (c > 0 && id <= row.chunks[c - 1]!)) problems.push(`chunk ${id} out of place in ${row.bucket} ${row.start}`);
      for (const term of row.terms.slice(from, row.ends[c])) stored.add(`${row.bucket} ${term} ${id}`);
      from = row.ends[c]!;
    });
  });
  const expected = new Set<string>();
  for (const row of rowsOfChunks(await db.visitChunks.toArray())) {
    let from = 0;
    row.chunks.forEach((id, c) => {
      for (const term of row.terms.slice(from, row.ends[c])) expected.add(`${row.bucket} ${term} ${id}`);
      from = row.ends[c]!;
    });
  }
  for (const pair of stored) if (!expected.has(pair)) problems.push(`stale pair ${pair}`);
  for (const pair of expected) if (!stored.has(pair)) problems.push(`missing pair ${pair}`);
  return problems;
}
