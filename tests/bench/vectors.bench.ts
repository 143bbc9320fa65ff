/**
 * Nearest-neighbour search over HF_BENCH_VECTORS int8 vectors (default 70k) at 384, 768 and 1536
 * dimensions: `VectorMatrix.nearest` (sign-bit candidates, exact rescoring) against an exact
 * int8 cosine scan of the same rows in the same run, with recall@10 of the former against the
 * latter. Synthetic clustered vectors (200 centres plus noise), a seeded generator. Pure
 * JavaScript in Node (the same V8 as the service worker); no browser needed.
 */
import { quantize, VectorMatrix } from '../../shared/search/vectors';

const COUNT = Number(process.env.HF_BENCH_VECTORS ?? 70_000);
const QUERIES = Number(process.env.HF_BENCH_ROUNDS ?? 50);

let state = 12345;
const next = () => {
  state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
  return state / 2 ** 32;
};

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
}

/** The baseline: every row's exact cosine with the query, the top 10 kept in a sorted array. */
function exactScan(flat: Int8Array, norms: Float32Array, dims: number, query: Float64Array): number[] {
  let queryNorm = 0;
  for (let i = 0; i < dims; i++) queryNorm += query[i]! * query[i]!;
  queryNorm = Math.sqrt(queryNorm);
  const top: { row: number; score: number }[] = [];
  for (let row = 0; row < norms.length; row++) {
    let dot = 0;
    const base = row * dims;
    for (let i = 0; i < dims; i++) dot += query[i]! * flat[base + i]!;
    const score = dot / (norms[row]! * queryNorm);
    if (top.length === 10 && score <= top[9]!.score) continue;
    top.push({ row, score });
    top.sort((a, b) => b.score - a.score);
    if (top.length > 10) top.pop();
  }
  return top.map((hit) => hit.row);
}

for (const dims of [384, 768, 1536]) {
  const centres = Array.from({ length: 200 }, () => Float64Array.from({ length: dims }, () => next() * 2 - 1));
  const matrix = new VectorMatrix(dims, COUNT);
  const flat = new Int8Array(COUNT * dims);
  const norms = new Float32Array(COUNT);
  for (let row = 0; row < COUNT; row++) {
    const centre = centres[row % centres.length]!;
    const { q } = quantize(Float64Array.from(centre, (value) => value + (next() * 2 - 1) * 1.2));
    matrix.upsert('page', String(row), q);
    flat.set(q, row * dims);
    let norm = 0;
    for (const value of q) norm += value * value;
    norms[row] = Math.sqrt(norm);
  }
  const fast: number[] = [];
  const exact: number[] = [];
  let found = 0;
  for (let k = 0; k < QUERIES; k++) {
    const query = Float64Array.from(centres[k % centres.length]!, (value) => value + (next() * 2 - 1) * 1.2);
    let started = performance.now();
    const hits = matrix.nearest(query, 10);
    fast.push(performance.now() - started);
    started = performance.now();
    const truth = exactScan(flat, norms, dims, query).map(String);
    exact.push(performance.now() - started);
    found += hits.filter((hit) => truth.includes(hit.key)).length;
  }
  const p50 = percentile(fast, 50);
  const baseline = percentile(exact, 50);
  process.stdout.write(
    `${JSON.stringify({
      bench: 'vectors',
      figure: `nearest_ms_p50_${dims}d`,
      value: Math.round(p50 * 100) / 100,
      p95: Math.round(percentile(fast, 95) * 100) / 100,
      baseline: 'exact int8 scan (p50)',
      baselineValue: Math.round(baseline * 100) / 100,
      ratio: Math.round((p50 / baseline) * 100) / 100,
      recallAt10: Math.round((found / (QUERIES * 10)) * 1000) / 1000,
      goal: 'a few ms at 70k',
      vectors: COUNT,
      matrixBytes: COUNT * dims + COUNT * Math.ceil(dims / 32) * 4 + COUNT * 4,
    })}\n`,
  );
}
