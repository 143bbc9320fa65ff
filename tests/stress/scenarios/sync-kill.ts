/**
 * The service worker killed (CDP `ServiceWorker.stopAllWorkers`) at random points during syncs:
 * profiles A and B in real Chromium and a pouchdb-server started here. A holds visits, threads,
 * messages, tasks and memories; between kills both write new rows (notes, memories). Syncs
 * alternate between A and B and each is cut off after a random delay; a killed sync resumes on the
 * worker's next start or is started again. After the kills both sync until neither has anything
 * left to send: every synced store of B equals A's, every row either side wrote is there (0 lost),
 * and no row is there twice (0 duplicated: ids are unique, so a doubled write would be a second id).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { makeVisit } from '../../../shared/history/visit';
import { launchWithExtension, openExtensionPage, serviceWorkerTarget, type LaunchedBrowser } from '../../support/chromium';
import { readStore, readVisits } from '../../support/idb';
import { startPouchServer } from '../../support/pouchdb-server';
import { command, finishedJob, seedRaw, sleep, workerKiller } from '../browser';
import { randomSource, type Scenario } from '../report';

const SYNCED = ['threads', 'messages', 'tasks', 'taskEvents', 'memories', 'visits'] as const;
const T0 = Date.UTC(2026, 3, 1);

/** A store's rows; visits as stored (decoded from chunk rows, plus any legacy rows), each visit once per place it is held. */
function storeRows(page: Page, store: (typeof SYNCED)[number]): Promise<Record<string, unknown>[]> {
  return store === 'visits' ? readVisits(page) : readStore(page, store);
}

/** Rows as JSON with their keys sorted (a decoded visit lists its fields in another order than a legacy row). */
const canonical = (row: Record<string, unknown>) => JSON.stringify(Object.fromEntries(Object.entries(row).sort(([a], [b]) => (a < b ? -1 : 1))));

async function rows(page: Page): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const store of SYNCED) out[store] = (await storeRows(page, store)).map(canonical).sort();
  return out;
}

async function must(page: Page, method: string, params: unknown): Promise<unknown> {
  const reply = await command(page, method, params);
  if (!reply.ok) throw new Error(`${method}: ${JSON.stringify(reply.error)}`);
  return reply.result;
}

export const workerKillDuringSync: Scenario = {
  name: 'worker killed during sync',
  needs: 'browser',
  async run({ smoke, seed, log }) {
    const random = randomSource(seed + 26);
    const kills = smoke ? 2 : 20;
    const visits = smoke ? 5_000 : 30_000;
    const server = await startPouchServer();
    const dirs: string[] = [];
    const browsers: LaunchedBrowser[] = [];
    const profile = async () => {
      const userDataDir = mkdtempSync(join(tmpdir(), 'hf-stress-sync-'));
      dirs.push(userDataDir);
      const launched = await launchWithExtension({ userDataDir });
      browsers.push(launched);
      await serviceWorkerTarget(launched.browser);
      const page = await openExtensionPage(launched.browser, 'options.html');
      await must(page, 'sync.setSettings', { settings: { serverUrl: server.url, database: 'stress', encrypt: true, passphrase: 'stress passphrase' } });
      return { page, killer: await workerKiller(page) };
    };
    let failures = 0;
    const written = new Set<string>();
    try {
      const a = await profile();
      const b = await profile();
      await seedRaw(a.page, 'threads', 200, (i) => ({ id: `thread-${i}`, title: `Thread ${i}`, titleSource: 'user', pinned: 0, archived: 0, urlKeys: [], url: null, createdAt: T0 + i, updatedAt: T0 + i }));
      await seedRaw(a.page, 'messages', 2000, (i) => ({ id: `message-${i}`, threadId: `thread-${i % 200}`, role: 'user', content: `Message ${i}`, status: 'complete', model: null, error: null, createdAt: T0 + i, updatedAt: T0 + i }));
      await seedRaw(a.page, 'visits', visits, (i) => makeVisit({ url: `https://site${i % 97}.example/${i}`, title: `Visit ${i}`, visitedAt: T0 + i * 30_000, transition: 'link', source: 'chromium' }));
      const ownThread = ((await must(b.page, 'threads.create', { title: 'Written on B' })) as { thread: { id: string } }).thread.id;
      let killed = 0;
      for (let kill = 0; kill < kills; kill++) {
        const side = kill % 2 === 0 ? a : b;
        // Both write between syncs: the outbox must carry these across kills.
        for (const [name, page, threadId] of [['a', a.page, `thread-${random.int(200)}`], ['b', b.page, ownThread]] as const) {
          const note = (await must(page, 'chat.note', { threadId, content: `note ${name}${kill}` })) as { message: { id: string } };
          written.add(note.message.id);
        }
        const started = await command(side.page, 'sync.start', {});
        if (!started.ok) {
          failures++;
          log(`sync.start: ${JSON.stringify(started.error)}`);
          continue;
        }
        await sleep(50 + random.int(1500));
        await side.killer.kill();
        killed++;
      }
      log(`${killed} kills during syncs`);
      // Sync both until neither has anything to send and a last round moved nothing.
      let rounds = 0;
      for (; rounds < 12; rounds++) {
        let moved = 0;
        for (const side of [a, b]) {
          const { jobId } = (await must(side.page, 'sync.start', {})) as { jobId: string };
          const job = await finishedJob<{ id: string; type: string; status: string; error: { code: string; message: string } | null; cursor: unknown; relatedIds: string[]; result: { pulled: number; pushed: number } | null }>(side.page, jobId, 300_000);
          if (job.status !== 'succeeded') {
            log(`sync ended ${job.status} ${JSON.stringify(job.error)}`);
            continue;
          }
          moved += (job.result?.pulled ?? 0) + (job.result?.pushed ?? 0);
        }
        const pending = await Promise.all([a, b].map(async (side) => ((await must(side.page, 'sync.status', {})) as { pending: number }).pending));
        if (moved === 0 && pending.every((n) => n === 0)) break;
      }
      const [rowsA, rowsB] = [await rows(a.page), await rows(b.page)];
      let expected = 0;
      let found = 0;
      let lost = 0;
      let duplicates = 0;
      for (const store of SYNCED) {
        const inA = new Set(rowsA[store]);
        expected += inA.size;
        found += rowsB[store]!.filter((row) => inA.has(row)).length;
        lost += [...inA].filter((row) => !rowsB[store]!.includes(row)).length + rowsB[store]!.filter((row) => !inA.has(row)).length;
        const ids = (await storeRows(b.page, store)).map((row) => String(row.id));
        duplicates += ids.length - new Set(ids).size;
      }
      const messageIds = new Set((await readStore<{ id: string }>(a.page, 'messages')).map((row) => row.id));
      const missingNotes = [...written].filter((id) => !messageIds.has(id)).length;
      lost += missingNotes;
      if (rowsA.visits!.length !== visits) {
        failures++;
        log(`A holds ${rowsA.visits!.length} visits, not ${visits}`);
      }
      return {
        runs: killed,
        rowsExpected: expected,
        rowsFound: found,
        duplicates,
        lost,
        failures: failures + (killed < kills ? 1 : 0),
        notes: [`${killed} worker kills during syncs of ${visits} visits, 200 threads, 2000 messages and ${written.size} notes written between them; converged after ${rounds + 1} rounds; notes missing: ${missingNotes}`],
      };
    } finally {
      for (const launched of browsers) await launched.close().catch(() => undefined);
      await server.stop();
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    }
  },
};
