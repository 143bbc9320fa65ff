/**
 * The full-text engines compared for issue #9's ADR, each behind the same small interface and fed
 * the same documents and queries: MiniSearch (a dependency), and FlexSearch, Orama and SQLite-wasm
 * FTS5 loaded from a directory outside the repo (HF_ENGINES_DIR, e.g. /tmp/engines with
 * `npm i flexsearch @orama/orama @sqlite.org/sqlite-wasm@3.54.1-build1`), so the comparison adds no
 * dependency to the extension. Every engine folds text with our tokenize where it accepts a
 * tokenizer; each one's query semantics (AND, which words are prefixes) are stated next to its
 * figures, because an engine that ORs words or expands every word is faster for the wrong reason.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { serialize } from 'node:v8';
import MiniSearch from 'minisearch';
import { SearchIndex } from '../../shared/search/engine';
import { queryTerms, tokenize } from '../../shared/search/tokenize';
import type { CorpusDoc } from './search-corpus';

export interface BenchEngine {
  name: string;
  version: string;
  /** How the engine reads a two-word query, compared with the scan (all words, last one a prefix while typed). */
  semantics: string;
  add(docs: readonly CorpusDoc[]): Promise<void>;
  /** `kind:key` of the best `limit` documents, best first. */
  search(q: string, limit: number): Promise<string[]>;
  /** Memory the engine holds outside the JS heap (all of its wasm linear memory), in bytes. */
  outsideHeapBytes?(): number;
  /** Bytes of the engine's own persisted form (its export/save/serialize), measured with v8.serialize (the structured clone IndexedDB stores). */
  storedBytes(): Promise<number>;
  /** Engine-specific facts worth printing next to its heap figure. */
  describe?(): Record<string, unknown>;
}

export type EngineLoad = { ok: true; engine: BenchEngine } | { ok: false; name: string; reason: string };

export const docId = (doc: CorpusDoc) => `${doc.kind}:${doc.key}`;

/** The query as our engine reads it: whole words, the last one a prefix unless finished. */
function queryParts(q: string): { words: string[]; prefix: string | null } {
  const { exact, prefix } = queryTerms(q);
  return { words: exact, prefix };
}

/** Ours (shared/search/engine.ts): segments per kind, BM25 with recency and visit count. */
export function hydraflowEngine(now: number): BenchEngine {
  const index = SearchIndex.empty();
  return {
    name: 'hydraflow',
    version: 'shared/search/engine.ts',
    semantics: 'AND of all words, prefix on the last word while typed, title weight 3, recency and visit-count lift',
    async add(docs) {
      for (const doc of docs) index.upsert(doc);
      index.markClean(index.dirtySegments().map((row) => row.key));
    },
    async search(q, limit) {
      return index.search({ q, limit, now }).hits.map((hit) => `${hit.kind}:${hit.key}`);
    },
    async storedBytes() {
      return index.compact().reduce((sum, row) => sum + serialize(row).byteLength, 0);
    },
  };
}

export function miniSearchEngine(): BenchEngine {
  const index = new MiniSearch<{ id: number; title: string; url: string; text: string }>({
    fields: ['title', 'url', 'text'],
    tokenize: (text) => tokenize(text),
    // tokenize already folded case and accents.
    processTerm: (term) => term,
  });
  let ids: string[] = [];
  return {
    name: 'minisearch',
    version: readVersion(join('node_modules', 'minisearch')),
    semantics: 'AND of all words, prefix on the last word while typed (combineWith AND + prefix callback), title/url boost 3',
    async add(docs) {
      ids = docs.map(docId);
      for (let i = 0; i < docs.length; i++) {
        const doc = docs[i]!;
        index.add({ id: i, title: doc.title, url: doc.url ?? '', text: doc.text });
      }
    },
    async search(q, limit) {
      const { words, prefix } = queryParts(q);
      const all = prefix ? [...words, prefix] : words;
      const results = index.search(all.join(' '), {
        combineWith: 'AND',
        prefix: (_term, i) => prefix !== null && i === all.length - 1,
        boost: { title: 3, url: 3 },
      });
      return results.slice(0, limit).map((hit) => ids[hit.id as number]!);
    },
    async storedBytes() {
      return serialize(index.toJSON()).byteLength;
    },
  };
}

function readVersion(packageDir: string): string {
  try {
    return (JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** Imports a package installed under `dir`, following its `exports` the way Node's ESM loader would. */
async function importFrom(dir: string, name: string): Promise<{ module: unknown; version: string }> {
  const packageDir = join(dir, 'node_modules', name);
  const manifestPath = join(packageDir, 'package.json');
  if (!existsSync(manifestPath)) throw new Error(`${name} is not installed in ${dir} (npm i ${name} there)`);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { version: string; main?: string; module?: string; exports?: unknown };
  type Conditions = { [condition: string]: string | Conditions };
  const root = (manifest.exports as Record<string, unknown> | undefined)?.['.'] ?? manifest.exports;
  const pick = (entry: unknown): string | undefined => {
    if (typeof entry === 'string') return entry;
    if (!entry || typeof entry !== 'object') return undefined;
    for (const condition of ['node', 'import', 'default']) {
      const found = pick((entry as Conditions)[condition]);
      if (found) return found;
    }
    return undefined;
  };
  const entry = pick(root) ?? manifest.module ?? manifest.main ?? 'index.js';
  return { module: await import(pathToFileURL(join(packageDir, entry)).href), version: manifest.version };
}

interface FlexIndex {
  add(id: number, content: string): unknown;
  export(handler: (key: string, data: unknown) => void): unknown;
  search(query: string, options: { limit: number }): number[];
}
type FlexModule = { Index: new (options: Record<string, unknown>) => FlexIndex };

export async function flexSearchEngine(dir: string): Promise<BenchEngine> {
  const { module, version } = await importFrom(dir, 'flexsearch');
  const flex = ((module as { default?: FlexModule }).default ?? module) as FlexModule;
  // One index over title + URL + text: FlexSearch's Document index answers each field
  // separately, so two words found in different fields (title and body) would never both match.
  const index = new flex.Index({ tokenize: 'forward', encode: (text: string) => tokenize(text) });
  let ids: string[] = [];
  return {
    name: 'flexsearch',
    version,
    semantics: "AND of all words; 'forward' tokenization makes every word a prefix (not only the last); no field boost (one field)",
    async add(docs) {
      ids = docs.map(docId);
      for (let i = 0; i < docs.length; i++) {
        const doc = docs[i]!;
        index.add(i, `${doc.title} ${doc.url ?? ''} ${doc.text}`);
      }
    },
    async search(q, limit) {
      return index.search(q, { limit }).map((i) => ids[i]!);
    },
    async storedBytes() {
      let total = 0;
      await index.export((_key, data) => {
        total += serialize(data).byteLength;
      });
      return total;
    },
  };
}

interface OramaModule {
  create(options: Record<string, unknown>): unknown;
  insert(db: unknown, doc: Record<string, unknown>): unknown;
  search(db: unknown, params: Record<string, unknown>): { hits: { id: string }[] } | Promise<{ hits: { id: string }[] }>;
  save(db: unknown): unknown;
}

export async function oramaEngine(dir: string): Promise<BenchEngine> {
  const { module, version } = await importFrom(dir, '@orama/orama');
  const orama = module as OramaModule;
  const db = orama.create({
    schema: { title: 'string', url: 'string', text: 'string' },
    components: { tokenizer: { language: 'english', normalizationCache: new Map(), tokenize: (raw: string) => tokenize(raw) } },
  });
  return {
    name: 'orama',
    version,
    semantics: 'threshold 0 = all words within ONE property (a title word + a body word is no match); exact: false makes every word a prefix, and a prefix matching two words of a document counts as two of the query words; title/url boost 3',
    async add(docs) {
      for (const doc of docs) await orama.insert(db, { id: docId(doc), title: doc.title, url: doc.url ?? '', text: doc.text });
    },
    async search(q, limit) {
      const { words, prefix } = queryParts(q);
      const term = (prefix ? [...words, prefix] : words).join(' ');
      const result = await orama.search(db, { term, properties: ['title', 'url', 'text'], threshold: 0, limit, boost: { title: 3, url: 3 } });
      return result.hits.map((hit) => hit.id);
    },
    async storedBytes() {
      // Orama's save holds its document store too (the text): it cannot persist the index alone.
      return serialize(orama.save(db)).byteLength;
    },
  };
}

interface SqliteStatement {
  bind(values: unknown[]): SqliteStatement;
  step(): boolean;
  get(column: number): unknown;
  reset(): SqliteStatement;
  finalize(): void;
}
interface SqliteDb {
  exec(sql: string): void;
  prepare(sql: string): SqliteStatement;
}
interface Sqlite3 {
  oo1: { DB: new (name: string) => SqliteDb };
  wasm: { heap8u(): Uint8Array };
  version: { libVersion: string };
}

export async function sqliteFts5Engine(dir: string): Promise<BenchEngine> {
  const { module, version } = await importFrom(dir, '@sqlite.org/sqlite-wasm');
  const init = (module as { default: () => Promise<Sqlite3> }).default;
  const sqlite3 = await init();
  const db = new sqlite3.oo1.DB(':memory:');
  // Contentless: the index only, as the extension would keep the text in its own stores.
  db.exec("CREATE VIRTUAL TABLE docs USING fts5(title, url, text, content='', tokenize='unicode61 remove_diacritics 2')");
  let ids: string[] = [];
  const pragma = (name: string) => {
    const statement = db.prepare(`PRAGMA ${name}`);
    statement.step();
    const value = Number(statement.get(0));
    statement.finalize();
    return value;
  };
  const quote = (word: string) => `"${word.replaceAll('"', '""')}"`;
  return {
    name: 'sqlite-wasm-fts5',
    version: `${version} (SQLite ${sqlite3.version.libVersion}, in-memory database)`,
    semantics: "AND of all words, prefix (\"w\"*) on the last word while typed, bm25 with title/url weight 3; unicode61 tokenizer (folds accents, but no CJK pairs)",
    async add(docs) {
      ids = docs.map(docId);
      const insert = db.prepare('INSERT INTO docs(rowid, title, url, text) VALUES (?, ?, ?, ?)');
      db.exec('BEGIN');
      for (let i = 0; i < docs.length; i++) {
        const doc = docs[i]!;
        insert.bind([i + 1, doc.title, doc.url ?? '', doc.text]).step();
        insert.reset();
      }
      db.exec('COMMIT');
      insert.finalize();
    },
    async search(q, limit) {
      const { words, prefix } = queryParts(q);
      const match = [...words.map(quote), ...(prefix ? [`${quote(prefix)}*`] : [])].join(' ');
      if (!match) return [];
      const select = db.prepare('SELECT rowid FROM docs WHERE docs MATCH ? ORDER BY bm25(docs, 3.0, 3.0, 1.0) LIMIT ?');
      const out: string[] = [];
      select.bind([match, limit]);
      while (select.step()) out.push(ids[(select.get(0) as number) - 1]!);
      select.finalize();
      return out;
    },
    outsideHeapBytes: () => sqlite3.wasm.heap8u().byteLength,
    async storedBytes() {
      return pragma('page_count') * pragma('page_size');
    },
    describe: () => ({ databaseBytes: pragma('page_count') * pragma('page_size'), wasmMemoryBytes: sqlite3.wasm.heap8u().byteLength }),
  };
}

/** Loads an engine from HF_ENGINES_DIR, or says why it could not be loaded. */
export async function loadExternal(name: string, dir: string | undefined, load: (dir: string) => Promise<BenchEngine>): Promise<EngineLoad> {
  if (!dir) return { ok: false, name, reason: 'HF_ENGINES_DIR is not set (install the engines outside the repo, e.g. /tmp/engines, and point HF_ENGINES_DIR at it)' };
  try {
    return { ok: true, engine: await load(dir) };
  } catch (error) {
    return { ok: false, name, reason: error instanceof Error ? error.message : String(error) };
  }
}

/** JS heap + array buffers after a full collection (node --expose-gc, as scripts/bench.mjs runs benches). */
export function heapBytes(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc (npm run bench does)');
  gc();
  gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

/** Nearest-rank percentile of `values` (p in 0..1). */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

export interface Agreement {
  /** Mean over queries of |engine top 10 ∩ scan matches| / min(10, |scan matches|): 1 when the engine fills its first 10 slots with true matches wherever the scan can. */
  recallAt10: number;
  /** Share of all returned top-10 hits that hold every word (last as prefix). */
  precisionAt10: number;
  /** Mean overlap of the engine's top 10 with the scan's own top 10 (ranking agreement, informational: the scan's score is crude). */
  scanTop10Overlap: number;
  /** Queries where the engine returned nothing while the scan found matches. */
  missedQueries: number;
}

export function agreement(engineTops: readonly string[][], scan: readonly { top: string[]; matches: Set<string> }[]): Agreement {
  let recall = 0;
  let counted = 0;
  let returned = 0;
  let correct = 0;
  let overlap = 0;
  let missed = 0;
  for (let k = 0; k < scan.length; k++) {
    const truth = scan[k]!;
    const top = engineTops[k]!.slice(0, 10);
    const hits = top.filter((id) => truth.matches.has(id)).length;
    returned += top.length;
    correct += hits;
    if (truth.matches.size > 0) {
      counted++;
      recall += hits / Math.min(10, truth.matches.size);
      const scanTop = new Set(truth.top.slice(0, 10));
      overlap += top.filter((id) => scanTop.has(id)).length / scanTop.size;
      if (top.length === 0) missed++;
    }
  }
  const round = (value: number) => Math.round(value * 1000) / 1000;
  return { recallAt10: round(recall / Math.max(1, counted)), precisionAt10: round(correct / Math.max(1, returned)), scanTop10Overlap: round(overlap / Math.max(1, counted)), missedQueries: missed };
}
