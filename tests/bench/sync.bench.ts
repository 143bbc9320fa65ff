/**
 * Sync benchmark (`npm run bench -- sync`, after `npm run build`). In real Chromium with a
 * pouchdb-server started here: profile A gets HF_BENCH_SYNC_VISITS visits (default 100k) and 1k
 * threads with HF_BENCH_SYNC_MESSAGES messages (default 10k), written with raw IndexedDB (visits
 * as chunk rows, the layout a profile has since #25). Same run,
 * baseline first: A exports everything as a bundle (download) and a fresh profile C imports it.
 * Then A syncs to the server and a fresh profile B syncs from it (the first sync, A → server → B).
 * Then A adds 100 notes and both sync again (the incremental sync). Prints one JSON line per figure.
 * Goals: first sync ≤ 1.5 × bundle export + import; incremental sync of 100 rows < 2 s; the
 * worker's heap under 200 MB throughout.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { makeVisit } from '../../shared/history/visit';
import { compareVisits, cutChunks } from '../../extension/visits/chunk';
import type { Visit } from '../../shared/schemas/entities';
import { BUNDLE_CACHE, STAGED_AT_HEADER, stagedKey } from '../../extension/bundles/files';
import { launchWithExtension, openExtensionPage, serviceWorkerTarget, type LaunchedBrowser } from '../support/chromium';
import { startPouchServer } from '../support/pouchdb-server';
import { seedRaw } from '../stress/browser';

const VISITS = Number(process.env.HF_BENCH_SYNC_VISITS ?? 100_000);
const MESSAGES = Number(process.env.HF_BENCH_SYNC_MESSAGES ?? 10_000);
const THREADS = 1000;
const T0 = Date.UTC(2025, 0, 1);

function line(figure: string, value: number, baseline: string, baselineValue: number, goal: string): void {
  process.stdout.write(`${JSON.stringify({ bench: 'sync', figure, value: Math.round(value), baseline, baselineValue: Math.round(baselineValue), ratio: Math.round((value / baselineValue) * 100) / 100, goal, visits: VISITS, messages: MESSAGES })}\n`);
}

interface Profile {
  page: Page;
  heap(): Promise<number>;
  launched: LaunchedBrowser;
}

async function open(userDataDir: string): Promise<Profile> {
  const launched = await launchWithExtension({ userDataDir });
  const target = await serviceWorkerTarget(launched.browser);
  const session = await target.createCDPSession();
  const page = await openExtensionPage(launched.browser, 'options.html');
  return { page, launched, heap: async () => ((await session.send('Runtime.getHeapUsage')) as { usedSize: number }).usedSize };
}

/** Raw IndexedDB writes (the stress runs' fast seed): the first sync reads the stores, not the outbox. */
const rawAdd = (page: Page, store: string, rows: unknown[]) => seedRaw(page, store, rows.length, (i) => rows[i]);

async function command<T>(page: Page, method: string, params: unknown): Promise<T> {
  const reply = (await page.evaluate((m, p) => chrome.runtime.sendMessage({ type: 'hydraflow/command', method: m, params: p }), method, params as never)) as { ok: boolean; result: T; error?: unknown };
  if (!reply.ok) throw new Error(`${method}: ${JSON.stringify(reply.error)}`);
  return reply.result;
}

/** Starts a job with `method` and waits for it; returns its time, result and the worker's heap peak. */
async function runJob(profile: Profile, method: string, params: unknown): Promise<{ ms: number; result: unknown; heap: number }> {
  const started = performance.now();
  const { jobId } = await command<{ jobId: string }>(profile.page, method, params);
  let heap = 0;
  for (;;) {
    heap = Math.max(heap, await profile.heap().catch(() => 0));
    const job = await profile.page.evaluate(
      (id) =>
        new Promise<{ status: string; result: unknown; error: unknown; logTail: string[] } | undefined>((resolve, reject) => {
          const request = indexedDB.open('hydraflow');
          request.onsuccess = () => {
            const get = request.result.transaction('jobs').objectStore('jobs').get(id);
            get.onsuccess = () => {
              request.result.close();
              resolve(get.result as never);
            };
            get.onerror = () => reject(get.error);
          };
          request.onerror = () => reject(request.error);
        }),
      jobId,
    );
    if (job && job.status !== 'running' && job.status !== 'queued') {
      if (job.status !== 'succeeded') throw new Error(`${method} ended ${JSON.stringify(job.error)}`);
      process.stderr.write(`${method}: ${job.logTail.join(' | ')}\n`);
      return { ms: performance.now() - started, result: job.result, heap };
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hf-sync-bench-'));
  const server = await startPouchServer();
  const settings = { serverUrl: server.url, database: 'bench', encrypt: true, passphrase: 'bench passphrase' };
  const opened: Profile[] = [];
  try {
    const a = await open(join(dir, 'a'));
    opened.push(a);
    const visits: Visit[] = [];
    for (let i = 0; i < VISITS; i++) visits.push(makeVisit({ url: `https://site${i % 997}.example/page/${i}?ref=${i % 13}`, title: `Page ${i} — generated title with some words`, visitedAt: T0 + i * 60_000, transition: 'link', source: 'chromium' }));
    // Stored as a real profile holds them since #25: chunk rows (the visits_migrate job moves any
    // legacy rows there), with their counter.
    await rawAdd(a.page, 'visitChunks', cutChunks([...visits].sort(compareVisits)));
    await rawAdd(a.page, 'counters', [{ key: 'store:visits', n: VISITS }]);
    await rawAdd(a.page, 'threads', Array.from({ length: THREADS }, (_, i) => ({ id: `thread-${i}`, title: `Thread ${i}`, titleSource: 'user', pinned: 0, archived: 0, urlKeys: [], url: null, createdAt: T0 + i, updatedAt: T0 + i })));
    await rawAdd(a.page, 'messages', Array.from({ length: MESSAGES }, (_, i) => ({ id: `message-${i}`, threadId: `thread-${i % THREADS}`, role: i % 2 ? 'assistant' : 'user', content: `Message ${i}: ${'some words of a conversation '.repeat(8)}`, status: 'complete', model: null, error: null, createdAt: T0 + i, updatedAt: T0 + i })));

    // Baseline: bundle export from A, import into a fresh C (moving the file between them is not timed).
    const exported = await runJob(a, 'bundles.export', { scope: { kind: 'all' }, destination: { kind: 'download' } });
    const { cacheKey, fileName } = exported.result as { cacheKey: string; fileName: string };
    const bytes = await a.page.evaluate(async (cache: string, key: string) => {
      const blob = await (await (await caches.open(cache)).match(key))!.blob();
      const buffer = new Uint8Array(await blob.arrayBuffer());
      let text = '';
      for (let i = 0; i < buffer.length; i += 0x8000) text += String.fromCharCode(...buffer.subarray(i, i + 0x8000));
      return btoa(text);
    }, BUNDLE_CACHE, cacheKey);
    const c = await open(join(dir, 'c'));
    const stagedId = crypto.randomUUID();
    await c.page.evaluate(async (cache: string, key: string, base64: string, header: string) => {
      const raw = atob(base64);
      const buffer = new Uint8Array(raw.length);
      for (let i = 0; i < raw.length; i++) buffer[i] = raw.charCodeAt(i);
      await (await caches.open(cache)).put(key, new Response(buffer, { headers: { [header]: String(Date.now()) } }));
    }, BUNDLE_CACHE, stagedKey(stagedId), bytes, STAGED_AT_HEADER);
    const imported = await runJob(c, 'bundles.import', { file: { kind: 'staged', id: stagedId, name: fileName } });
    await c.launched.close();
    const bundleMs = exported.ms + imported.ms;

    // The first sync: A → server, then server → a fresh B.
    await command(a.page, 'sync.setSettings', { settings });
    const push = await runJob(a, 'sync.start', {});
    const b = await open(join(dir, 'b'));
    opened.push(b);
    await command(b.page, 'sync.setSettings', { settings });
    const pull = await runJob(b, 'sync.start', {});
    const pulled = pull.result as { visitsAdded: number; pulled: number };
    if (pulled.visitsAdded !== VISITS) throw new Error(`B received ${pulled.visitsAdded} visits of ${VISITS}`);

    // The incremental sync: 100 new rows on A, A → server → B.
    for (let i = 0; i < 100; i++) await command(a.page, 'chat.note', { threadId: `thread-${i}`, content: `Incremental note ${i}` });
    const pushSmall = await runJob(a, 'sync.start', {});
    const pullSmall = await runJob(b, 'sync.start', {});
    const received = (pullSmall.result as { pulled: number }).pulled;
    // 100 new messages, and the 100 threads they touched (a note moves its thread's updatedAt).
    if (received !== 200) throw new Error(`B received ${received} documents, not 200`);

    line('first_sync_ms', push.ms + pull.ms, 'bundle_export_import_ms', bundleMs, '<=1.5');
    line('first_sync_push_ms', push.ms, 'bundle_export_ms', exported.ms, 'informational');
    line('first_sync_pull_ms', pull.ms, 'bundle_import_ms', imported.ms, 'informational');
    line('incremental_sync_100_ms', pushSmall.ms + pullSmall.ms, 'limit_ms', 2000, '<1');
    line('sw_heap_max_bytes', Math.max(push.heap, pull.heap, pushSmall.heap, pullSmall.heap), 'limit_bytes', 200 * 1024 * 1024, '<1');
    line('server_docs', (await server.allDocs('bench')).length, 'rows', VISITS + THREADS + MESSAGES, 'informational');
  } finally {
    for (const profile of opened) await profile.launched.close().catch(() => undefined);
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
