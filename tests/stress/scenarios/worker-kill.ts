/**
 * The service worker killed (CDP `ServiceWorker.stopAllWorkers`) again and again during a history
 * import in real Chromium, with the real installed host. After the last kill the worker is woken
 * and the import must finish from its cursor. Verified: the stored visits are exactly the file's
 * visits (none lost, none doubled — the store's ids are the dedupe key, so the count is the
 * check), the job ends `succeeded` with honest counts, and no job is left running.
 */
import { rmSync } from 'node:fs';
import { launchWithExtension, openExtensionPage, serviceWorkerTarget } from '../../support/chromium';
import { readStore } from '../../support/idb';
import { command, countStore, historyProfile, sleep } from '../browser';
import { randomSource, type Scenario } from '../report';


interface JobRow {
  type: string;
  status: string;
  progress: { done: number };
  result: { read?: number; added?: number; duplicates?: number; invalid?: number } | null;
}


export const workerKillDuringImport: Scenario = {
  name: 'worker killed during history import',
  needs: 'browser',
  async run({ smoke, seed, log }) {
    const random = randomSource(seed + 2);
    // 200,000: every kill waits for a batch to commit after the last one, and an import writes
    // batches of up to 10,000 visits; at 100,000 a faster import could end before its 20th kill.
    const visits = smoke ? 30_000 : 200_000;
    const kills = smoke ? 1 : 20;
    const { base, config, userDataDir } = historyProfile('hf-stress-sw-', visits);
    const launched = await launchWithExtension({ userDataDir, env: { XDG_CONFIG_HOME: config } });
    let done = 0;
    let killed = 0;
    let failures = 0;
    try {
      await serviceWorkerTarget(launched.browser);
      const page = await openExtensionPage(launched.browser, 'options.html');
      const started = await command(page, 'history.import', { profileId: 'chromium:Big' });
      if (!started.ok) throw new Error(JSON.stringify(started.error));
      const session = await page.createCDPSession();
      await session.send('ServiceWorker.enable');
      let lastDone = -1;
      for (let kill = 0; kill < kills; kill++) {
        // Let the import make some progress (a random amount), then kill the worker.
        const target = lastDone + 1 + random.int(Math.max(1, Math.floor(visits / (kills * 3))));
        for (let waited = 0; waited < 30_000; waited += 20) {
          const job = (await readStore<JobRow>(page, 'jobs')).find((j) => j.type === 'history_import');
          done = job?.progress.done ?? 0;
          if (done >= target || (job && job.status !== 'running' && job.status !== 'queued')) break;
          await sleep(20);
        }
        if (done >= visits) break;
        await session.send('ServiceWorker.stopAllWorkers');
        killed++;
        await sleep(100);
        lastDone = done;
        // Any event wakes the worker; its start resumes the import from the stored cursor.
        await command(page, 'app.info', {}).catch(() => undefined);
      }
      log(`${killed} kills, the last at ${done} of ${visits} visits`);
      if (killed < kills) failures++;
      let job: JobRow | undefined;
      for (let waited = 0; waited < 180_000; waited += 250) {
        job = (await readStore<JobRow>(page, 'jobs')).find((j) => j.type === 'history_import');
        if (job && job.status !== 'running' && job.status !== 'queued') break;
        if (waited % 5000 === 0) await command(page, 'app.info', {}).catch(() => undefined);
        await sleep(250);
      }
      const stored = await countStore(page, 'visits');
      const running = (await readStore<JobRow>(page, 'jobs')).filter((j) => j.status === 'running' || j.status === 'queued').length;
      if (job?.status !== 'succeeded') {
        failures++;
        log(`the import ended ${job?.status ?? 'missing'}`);
      }
      if (running > 0) failures++;
      const counts = job?.result ?? {};
      if (counts.read !== visits || counts.added !== visits || counts.duplicates !== 0) {
        failures++;
        log(`counts reported: ${JSON.stringify(counts)}`);
      }
      return {
        runs: killed,
        rowsExpected: visits,
        rowsFound: Math.min(stored, visits),
        duplicates: Math.max(0, stored - visits),
        lost: Math.max(0, visits - stored),
        failures,
        notes: [`${killed} worker kills during a ${visits}-visit import; job ${job?.status}; counts ${JSON.stringify(counts)}; jobs left running: ${running}`],
      };
    } finally {
      await launched.close();
      rmSync(base, { recursive: true, force: true });
    }
  },
};
