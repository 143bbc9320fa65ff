/**
 * Bench: a generated patch (default 200 files, 5,000 hunks) applied by our host (parse, path
 * checks, budgets, pre-images, journal, temp files + renames, ledger entry) against `git apply`
 * on an identical tree, in the same run. Two figures:
 *  - host_apply_ms: a `repo.apply` request to the running host over the native-messaging framing,
 *    as the extension uses it (the host is a long-lived process while the browser is connected,
 *    and the side panel's preview dry run precedes every apply);
 *  - cli_apply_ms: a cold `hydraflow-host repo apply` process, Node start-up included.
 * git apply is always a cold process (it is a small C program). Each round measures ours and git's
 * back to back on identical fresh trees; besides the ratio of the medians, the median of the
 * per-round ratios is printed (the machine is shared, and a round's two figures see the same load),
 * with the load average at the start and end of the run.
 * Sizes: HF_BENCH_FILES, HF_BENCH_HUNKS_PER_FILE, HF_BENCH_ROUNDS.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI } from '../support/cli';
import { HostProcess } from '../support/host-process';
import { generateLargeChange, hashTree, writeTree } from '../support/repo-fixture';

const files = Number(process.env.HF_BENCH_FILES ?? 200);
const hunksPerFile = Number(process.env.HF_BENCH_HUNKS_PER_FILE ?? 25);
const rounds = Number(process.env.HF_BENCH_ROUNDS ?? 5);

const change = generateLargeChange(files, hunksPerFile);
const base = mkdtempSync(join(tmpdir(), 'hf-bench-repo-'));
const patchFile = join(base, 'bench.diff');
writeFileSync(patchFile, change.patch);
const home = join(base, 'home');

function freshTree(name: string): string {
  const root = join(base, name);
  rmSync(root, { recursive: true, force: true });
  writeTree(root, change.before);
  return root;
}

function timed(run: () => { status: number | null; stderr: string | Buffer }): number {
  const started = process.hrtime.bigint();
  const result = run();
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`run failed: ${String(result.stderr)}`);
  return ms;
}

const ours: number[] = [];
const git: number[] = [];
const warm: number[] = [];
let ourHash = '';
let gitHash = '';
let warmHash = '';
const loadAtStart = loadavg()[0]!;
const budgets = { maxFiles: 100_000, maxLines: 10_000_000, maxBytes: 1_000_000_000 };
for (let round = 0; round < rounds; round++) {
  const warmRoot = freshTree('warm-tree');
  const warmHome = join(base, `warm-home-${round}`);
  writeTree(warmHome, { 'config.json': JSON.stringify({ repos: { bench: { root: warmRoot, budgets } } }) });
  const host = new HostProcess({ home: warmHome });
  await host.request(1, 'hello', { protocolVersion: 1 });
  // The side panel always previews (dry run) before the user approves; measure the apply after it.
  const preview = await host.request(3, 'repo.apply', { repoId: 'bench', patch: change.patch, dryRun: true }, 120_000);
  if (!preview.ok) throw new Error(`host preview failed: ${JSON.stringify(preview.error)}`);
  const started = process.hrtime.bigint();
  const reply = await host.request(2, 'repo.apply', { repoId: 'bench', patch: change.patch }, 120_000);
  warm.push(Number(process.hrtime.bigint() - started) / 1e6);
  if (!reply.ok) throw new Error(`host apply failed: ${JSON.stringify(reply.error)}`);
  warmHash = hashTree(warmRoot);
  await host.stop();

  const gitRoot = freshTree('git-tree');
  git.push(timed(() => spawnSync('git', ['apply', '--whitespace=nowarn', patchFile], { cwd: gitRoot })));
  gitHash = hashTree(gitRoot);

  const ourRoot = freshTree('our-tree');
  rmSync(home, { recursive: true, force: true });
  writeTree(home, { 'config.json': JSON.stringify({ repos: { bench: { root: ourRoot, budgets } } }) });
  ours.push(timed(() => spawnSync(process.execPath, [CLI, 'repo', 'apply', '--repo', 'bench', '--patch', patchFile], { env: { ...process.env, HYDRAFLOW_HOME: home } })));
  ourHash = hashTree(ourRoot);
}
if (ourHash !== gitHash || warmHash !== gitHash) throw new Error('our apply and git apply produced different trees');

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const load = `${loadAtStart.toFixed(1)}→${loadavg()[0]!.toFixed(1)}`;
const round2 = (value: number) => Math.round(value * 100) / 100;
const ourMs = median(ours);
const gitMs = median(git);
const warmMs = median(warm);
console.log(
  JSON.stringify({
    bench: 'repo-apply',
    figure: 'host_apply_ms',
    value: Math.round(warmMs),
    baseline: 'git_apply_ms',
    baselineValue: Math.round(gitMs),
    ratio: round2(warmMs / gitMs),
    roundRatioMedian: round2(median(warm.map((ms, k) => ms / git[k]!))),
    goal: '<=1.5',
    files,
    hunks: files * hunksPerFile,
    rounds,
    values: warm.map(Math.round),
    baselineValues: git.map(Math.round),
    load,
  }),
);
console.log(
  JSON.stringify({
    bench: 'repo-apply',
    figure: 'cli_apply_ms',
    value: Math.round(ourMs),
    baseline: 'git_apply_ms',
    baselineValue: Math.round(gitMs),
    ratio: round2(ourMs / gitMs),
    roundRatioMedian: round2(median(ours.map((ms, k) => ms / git[k]!))),
    goal: '<=1.5',
    files,
    hunks: files * hunksPerFile,
    rounds,
    values: ours.map(Math.round),
    load,
  }),
);
rmSync(base, { recursive: true, force: true });
