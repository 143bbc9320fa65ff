/**
 * The whole browser killed (SIGKILL) in the middle of a history import and started again on the
 * same profile, several times. Verified after every restart, in one read-only transaction: the
 * database opens, and the visits stored are exactly what the job's committed cursor says (each
 * batch is written in one transaction with the cursor, so "up to the last committed batch" is
 * checkable to the row). At the end the resumed import has stored every visit exactly once.
 */
import { rmSync } from 'node:fs';
import type { Page } from 'puppeteer-core';
import { launchWithExtension, openExtensionPage, serviceWorkerTarget, type LaunchedBrowser } from '../../support/chromium';
import { command, historyProfile, sleep, waitUntil } from '../browser';
import { randomSource, type Scenario } from '../report';

interface Snapshot {
  visits: number;
  job: { status: string; cursor: { added: number } | null; progress: { done: number } } | null;
}

/** Visits count and the import job, read in one read-only transaction (a consistent snapshot). */
function snapshot(page: Page): Promise<Snapshot> {
  return page.evaluate(
    () =>
      new Promise<Snapshot>((resolve, reject) => {
        const open = indexedDB.open('hydraflow');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction(['visits', 'visitChunks', 'jobs'], 'readonly');
          const count = tx.objectStore('visits').count();
          // Visits live up to 256 to a chunk (docs/storage.md): the sum of the chunks' n.
          const chunks = tx.objectStore('visitChunks').getAll();
          const jobs = tx.objectStore('jobs').getAll();
          tx.oncomplete = () => {
            open.result.close();
            const job = (jobs.result as { type: string }[]).find((j) => j.type === 'history_import') as Snapshot['job'] | undefined;
            const chunked = (chunks.result as { n: number }[]).reduce((sum, chunk) => sum + chunk.n, 0);
            resolve({ visits: count.result + chunked, job: job ?? null });
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
  );
}

export const browserKillDuringImport: Scenario = {
  name: 'browser killed during history import',
  needs: 'browser',
  async run({ smoke, seed, log }) {
    const random = randomSource(seed + 6);
    const visits = smoke ? 20_000 : 100_000;
    const kills = smoke ? 1 : 5;
    const { base, config, userDataDir } = historyProfile('hf-stress-browser-', visits);
    const start = async (): Promise<{ launched: LaunchedBrowser; page: Page }> => {
      const launched = await launchWithExtension({ userDataDir, env: { XDG_CONFIG_HOME: config } });
      await serviceWorkerTarget(launched.browser);
      const page = await openExtensionPage(launched.browser, 'options.html');
      await page.waitForSelector('[data-testid=app-info]', { timeout: 30_000 });
      return { launched, page };
    };
    let failures = 0;
    let killed = 0;
    let mismatches = 0;
    let current = await start();
    try {
      const started = await command(current.page, 'history.import', { profileId: 'chromium:Big' });
      if (!started.ok) throw new Error(JSON.stringify(started.error));
      for (let kill = 0; kill < kills; kill++) {
        const target = Math.floor(((kill + 0.3 + random.next() * 0.5) / (kills + 1)) * visits);
        const before = await waitUntil('import progress', async () => {
          const snap = await snapshot(current.page);
          return snap.visits >= target || (snap.job && snap.job.status !== 'running') ? snap : undefined;
        }, 180_000, 50);
        if (before.job?.status !== 'running') break;
        current.launched.browser.process()?.kill('SIGKILL');
        killed++;
        await sleep(300);
        current = await start();
        // The worker resumes the import at once; the snapshot is consistent whatever it has added since.
        const after = await snapshot(current.page);
        if (after.visits !== (after.job?.cursor?.added ?? after.visits)) {
          mismatches++;
          log(`restart ${kill}: ${after.visits} visits stored, cursor says ${after.job?.cursor?.added}`);
        }
        if (after.visits < before.visits) {
          failures++;
          log(`restart ${kill}: ${before.visits} visits before the kill, ${after.visits} after`);
        }
      }
      const end = await waitUntil('the import to finish', async () => {
        await command(current.page, 'app.info', {}).catch(() => undefined);
        const snap = await snapshot(current.page);
        return snap.job && snap.job.status !== 'running' && snap.job.status !== 'queued' ? snap : undefined;
      }, 300_000, 500);
      if (end.job?.status !== 'succeeded') failures++;
      if (mismatches > 0) failures++;
      log(`${killed} browser kills; job ${end.job?.status}; ${end.visits} of ${visits} visits`);
      return {
        runs: killed,
        rowsExpected: visits,
        rowsFound: Math.min(end.visits, visits),
        duplicates: Math.max(0, end.visits - visits),
        lost: Math.max(0, visits - end.visits),
        failures,
        notes: [`${killed} SIGKILLs of the whole browser during a ${visits}-visit import, restarted on the same profile: after every restart the stored visits equalled the committed cursor (${mismatches} mismatches); job ${end.job?.status}`],
      };
    } finally {
      await current.launched.close();
      rmSync(base, { recursive: true, force: true });
    }
  },
};
