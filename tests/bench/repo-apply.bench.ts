/**
 * Bench: a generated patch (default 200 files, 5,000 hunks) applied by our host (path checks,
 * budgets, pre-images, journal, in-place writes, ledger entry) against `git apply` on an
 * identical tree, in the same run. Four figures:
 *  - host_apply_ms: the approval's `repo.apply` request to the running host over the
 *    native-messaging framing, as the extension sends it: after the side panel's preview (a dry
 *    run, which every apply follows), naming the previewed patch by its SHA-256;
 *  - host_apply_fallback_ms: the extension's fallback when the host restarted since the preview
 *    (the hold ran out, or it died): a host process that has answered `hello` only is asked by
 *    hash, answers PATCH_NOT_PREVIEWED, and is sent the text — parse, plan and hashes included,
 *    with the JIT as cold as it is in a new host;
 *  - cli_apply_ms: a cold `hydraflow-host repo apply` process, Node start-up and parse included;
 *  - host_preview_ms: the preview itself (a dry run in a host that has not run one yet) against
 *    `git apply --check`, the nearest thing git has (it parses and matches, writes nothing).
 * git apply is always a cold process (it is a small C program). Each round measures ours and git's
 * back to back on identical fresh trees; besides the ratio of the medians, the median of the
 * per-round ratios is printed (the machine is shared, and a round's two figures see the same load),
 * with the load average at the start and end of the run.
 * Sizes: HF_BENCH_FILES, HF_BENCH_HUNKS_PER_FILE, HF_BENCH_ROUNDS.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI } from '../support/cli';
import { HostProcess } from '../support/host-process';
import { generateLargeChange, hashTree, writeTree } from '../support/repo-fixture';

const files = Number(process.env.HF_BENCH_FILES ?? 200);
const hunksPerFile = Number(process.env.HF_BENCH_HUNKS_PER_FILE ?? 25);
const rounds = Number(process.env.HF_BENCH_ROUNDS ?? 5);

const generated = generateLargeChange(files, hunksPerFile);
const change = { ...generated, sha256: createHash('sha256').update(generated.patch, 'utf8').digest('hex') };
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

/**
 * Each timed operation starts with the file system settled: the trees just written (and the
 * previous operation's writes) flushed, so that no operation pays for another's writeback.
 * Without it, `git apply` (which creates 200 new files) measured anywhere from 21 to 70 ms
 * between runs on a quiet machine, depending on what was still being written back.
 */
function settle(): void {
  spawnSync('sync');
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
const fallback: number[] = [];
const previews: number[] = [];
const gitChecks: number[] = [];
const hashes = new Set<string>();
const loadAtStart = loadavg()[0]!;
const budgets = { maxFiles: 100_000, maxLines: 10_000_000, maxBytes: 1_000_000_000 };

/**
 * A long-lived host previews the patch (as the side panel does before approval), then the timed
 * apply by hash; or (`byHash` false) a new host that never saw the patch gets the fallback's two
 * requests, timed together.
 */
async function hostApply(round: number, byHash: boolean): Promise<number> {
  const root = freshTree('warm-tree');
  const warmHome = join(base, `warm-home-${round}-${byHash}`);
  writeTree(warmHome, { 'config.json': JSON.stringify({ repos: { bench: { root, budgets } } }) });
  const host = new HostProcess({ home: warmHome });
  await host.request(1, 'hello', { protocolVersion: 1 });
  let reply;
  let started: bigint;
  if (byHash) {
    settle();
    const previewStarted = process.hrtime.bigint();
    const preview = await host.request(3, 'repo.apply', { repoId: 'bench', patch: change.patch, dryRun: true }, 120_000);
    previews.push(Number(process.hrtime.bigint() - previewStarted) / 1e6);
    if (!preview.ok) throw new Error(`host preview failed: ${JSON.stringify(preview.error)}`);
    const { patchSha256 } = preview.result as { patchSha256: string };
    settle();
    started = process.hrtime.bigint();
    reply = await host.request(2, 'repo.apply', { repoId: 'bench', patchSha256 }, 120_000);
  } else {
    settle();
    started = process.hrtime.bigint();
    const refused = await host.request(2, 'repo.apply', { repoId: 'bench', patchSha256: change.sha256 }, 120_000);
    if (refused.ok || refused.error?.code !== 'PATCH_NOT_PREVIEWED') throw new Error(`expected PATCH_NOT_PREVIEWED: ${JSON.stringify(refused)}`);
    reply = await host.request(4, 'repo.apply', { repoId: 'bench', patch: change.patch }, 120_000);
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (!reply.ok) throw new Error(`host apply failed: ${JSON.stringify(reply.error)}`);
  hashes.add(hashTree(root));
  await host.stop();
  return ms;
}

for (let round = 0; round < rounds; round++) {
  warm.push(await hostApply(round, true));
  fallback.push(await hostApply(round, false));

  const gitRoot = freshTree('git-tree');
  settle();
  gitChecks.push(timed(() => spawnSync('git', ['apply', '--check', '--whitespace=nowarn', patchFile], { cwd: gitRoot })));
  settle();
  git.push(timed(() => spawnSync('git', ['apply', '--whitespace=nowarn', patchFile], { cwd: gitRoot })));
  hashes.add(hashTree(gitRoot));

  const ourRoot = freshTree('our-tree');
  rmSync(home, { recursive: true, force: true });
  writeTree(home, { 'config.json': JSON.stringify({ repos: { bench: { root: ourRoot, budgets } } }) });
  settle();
  ours.push(timed(() => spawnSync(process.execPath, [CLI, 'repo', 'apply', '--repo', 'bench', '--patch', patchFile], { env: { ...process.env, HYDRAFLOW_HOME: home } })));
  hashes.add(hashTree(ourRoot));
}
if (hashes.size !== 1) throw new Error('our apply and git apply produced different trees');

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const load = `${loadAtStart.toFixed(1)}→${loadavg()[0]!.toFixed(1)}`;
const round2 = (value: number) => Math.round(value * 100) / 100;
/** One JSON line: our median against a baseline's, measured in the same rounds. */
const figure = (name: string, values: number[], baseline: { name: string; values: number[] }, extra: Record<string, unknown> = {}) => {
  const baselineMs = median(baseline.values);
  console.log(
    JSON.stringify({
      bench: 'repo-apply',
      figure: name,
      value: Math.round(median(values)),
      baseline: baseline.name,
      baselineValue: Math.round(baselineMs),
      ratio: round2(median(values) / baselineMs),
      roundRatioMedian: round2(median(values.map((ms, k) => ms / baseline.values[k]!))),
      files,
      hunks: files * hunksPerFile,
      rounds,
      values: values.map(Math.round),
      ...extra,
      load,
    }),
  );
};
const gitApply = { name: 'git_apply_ms', values: git };
const goal = '<=1.5';
figure('host_apply_ms', warm, gitApply, { goal, path: 'approval after the preview (every apply from the side panel while the host holds the preview)', baselineValues: git.map(Math.round) });
figure('host_apply_fallback_ms', fallback, gitApply, { goal, path: 'fallback: the host restarted since the preview (hold of 15 min ran out, or it died)' });
// The preview (parse, path checks, hunks matched, budgets, ledger hashes; nothing written) in a
// host process that has not run one before, against `git apply --check` on the same tree.
figure('host_preview_ms', previews, { name: 'git_apply_check_ms', values: gitChecks }, { baselineValues: gitChecks.map(Math.round) });
figure('cli_apply_ms', ours, gitApply, { goal, path: 'hydraflow-host repo apply, a cold Node process' });
rmSync(base, { recursive: true, force: true });
