/**
 * Bundles under faults, in real Chromium with the real host: the service worker killed again and
 * again during a bundle import (the import resumes from its cursor; every row once), and the host
 * SIGKILLed while it writes an export into a folder allowed on the host (the job fails clearly, no
 * bundle appears in the folder, the extension reconnects and the next export is complete and valid).
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeLargeChromiumHistory } from '../../fixtures/make-history';
import { launchWithExtension, openExtensionPage, serviceWorkerTarget } from '../../support/chromium';
import { runCli } from '../../support/cli';
import { readStore } from '../../support/idb';
import { command, countStore, finishedJob, seedVisits, sleep, waitUntil, workerKiller } from '../browser';
import { randomSource, type Scenario } from '../report';

interface JobRow {
  id: string;
  type: string;
  status: string;
  error: { code: string; message: string } | null;
}

function setup(prefix: string) {
  const base = mkdtempSync(join(tmpdir(), prefix));
  const home = join(base, 'home');
  const userDataDir = join(base, 'profile');
  const install = runCli(['install', '--user-data-dir', userDataDir], { HYDRAFLOW_HOME: home });
  if (install.status !== 0) throw new Error(install.stderr);
  return { base, home, userDataDir };
}

/** Allows `folder` on the host side (the extension names files there by folder id and name); returns its id. */
function allowFolder(home: string, folder: string): string {
  const added = runCli(['folders', 'add', folder], { HYDRAFLOW_HOME: home });
  if (added.status !== 0) throw new Error(added.stderr || added.stdout);
  return (JSON.parse(added.stdout) as { folders: { id: string }[] }).folders.at(-1)!.id;
}

export const workerKillDuringBundleImport: Scenario = {
  name: 'worker killed during bundle import',
  needs: 'browser',
  async run({ smoke, seed, log }) {
    const random = randomSource(seed + 7);
    const visits = smoke ? 20_000 : 100_000;
    const kills = smoke ? 1 : 20;
    const { base, home, userDataDir } = setup('hf-stress-bundle-in-');
    const history = join(base, 'History');
    writeLargeChromiumHistory(history, { visits, urls: Math.ceil(visits / 5) });
    const inFolder = join(base, 'in');
    mkdirSync(inFolder);
    const inId = allowFolder(home, inFolder);
    const bundle = join(inFolder, 'history.hydraflow');
    const made = runCli(['bundle', 'from-history', '--file', history, '--out', bundle], { HYDRAFLOW_HOME: home });
    if (made.status !== 0) throw new Error(made.stderr || made.stdout);
    const launched = await launchWithExtension({ userDataDir });
    try {
      await serviceWorkerTarget(launched.browser);
      const page = await openExtensionPage(launched.browser, 'options.html');
      await page.waitForSelector('[data-testid=app-info]');
      const started = await command(page, 'bundles.import', { file: { kind: 'host', folderId: inId, name: 'history.hydraflow' } });
      if (!started.ok) throw new Error(JSON.stringify(started.error));
      const jobId = (started.result as { jobId: string }).jobId;
      const killer = await workerKiller(page);
      let killed = 0;
      for (let kill = 0; kill < kills; kill++) {
        // The smoke run's one kill lands early: its 20,000-visit import can end within a second
        // on a quiet machine (a kill after it would test nothing).
        await sleep(smoke ? 50 + random.int(350) : 300 + random.int(1500));
        const job = (await readStore<JobRow>(page, 'jobs')).find((j) => j.id === jobId);
        if (job && job.status !== 'running' && job.status !== 'queued') break;
        await killer.kill();
        killed++;
      }
      const job = await finishedJob(page, jobId);
      const stored = await countStore(page, 'visits');
      const running = (await readStore<JobRow>(page, 'jobs')).filter((j) => j.status === 'running' || j.status === 'queued').length;
      let failures = 0;
      if (job.status !== 'succeeded') failures++;
      if (running > 0) failures++;
      log(`${killed} kills; job ${job.status} ${job.error?.code ?? ''}; ${stored} of ${visits} visits`);
      return {
        runs: killed,
        rowsExpected: visits,
        rowsFound: Math.min(stored, visits),
        duplicates: Math.max(0, stored - visits),
        lost: Math.max(0, visits - stored),
        failures,
        notes: [`${killed} worker kills during the import of a ${visits}-visit bundle: job ${job.status}, ${stored} visits stored, jobs left running ${running}`],
      };
    } finally {
      await launched.close();
      rmSync(base, { recursive: true, force: true });
    }
  },
};

/** Host processes started for this HYDRAFLOW_HOME (their environment names it). */
function hostPids(home: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (!cmdline.includes('hydraflow-host')) continue;
      if (readFileSync(`/proc/${entry}/environ`, 'utf8').includes(`HYDRAFLOW_HOME=${home}`)) pids.push(Number(entry));
    } catch {
      // the process ended meanwhile
    }
  }
  return pids;
}

export const hostKillDuringBundleWrite: Scenario = {
  name: 'host killed during bundle write',
  needs: 'browser',
  async run({ smoke, seed, log }) {
    const random = randomSource(seed + 8);
    const kills = smoke ? 1 : 5;
    const visits = smoke ? 20_000 : 60_000;
    const { base, home, userDataDir } = setup('hf-stress-bundle-out-');
    const out = join(base, 'out');
    mkdirSync(out);
    const outId = allowFolder(home, out);
    const finishedFiles = () => readdirSync(out).filter((name) => name.endsWith('.hydraflow'));
    const launched = await launchWithExtension({ userDataDir });
    try {
      await serviceWorkerTarget(launched.browser);
      const page = await openExtensionPage(launched.browser, 'options.html');
      await page.waitForSelector('[data-testid=app-info]');
      const now = Date.now();
      await seedVisits(page, { count: visits, hosts: ['bundle.example'], keyPrefix: 'k', now, pad: 100 });
      let failures = 0;
      let killedWhileWriting = 0;
      for (let run = 0; run < kills; run++) {
        const filesBefore = finishedFiles().length;
        const partialsBefore = new Set(readdirSync(out).filter((name) => name.includes('.hydraflow.partial-')));
        // One export per second at most: the extension names a bundle by the second it starts.
        await sleep(1100);
        const started = await command(page, 'bundles.export', { scope: { kind: 'all' }, destination: { kind: 'host', folderId: outId } });
        if (!started.ok) throw new Error(JSON.stringify(started.error));
        const jobId = (started.result as { jobId: string }).jobId;
        // Kill the host once it has started writing (a partial file exists), at a random moment.
        await waitUntil('the export to start writing', async () => (readdirSync(out).some((name) => name.includes('.hydraflow.partial-') && !partialsBefore.has(name)) ? true : undefined), 60_000, 20).catch(() => undefined);
        await sleep(random.int(300));
        const pids = hostPids(home);
        for (const pid of pids) process.kill(pid, 'SIGKILL');
        const job = await finishedJob(page, jobId);
        if (job.status === 'running') failures++;
        if (job.status === 'failed') killedWhileWriting++;
        // A complete-looking file in the folder only if the export really finished.
        if (finishedFiles().length !== filesBefore && job.status !== 'succeeded') {
          failures++;
          log(`run ${run}: a bundle appeared after a ${job.status} export`);
        }
        if (job.status === 'failed' && !job.error) failures++;
      }
      // The extension reconnects: the next export is complete and valid.
      await sleep(1100);
      const again = await command(page, 'bundles.export', { scope: { kind: 'all' }, destination: { kind: 'host', folderId: outId } });
      const finalJob = await finishedJob(page, (again.result as { jobId: string }).jobId);
      const final = (finalJob as { result?: { path?: string } }).result?.path ?? join(out, 'missing');
      const inspect = runCli(['bundle', 'inspect', final], { HYDRAFLOW_HOME: home });
      const report = inspect.status === 0 ? (JSON.parse(inspect.stdout) as { counts?: Record<string, number>; valid?: boolean; components?: Record<string, { rows: number }> }) : null;
      const rows = report?.counts?.visits ?? report?.components?.visits?.rows ?? 0;
      if (finalJob.status !== 'succeeded' || inspect.status !== 0) {
        failures++;
        log(`final export ${finalJob.status}; inspect ${inspect.status} ${inspect.stdout.slice(0, 300)} ${inspect.stderr.slice(0, 300)}`);
      }
      return {
        runs: kills,
        rowsExpected: visits,
        rowsFound: Math.min(rows, visits),
        duplicates: Math.max(0, rows - visits),
        lost: Math.max(0, visits - rows),
        failures,
        notes: [`${kills} host SIGKILLs during exports (${killedWhileWriting} cut off while writing; no bundle appeared in the folder for an unfinished export); the next export ${finalJob.status} and inspects valid with ${rows} visits`],
      };
    } finally {
      await launched.close();
      rmSync(base, { recursive: true, force: true });
    }
  },
};
