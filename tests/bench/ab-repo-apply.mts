/**
 * A/B aid for the repo-apply bench: host bundles given as arguments (e.g. a saved copy of an
 * earlier build and dist/host/hydraflow-host.mjs) and `git apply`, in random order in each round,
 * each on a fresh tree; prints the medians and the per-round median ratios to git, of wall time
 * and of CPU time (all threads of the host, from /proc; git's from `perf stat`), which a shared
 * machine's load disturbs much less.
 * `node --import tsx tests/bench/ab-repo-apply.mts OLD.mjs NEW.mjs` (HF_BENCH_ROUNDS, default 11).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeFrame, FrameDecoder } from '../../native-host/core/frame-decoder';
import { EXTENSION_ORIGIN } from '../../shared/extension-id';
import { generateLargeChange, hashTree, writeTree } from '../support/repo-fixture';

const bundles = process.argv.slice(2);
const rounds = Number(process.env.HF_BENCH_ROUNDS ?? 11);
const change = generateLargeChange(200, 25);
const base = mkdtempSync(join(tmpdir(), 'hf-ab-repo-'));
const patchFile = join(base, 'bench.diff');
writeFileSync(patchFile, change.patch);
const budgets = { maxFiles: 100_000, maxLines: 10_000_000, maxBytes: 1_000_000_000 };

function freshTree(name: string): string {
  const root = join(base, name);
  rmSync(root, { recursive: true, force: true });
  writeTree(root, change.before);
  return root;
}

/** CPU time of every thread of a process so far (ms), from /proc/PID/task/TID/schedstat (ns on CPU). */
function cpuMs(pid: number): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
  return ns / 1e6;
}

async function hostApply(bundle: string, round: number): Promise<{ ms: number; cpu: number; hash: string }> {
  const root = freshTree('tree');
  const home = join(base, `home-${round}-${Math.random()}`);
  writeTree(home, { 'config.json': JSON.stringify({ repos: { bench: { root, budgets } } }) });
  const child = spawn(process.execPath, [bundle, EXTENSION_ORIGIN], { env: { ...process.env, HYDRAFLOW_HOME: home }, stdio: ['pipe', 'pipe', 'ignore'] });
  const decoder = new FrameDecoder(64 * 1_048_576);
  const waiting = new Map<number, (value: { ok?: boolean; error?: unknown }) => void>();
  child.stdout.on('data', (chunk: Buffer) => {
    for (const frame of decoder.push(chunk)) {
      const value = frame.kind === 'message' ? (frame.value as { id?: number; ok?: boolean; error?: unknown }) : null;
      if (value && typeof value.id === 'number' && 'ok' in value) waiting.get(value.id)?.(value);
    }
  });
  const request = (id: number, method: string, params: unknown) =>
    new Promise<{ ok?: boolean; error?: unknown }>((resolve) => {
      waiting.set(id, resolve);
      child.stdin.write(encodeFrame({ id, method, params }));
    });
  await request(1, 'hello', { protocolVersion: 1 });
  const preview = await request(2, 'repo.apply', { repoId: 'bench', patch: change.patch, dryRun: true });
  if (!preview.ok) throw new Error(JSON.stringify(preview.error));
  const cpuBefore = cpuMs(child.pid!);
  const started = process.hrtime.bigint();
  const reply = await request(3, 'repo.apply', { repoId: 'bench', patch: change.patch });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const cpu = cpuMs(child.pid!) - cpuBefore;
  if (!reply.ok) throw new Error(JSON.stringify(reply.error));
  child.stdin.end();
  await new Promise((resolve) => child.on('exit', resolve));
  return { ms, cpu, hash: hashTree(root) };
}

/** git apply: wall time as the bench measures it; CPU time (task-clock) from a second run under `perf stat`, which slows it down. */
function gitApply(): { ms: number; cpu: number; hash: string } {
  let root = freshTree('tree');
  const started = process.hrtime.bigint();
  const run = spawnSync('git', ['apply', '--whitespace=nowarn', patchFile], { cwd: root });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (run.status !== 0) throw new Error(String(run.stderr));
  const hash = hashTree(root);
  root = freshTree('tree');
  const counted = spawnSync('perf', ['stat', '-e', 'task-clock', 'git', 'apply', '--whitespace=nowarn', patchFile], { cwd: root, encoding: 'utf8' });
  const cpu = counted.status === 0 ? Number(/([\d.,]+)\s+msec task-clock/.exec(counted.stderr)?.[1]?.replace(/,/g, '') ?? NaN) : NaN;
  return { ms, cpu, hash };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const names = ['git', ...bundles];
const times: number[][] = names.map(() => []);
const cpus: number[][] = names.map(() => []);
const loadAtStart = loadavg()[0]!;
let expected = '';
for (let round = 0; round < rounds; round++) {
  const order = names.map((_, k) => k).sort(() => Math.random() - 0.5);
  for (const k of order) {
    const { ms, cpu, hash } = k === 0 ? gitApply() : await hostApply(names[k]!, round);
    cpus[k]!.push(cpu);
    expected ||= hash;
    if (hash !== expected) throw new Error(`${names[k]} produced a different tree`);
    times[k]!.push(ms);
  }
}
for (let k = 0; k < names.length; k++) {
  const ratio = median(times[k]!.map((ms, r) => ms / times[0]![r]!));
  const cpuRatio = median(cpus[k]!.map((ms, r) => ms / cpus[0]![r]!));
  console.log(`${names[k]}: wall median ${median(times[k]!).toFixed(1)} ms (per-round ratio to git ${ratio.toFixed(2)}), CPU median ${median(cpus[k]!).toFixed(1)} ms (ratio ${cpuRatio.toFixed(2)}); wall ${times[k]!.map((v) => Math.round(v)).join(' ')}`);
}
console.log(`rounds ${rounds}, load ${loadAtStart.toFixed(1)}→${loadavg()[0]!.toFixed(1)}`);
rmSync(base, { recursive: true, force: true });
