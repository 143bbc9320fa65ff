/**
 * The trust boundary under `npm run stress` (issue #21); their smoke versions are the e2e and
 * contract tests (`command-trust`, `bundles-hostile`, `bundle-hostile-cli`), so they are left out
 * of the smoke run:
 *   - hostile bundles through `hydraflow-host bundle inspect`: every hostile file of
 *     tests/fixtures/hostile-bundles.ts plus seeded bombs of random sizes (50–1400 MiB of zeros
 *     or empty lines): a coded JSON error, exit 1, peak RSS under the ceiling;
 *   - hostile bundles through the service worker: each previewed and imported, refused with its
 *     code, 0 rows written, the worker's heap under the ceiling; then two worker restarts: the
 *     worker answers and every job is still failed;
 *   - the content-script probe: every command of the table sent from the extension's isolated
 *     world in loopback web pages (refused with COMMAND_FORBIDDEN) and from an extension page
 *     (served), repeated.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commands } from '../../../shared/commands';
import { COMPONENTS } from '../../../shared/bundle/format';
import { hostileBundles, INSPECT_RSS_CEILING_MB, WORKER_HEAP_CEILING_MB, zipBomb, type HostileBundle } from '../../fixtures/hostile-bundles';
import { launchWithExtension, openExtensionPage, serviceWorkerTarget } from '../../support/chromium';
import { inspectWithPeakRss, runCli } from '../../support/cli';
import { readStore } from '../../support/idb';
import { probeFromContentScript, probeFromExtensionPage, restartWorker, sampleHeap } from '../../support/trust';
import { command, finishedJob } from '../browser';
import { randomSource, type Scenario } from '../report';

function seededBombs(seed: number, count: number): HostileBundle[] {
  const random = randomSource(seed);
  return Array.from({ length: count }, () => {
    const mib = 50 + random.int(1351);
    const lines = random.next() < 0.5;
    return { name: `seeded bomb: ${mib} MiB of ${lines ? 'empty lines' : 'zeros'}`, code: lines ? 'BUNDLE_COUNT_MISMATCH' : 'BUNDLE_LINE_TOO_LONG', bytes: zipBomb(mib, lines ? 0x0a : 0) };
  });
}

export const hostileBundlesCli: Scenario = {
  name: 'hostile bundles: bundle inspect',
  needs: 'host',
  inSmoke: false,
  async run({ smoke, seed, log }) {
    const cases = [...hostileBundles(), ...seededBombs(seed, smoke ? 1 : 6)];
    let failures = 0;
    let peak = 0;
    for (const hostile of cases) {
      const { status, report, rssMb } = inspectWithPeakRss(hostile.bytes);
      peak = Math.max(peak, rssMb);
      const ok = status === 1 && report?.valid === false && report.error?.code === hostile.code && rssMb < INSPECT_RSS_CEILING_MB;
      if (!ok) failures++;
      log(`${hostile.name}: exit ${status}, ${report?.error?.code ?? 'no code'}, peak RSS ${rssMb.toFixed(0)} MB${ok ? '' : ' — FAILED'}`);
    }
    return { runs: cases.length, rowsExpected: 0, rowsFound: 0, duplicates: 0, lost: 0, failures, notes: [`${cases.length} hostile files inspected: each its code and exit 1; peak RSS ${peak.toFixed(0)} MB (ceiling ${INSPECT_RSS_CEILING_MB})`] };
  },
};

export const hostileBundlesWorker: Scenario = {
  name: 'hostile bundles: service worker',
  needs: 'browser',
  inSmoke: false,
  async run({ smoke, seed, log }) {
    const base = mkdtempSync(join(tmpdir(), 'hf-stress-hostile-'));
    const userDataDir = join(base, 'profile');
    const install = runCli(['install', '--user-data-dir', userDataDir], { HYDRAFLOW_HOME: join(base, 'home') });
    if (install.status !== 0) throw new Error(install.stderr);
    // The files sit in a folder the user allowed on the host (the extension names files by folder id and name).
    const folder = join(base, 'allowed');
    mkdirSync(folder);
    const added = runCli(['folders', 'add', folder], { HYDRAFLOW_HOME: join(base, 'home') });
    if (added.status !== 0) throw new Error(added.stdout + added.stderr);
    const folderId = (JSON.parse(added.stdout) as { folders: { id: string }[] }).folders.at(-1)!.id;
    const launched = await launchWithExtension({ userDataDir });
    try {
      const worker = await serviceWorkerTarget(launched.browser);
      const page = await openExtensionPage(launched.browser, 'options.html');
      const heap = await worker.createCDPSession();
      const rows = async () => {
        let n = 0;
        for (const component of COMPONENTS) if (component !== 'tabs') n += (await readStore(page, component)).length;
        return n;
      };
      const before = await rows();
      const cases = [...hostileBundles(), ...seededBombs(seed + 1, smoke ? 1 : 4)];
      const jobIds: string[] = [];
      let failures = 0;
      let peak = 0;
      for (const [i, hostile] of cases.entries()) {
        const name = `${i}.hydraflow`;
        const path = join(folder, name);
        writeFileSync(path, hostile.bytes);
        const sampler = sampleHeap(heap);
        const preview = await command(page, 'bundles.preview', { file: { kind: 'host', folderId, name } });
        const started = await command(page, 'bundles.import', { file: { kind: 'host', folderId, name } });
        const jobId = (started.result as { jobId: string } | undefined)?.jobId;
        const job = jobId ? await finishedJob(page, jobId) : null;
        const heapMb = await sampler.stop();
        peak = Math.max(peak, heapMb);
        if (jobId) jobIds.push(jobId);
        rmSync(path);
        const ok = preview.error?.code === hostile.code && job?.status === 'failed' && job.error?.code === hostile.code && heapMb < WORKER_HEAP_CEILING_MB;
        if (!ok) failures++;
        log(`${hostile.name}: preview ${preview.error?.code}, import ${job?.status} ${job?.error?.code}, heap ${heapMb.toFixed(1)} MB${ok ? '' : ' — FAILED'}`);
      }
      await heap.detach().catch(() => undefined);
      await restartWorker(page);
      await restartWorker(page);
      const jobs = await readStore<{ id: string; status: string }>(page, 'jobs');
      const notFailed = jobIds.filter((id) => jobs.find((j) => j.id === id)?.status !== 'failed');
      failures += notFailed.length;
      const written = (await rows()) - before;
      return {
        runs: cases.length,
        rowsExpected: 0,
        rowsFound: written,
        duplicates: 0,
        lost: 0,
        failures,
        notes: [`${cases.length} hostile files previewed and imported: each refused with its code, ${written} rows written, worker heap peak ${peak.toFixed(1)} MB (ceiling ${WORKER_HEAP_CEILING_MB}); after 2 worker restarts ${jobIds.length - notFailed.length}/${jobIds.length} jobs still failed`],
      };
    } finally {
      await launched.close();
      rmSync(base, { recursive: true, force: true });
    }
  },
};

export const contentScriptProbe: Scenario = {
  name: 'content-script probe',
  needs: 'browser',
  inSmoke: false,
  async run({ smoke, log }) {
    const server = createServer((req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><title>Page ${req.url}</title><p>A web page.</p>`));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const launched = await launchWithExtension();
    const names = Object.entries(commands)
      .filter(([, spec]) => !(spec.callers as readonly string[]).includes('content-script'))
      .map(([name]) => name);
    const rounds = smoke ? 1 : 5;
    let failures = 0;
    let sent = 0;
    try {
      await serviceWorkerTarget(launched.browser);
      const page = await openExtensionPage(launched.browser, 'popup.html');
      for (let round = 0; round < rounds; round++) {
        const fromPage = await probeFromContentScript(launched, `${origin}/round-${round}`, names);
        const fromExtension = await probeFromExtensionPage(page, names);
        sent += names.length * 2;
        const served = names.filter((name) => fromPage[name]?.error?.code !== 'COMMAND_FORBIDDEN');
        const refused = names.filter((name) => !fromExtension[name] || fromExtension[name]!.error?.code === 'COMMAND_FORBIDDEN');
        failures += served.length + refused.length;
        log(`round ${round + 1}: ${names.length - served.length}/${names.length} refused to the web page${served.length ? ` (served: ${served.join(', ')})` : ''}; ${names.length - refused.length}/${names.length} served to the extension page`);
      }
    } finally {
      await launched.close();
      await new Promise((resolve) => server.close(resolve));
    }
    return { runs: sent, rowsExpected: 0, rowsFound: 0, duplicates: 0, lost: 0, failures, notes: [`${rounds} rounds × ${names.length} commands from a content-script world (all refused) and from an extension page (all served)`] };
  },
};
