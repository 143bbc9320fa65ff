/**
 * Bundle import resume benchmark (`npm run bench -- bundle-resume`, Node, no browser): a
 * 100,000-visit bundle (HF_BENCH_VISITS) written with the repo's writer and validated while its
 * inflated bytes are kept in 1 MiB blocks (as the import keeps them in Cache Storage). Then the
 * first batch (200 rows) at row 90% is read as a resumed import reads it: the figure seeks to the
 * cursor's anchor in the kept bytes; the baseline inflates and hashes the component from its start
 * (what every resume did before). Best of 3 each. Goal: ≤ 0.1 × the baseline.
 */
import { openBundle, readRows, validateBundle, type RowsAnchor } from '../../shared/bundle/read';
import { BundleWriter, memorySink } from '../../shared/bundle/write';
import { bytesSource } from '../../shared/bundle/zip-read';
import { makeVisit } from '../../shared/history/visit';

const VISITS = Number(process.env.HF_BENCH_VISITS ?? 100_000);
const BLOCK = 1024 * 1024;

const sink = memorySink();
const writer = new BundleWriter(sink);
await writer.begin('visits');
const start = Date.UTC(2023, 0, 1);
for (let from = 0; from < VISITS; from += 10_000) {
  const rows = [];
  for (let i = from; i < Math.min(VISITS, from + 10_000); i++) rows.push(makeVisit({ url: `https://site${i % 997}.example/page/${i}?ref=${i % 13}`, title: `Page ${i} — generated title with some words`, visitedAt: start + i * 1000, transition: 'link', source: 'chromium' }));
  await writer.rows(rows);
}
await writer.finish({ scope: { kind: 'all' } });
const bundle = await openBundle(bytesSource(sink.bytes()));
const blocks: Uint8Array[] = [];
let block = new Uint8Array(BLOCK);
let filled = 0;
await validateBundle(bundle, {
  keep: async (component, _offset, bytes, last) => {
    if (component !== 'visits') return;
    for (let at = 0; at < bytes.length; ) {
      const take = Math.min(BLOCK - filled, bytes.length - at);
      block.set(bytes.subarray(at, at + take), filled);
      filled += take;
      at += take;
      if (filled === BLOCK) {
        blocks.push(block);
        block = new Uint8Array(BLOCK);
        filled = 0;
      }
    }
    if (last && filled) blocks.push(block.slice(0, filled));
  },
});
const read = async (offset: number) => {
  const rest = blocks[Math.floor(offset / BLOCK)]?.subarray(offset % BLOCK);
  return rest?.length ? rest : null;
};

// The cursor and anchor a killed run left at 90% (batches of 10,000 after a first of 200, as the import reads).
const target = Math.floor(VISITS * 0.9);
let cursor = 0;
let anchor: RowsAnchor | null = null;
for await (const batch of readRows(bundle, 'visits', { verify: true, batchRows: 10_000, firstBatchRows: 200 })) {
  cursor = batch.first + batch.rows.length;
  anchor = batch.anchor;
  if (cursor >= target) break;
}

async function firstBatchMs(seek: boolean): Promise<number> {
  let best = Infinity;
  for (let run = 0; run < 3; run++) {
    const started = Date.now();
    const batches = readRows(bundle, 'visits', { from: cursor, verify: true, batchRows: 10_000, firstBatchRows: 200, ...(seek ? { seek: { anchor: anchor!, read } } : {}) });
    const first = await batches.next();
    best = Math.min(best, Date.now() - started);
    if (first.done || first.value.first !== cursor) throw new Error('the resumed read did not start at the cursor');
    await batches.return(undefined);
  }
  return best;
}

const baseline = await firstBatchMs(false);
const value = await firstBatchMs(true);
process.stdout.write(
  `${JSON.stringify({ bench: 'bundle-resume', figure: 'resume_first_batch_ms', value, baseline: 'inflate and hash from the start', baselineValue: baseline, ratio: Math.round((value / Math.max(1, baseline)) * 1000) / 1000, goal: '<= 0.1', visits: VISITS, row: cursor, inflatedBytes: bundle.entries.get('visits.ndjson')!.size })}\n`,
);
