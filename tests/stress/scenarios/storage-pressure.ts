/**
 * Storage pressure: the browser profile lives on a small tmpfs, so a large history import runs
 * out of disk mid-way. (The extension holds `unlimitedStorage`, so a browser quota cannot be
 * imposed: the disk is the pressure it can meet.) Verified: the import fails with a clear code
 * instead of hanging or running forever; what was committed is consistent (the stored visits
 * equal the job's committed cursor, the counters equal the rows); after space is freed, the
 * worker and a page answer, and a retry of the job ends with every visit stored exactly once.
 *
 * Two scenarios. "storage pressure during history import": the disk is left with the import's
 * headroom (DISK_HEADROOM_BYTES, extension/db/disk-space.ts) plus less than the import needs; the
 * import must stop at its headroom with QUOTA_EXCEEDED. "disk filled by another program during
 * history import": once 20,000 visits are in, `dd` fills the disk to the last byte while the import
 * runs, so a batch in flight can meet the full disk itself: Chromium closes the connection, a
 * reopen is refused until space comes back, and Chromium may even delete the database at the next
 * open (a LevelDB log record the full disk tore, read as corruption; docs/reliability.md). The job
 * must then end failed with QUOTA_EXCEEDED and stored = cursor, or with DATABASE_RESET and nothing
 * written into the new empty database (its row written back), or succeed; the retry stores every
 * visit once either way.
 *
 * Needs to mount a tmpfs (root with CAP_SYS_ADMIN, as on the project's machines); both are part of
 * `npm run stress`, not of the smoke run in `npm test` (`inSmoke: false`).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DISK_HEADROOM_BYTES } from '../../../extension/db/disk-space';
import { writeLargeChromiumHistory } from '../../fixtures/make-history';
import { launchWithExtension, openExtensionPage, serviceWorkerTarget } from '../../support/chromium';
import { runCli } from '../../support/cli';
import { readStore } from '../../support/idb';
import { command, countStore, finishedJob, sleep, waitUntil } from '../browser';
import type { Scenario, ScenarioReport } from '../report';

interface JobRow {
  id: string;
  type: string;
  status: string;
  error: { code: string; message: string } | null;
  cursor: { added: number } | null;
  relatedIds: string[];
}

function freeKiB(dir: string): number {
  return Number(spawnSync('df', ['--output=avail', '-k', dir], { encoding: 'utf8' }).stdout.trim().split('\n').pop()!.trim());
}

function mount(dir: string, megabytes: number): void {
  const run = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${megabytes}m`, 'tmpfs', dir], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`storage pressure needs a size-limited tmpfs and could not mount one (${run.stderr.trim() || run.error?.message}); run as root with CAP_SYS_ADMIN`);
}

type Pressure = 'headroom' | 'filled';

export const storagePressure: Scenario = {
  name: 'storage pressure during history import',
  needs: 'browser',
  inSmoke: false,
  run: ({ log }) => runPressure('headroom', log),
};

export const diskFilledDuringImport: Scenario = {
  name: 'disk filled by another program during history import',
  needs: 'browser',
  inSmoke: false,
  run: ({ log }) => runPressure('filled', log),
};

async function runPressure(mode: Pressure, log: (message: string) => void): Promise<Omit<ScenarioReport, 'scenario' | 'ms'>> {
  const visits = 150_000;
  const DISK_MB = 200;
  // What the import may use above its headroom: less than 150,000 visits need.
  const FREE_MB = 12;
  const HEADROOM_MB = DISK_HEADROOM_BYTES / 2 ** 20;
  const base = mkdtempSync(join(tmpdir(), 'hf-stress-disk-'));
  const config = join(base, 'config');
  mkdirSync(join(config, 'chromium', 'Big'), { recursive: true });
  writeLargeChromiumHistory(join(config, 'chromium', 'Big', 'History'), { visits, urls: Math.ceil(visits / 3) });
  const disk = join(base, 'disk');
  mkdirSync(disk);
  mount(disk, DISK_MB);
  const userDataDir = join(disk, 'profile');
  const install = runCli(['install', '--user-data-dir', userDataDir], { HYDRAFLOW_HOME: join(base, 'home') });
  if (install.status !== 0) throw new Error(install.stderr);
  const launched = await launchWithExtension({ userDataDir, env: { XDG_CONFIG_HOME: config } });
  const ballast = join(disk, 'ballast');
  let failures = 0;
  try {
    // The worker's own warnings (a lost connection reopened, a job it could not mark) go to the log.
    const worker = await (await serviceWorkerTarget(launched.browser)).worker();
    worker?.on('console', (message) => {
      if (!message.text().startsWith('[hydraflow]')) return;
      const at = new Date().toISOString().slice(11, 23);
      // An error argument by its name, message and Dexie's cause (`inner`), not "[object …]".
      const described = message.args().map((arg) =>
        arg
          .evaluate((value: unknown) => {
            if (!value || typeof value !== 'object' || !('message' in value)) return String(value);
            const error = value as { name?: string; message: string; inner?: { name?: string; message?: string } };
            return `${error.name}: ${error.message}${error.inner ? ` (inner ${error.inner.name}: ${error.inner.message})` : ''}`;
          })
          .catch(() => '?'),
      );
      void Promise.all(described).then((parts) => log(`worker ${at}: ${parts.join(' ').slice(0, 500)}`));
    });
    const page = await openExtensionPage(launched.browser, 'options.html');
    await page.waitForSelector('[data-testid=app-info]');
    // Leave the headroom and FREE_MB on the disk: less than the import needs, whatever the profile took so far.
    if (mode === 'headroom') writeFileSync(ballast, Buffer.alloc(Math.max(0, freeKiB(disk) - (HEADROOM_MB + FREE_MB) * 1024) * 1024));
    const started = await command(page, 'history.import', { profileId: 'chromium:Big' });
    if (!started.ok) throw new Error(JSON.stringify(started.error));
    const firstId = (started.result as { jobId: string }).jobId;
    // Wait for the disk to fill: the job's progress stops while it is still marked running.
    let lastDone = -1;
    let still = 0;
    let filled = false;
    await waitUntil('the import to fail or stall on a full disk', async () => {
      // Reads may fail or hang while the disk is full: give each 3 s.
      const rows = await Promise.race([readStore<JobRow & { progress: { done: number } }>(page, 'jobs').catch(() => []), sleep(3000).then(() => [])]);
      const job = rows.find((j) => j.id === firstId);
      // Failing at once (the error reached the job row) or stalling (it could not yet) both mean the disk is full.
      if (job && job.status !== 'running') return true;
      if (mode === 'filled' && !filled && (job?.progress.done ?? 0) >= 20_000) {
        // Another program takes every byte left, while the import writes.
        spawnSync('dd', ['if=/dev/zero', `of=${ballast}`, 'bs=1M'], { stdio: 'ignore' });
        filled = true;
        log(`disk filled at ${job?.progress.done} visits (${freeKiB(disk)} KiB free)`);
      }
      const done = job?.progress.done ?? lastDone;
      still = done === lastDone ? still + 1 : 0;
      lastDone = done;
      return still >= 30 ? true : undefined;
    }, 300_000, 500);
    log(`import stopped at ${lastDone} visits with ${freeKiB(disk)} KiB free; freeing space`);
    // The full disk holds a moment longer: the worker's writes (marking the job failed) meet it too.
    if (mode === 'filled') await sleep(3000);
    // Space comes back; the failed import must end failed with a clear code, not stay running.
    rmSync(ballast, { force: true });
    // Once space is back, the worker and a page's own IndexedDB read must answer again (a handle
    // whose reopen the full disk refused once stayed unusable; reads that created the database
    // Chromium had deleted never answered: docs/reliability.md). Each is given 20 s per try, and
    // the log says which one fails. The worker is asked for the overview, which reads the
    // database: `app.info` opens the database itself, and so once hid the unusable handle.
    for (let attempt = 1; ; attempt++) {
      const asked = Date.now();
      const worker = await Promise.race([
        command(page, 'overview.get', {}).then((reply) => (reply.ok ? 'answered' : `failed: ${reply.error?.code} ${reply.error?.message}`), (e: unknown) => `failed: ${String(e)}`),
        sleep(20_000).then(() => 'no answer in 20 s'),
      ]);
      const read = await Promise.race([readStore<JobRow>(page, 'jobs').then(() => 'answered', (e: unknown) => `failed: ${String(e)}`), sleep(20_000).then(() => 'no answer in 20 s')]);
      if (worker === 'answered' && read === 'answered') break;
      log(`after space came back (try ${attempt}, ${Date.now() - asked} ms): worker ${worker}; page read ${read}`);
      if (attempt === 12) throw new Error(`after space came back, the worker (${worker}) or a page read (${read}) did not answer rightly for 4 minutes`);
      // A try that failed at once waits out its 20 s: 12 tries are 4 minutes, whatever the answer.
      await sleep(20_000 - (Date.now() - asked));
    }
    // The job row must be there, also when the browser deleted the database under the import
    // (the import writes it back, failed): waiting 10 minutes for a gone row proves nothing.
    if (!(await waitUntil('the first import\'s job row', async () => ((await readStore<JobRow>(page, 'jobs')).some((job) => job.id === firstId) ? true : undefined), 30_000, 500).catch(() => false))) {
      throw new Error('the first import\'s job row is gone: the database was deleted (Chromium\'s log says "recovering from a corrupted (and deleted) database") and nothing wrote the job back');
    }
    // Read by the page alone (finishedJob sends `app.info`): the worker must mark the job itself.
    const first = await waitUntil('the first import to end', async () => (await readStore<JobRow>(page, 'jobs')).find((job) => job.id === firstId && job.status !== 'running' && job.status !== 'queued'), 120_000, 500);
    const stored = await countStore(page, 'visits');
    log(`first import: ${first.status} ${first.error?.code ?? ''} ${first.error?.message ?? ''}; ${stored} visits stored, cursor ${first.cursor?.added}`);
    // Headroom: the import stops itself. Filled: it met the full disk (QUOTA_EXCEEDED, what it
    // committed = its cursor), or the browser deleted the database (DATABASE_RESET, nothing in
    // the new one), or the fill came too late (succeeded with every visit).
    const outcomes = mode === 'headroom' ? ['failed QUOTA_EXCEEDED'] : ['failed QUOTA_EXCEEDED', 'failed DATABASE_RESET', 'succeeded'];
    if (!outcomes.includes(first.status === 'succeeded' ? 'succeeded' : `${first.status} ${first.error?.code}`)) failures++;
    if (first.error?.code === 'DATABASE_RESET' ? stored !== 0 : first.cursor ? stored !== first.cursor.added : first.status !== 'succeeded' || stored !== visits) failures++;
    const overview = await command(page, 'overview.get', {});
    if ((overview.result as { visits: { total: number } } | undefined)?.visits.total !== stored) failures++;

    // The user retries the job (one that succeeded, the fill too late, needs none).
    let second = first;
    if (first.status !== 'succeeded') {
      const retried = await command(page, 'jobs.retry', { jobId: firstId });
      if (!retried.ok) throw new Error(JSON.stringify(retried.error));
      second = await finishedJob<JobRow>(page, (retried.result as { jobId: string }).jobId, 600_000, 500);
      if (second.status !== 'succeeded' || !second.relatedIds.includes(firstId)) failures++;
    }
    const end = await countStore(page, 'visits');
    return {
      runs: 1,
      rowsExpected: visits,
      rowsFound: Math.min(end, visits),
      duplicates: Math.max(0, end - visits),
      lost: Math.max(0, visits - end),
      failures,
      notes: [
        `${mode === 'headroom' ? `disk nearly full (tmpfs with the ${HEADROOM_MB} MB headroom + ${FREE_MB} MB left for the import)` : 'disk filled to the last byte by dd at 20,000 visits'} during a ${visits}-visit import: job ${first.status} with ${first.error?.code}; ${stored} visits committed${first.cursor ? ` = cursor ${first.cursor.added}` : ''}; the retry ${second.status} with ${end} visits`,
      ],
    };
  } finally {
    await launched.close();
    spawnSync('umount', [disk]);
    rmSync(base, { recursive: true, force: true });
  }
}
