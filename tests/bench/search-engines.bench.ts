/**
 * Bench for the ADR of issue #9: our SearchIndex, MiniSearch, FlexSearch, Orama and SQLite-wasm
 * FTS5 on the same generated corpus (tests/support/search-corpus.ts) and the same 200 two-word
 * queries, against a linear scan of the same documents in the same run. Per engine: build
 * time, query p50/p95, heap held by the index, its persisted size, and agreement with the scan (recall@10 of the
 * scan's matches, precision@10), so an engine that ORs words or ignores the prefix shows it.
 *
 * HF_BENCH_SCALE: fraction of the corpus (default 0.02 = 20k visits over 4k URLs, 400
 * pages, 1,000 messages; every engine holds its index in one process, so keep it small).
 * HF_ENGINES_DIR: where flexsearch, @orama/orama and @sqlite.org/sqlite-wasm are installed (outside
 * the repo); an engine that cannot be loaded prints a line saying why.
 */
import { loadavg } from 'node:os';
import { LinearScan, makeCorpus, storedTextBytes } from '../support/search-corpus';
import type { BenchEngine, EngineLoad } from '../support/search-engines';
import { agreement, flexSearchEngine, heapBytes, hydraflowEngine, loadExternal, miniSearchEngine, oramaEngine, percentile, sqliteFts5Engine } from '../support/search-engines';

const SCALE = Number(process.env.HF_BENCH_SCALE ?? 0.02);
const ENGINES_DIR = process.env.HF_ENGINES_DIR;
const LIMIT = 40;

const loadAtStart = loadavg()[0]!;
const corpus = makeCorpus(SCALE);
const { docs, queries } = corpus;
const round1 = (value: number) => Math.round(value * 10) / 10;
// Figures below 10 (recall, precision, sub-10 ms latencies) keep three decimals.
const roundFigure = (value: number) => (Math.abs(value) < 10 ? Math.round(value * 1000) / 1000 : round1(value));
const common = { bench: 'search-engines', scale: SCALE, docs: docs.length, visits: corpus.sizes.visits, urls: corpus.sizes.urls, pages: corpus.sizes.pages, messages: corpus.sizes.messages, queries: queries.length };

// Baseline: the linear scan (folded copies of every document, then a pass per query).
const heapBeforeScan = heapBytes();
const started = performance.now();
const scan = new LinearScan(docs);
const scanPrepareMs = performance.now() - started;
const scanHeap = heapBytes() - heapBeforeScan;
const { results: scanResults, times: scanTimes } = scan.timed(queries, LIMIT);
const scanP50 = percentile(scanTimes, 0.5);
const scanP95 = percentile(scanTimes, 0.95);
const textBytes = storedTextBytes(docs);
const emptyQueries = scanResults.filter((result) => result.matches.size === 0).length;

const loads: (() => Promise<EngineLoad>)[] = [
  async () => ({ ok: true, engine: hydraflowEngine(corpus.now) }),
  async () => ({ ok: true, engine: miniSearchEngine() }),
  () => loadExternal('flexsearch', ENGINES_DIR, flexSearchEngine),
  () => loadExternal('orama', ENGINES_DIR, oramaEngine),
  () => loadExternal('sqlite-wasm-fts5', ENGINES_DIR, sqliteFts5Engine),
];

async function measure(engine: BenchEngine): Promise<void> {
  const heapBefore = heapBytes();
  let t = performance.now();
  await engine.add(docs);
  const buildMs = performance.now() - t;
  // A wasm engine's whole linear memory counts: it exists only for the engine.
  const heap = heapBytes() - heapBefore + (engine.outsideHeapBytes?.() ?? 0);
  // Warm-up: JIT and the engines' lazy structures, on queries that are not measured twice in a row.
  for (const { q } of queries.slice(0, 10)) await engine.search(q, LIMIT);
  const times: number[] = [];
  const tops: string[][] = [];
  for (const { q } of queries) {
    t = performance.now();
    tops.push(await engine.search(q, LIMIT));
    times.push(performance.now() - t);
  }
  const p50 = percentile(times, 0.5);
  const p95 = percentile(times, 0.95);
  const agree = agreement(tops, scanResults);
  const engineInfo = { engine: engine.name, version: engine.version, semantics: engine.semantics };
  const line = (figure: string, value: number, baseline: string, baselineValue: number, extra: Record<string, unknown> = {}) =>
    console.log(JSON.stringify({ ...common, ...engineInfo, figure, value: roundFigure(value), baseline, baselineValue: roundFigure(baselineValue), ratio: Math.round((value / baselineValue) * 1000) / 1000, ...extra, load: `${loadAtStart.toFixed(1)}→${loadavg()[0]!.toFixed(1)}` }));
  line('query_p50_ms', p50, 'scan_p50_ms', scanP50);
  line('query_p95_ms', p95, 'scan_p95_ms', scanP95, { goal: '<30ms', max: round1(Math.max(...times)) });
  line('build_ms', buildMs, 'scan_prepare_ms', scanPrepareMs);
  line('heap_bytes', heap, 'scan_heap_bytes', scanHeap, engine.outsideHeapBytes ? { outsideHeap: 'includes the wasm linear memory', ...engine.describe?.() } : {});
  line('stored_bytes', await engine.storedBytes(), 'text_bytes', textBytes);
  line('recall_at_10', agree.recallAt10, 'scan', 1, { precisionAt10: agree.precisionAt10, scanTop10Overlap: agree.scanTop10Overlap, missedQueries: agree.missedQueries, emptyQueries });
  tops.length = 0;
}

for (const load of loads) {
  const loaded = await load();
  if (!loaded.ok) {
    console.log(JSON.stringify({ ...common, engine: loaded.name, figure: 'unavailable', reason: loaded.reason }));
    continue;
  }
  try {
    await measure(loaded.engine);
  } catch (error) {
    console.log(JSON.stringify({ ...common, engine: loaded.engine.name, figure: 'failed', reason: error instanceof Error ? error.stack ?? error.message : String(error) }));
  }
}
