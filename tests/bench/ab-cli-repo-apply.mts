/**
 * A/B aid for host-cli.bench.ts's `cli_repo_apply_ms` (not a bench itself: bench.mjs runs
 * *.bench.ts only): cold `hydraflow-host repo apply` processes of the CLIs given as arguments
 * (e.g. a saved copy of an earlier build and dist/host/hydraflow-host.mjs), `git apply` and a bare
 * `node -e 0`, in a random order in each round, each on a fresh copy of the same tree (the bench's
 * 200 files × 3,000 lines, 5,000 hunks; HF_BENCH_FILES / HF_BENCH_LINES / HF_BENCH_HUNKS), after
 * a `sync`. Prints per kind of run the medians of wall time, CPU time (all threads, `perf stat`'s
 * task-clock) and minor page faults, and the per-round median ratio
 * (ours − node) / git of wall and of CPU.
 * `node --import tsx tests/bench/ab-cli-repo-apply.mts OLD.mjs NEW.mjs` (HF_BENCH_ROUNDS, default 9).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { generateLargeChange, hashTree, writeTree } from '../support/repo-fixture';

const clis = process.argv.slice(2).map((cli) => resolve(cli));
const rounds = Number(process.env.HF_BENCH_ROUNDS ?? 9);
const FILES = Number(process.env.HF_BENCH_FILES ?? 200);
const LINES = Number(process.env.HF_BENCH_LINES ?? 3000);
const HUNKS = Number(process.env.HF_BENCH_HUNKS ?? 5000);
const change = generateLargeChange(FILES, Math.round(HUNKS / FILES), LINES);
const base = mkdtempSync(join(tmpdir(), 'hf-ab-cli-'));
const patchFile = join(base, 'change.diff');
writeFileSync(patchFile, change.patch);
const template = join(base, 'template');
writeTree(template, change.before);
const budgets = { maxFiles: 100_000, maxLines: 100_000_000, maxBytes: 10_000_000_000 };

interface Sample { ms: number; cpu: number; faults: number }

/** Runs one process under `perf stat` (CPU time of all its threads, ms precision; minor page faults). */
function timed(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Sample {
  const started = process.hrtime.bigint();
  const result = spawnSync('perf', ['stat', '-x,', '-e', 'task-clock,minor-faults', command, ...args], { cwd, env, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}): ${result.stderr.slice(0, 2000)}`);
  const field = (event: string) => Number(result.stderr.split('\n').find((line) => line.includes(`,${event}`))?.split(',')[0]);
  return { ms, cpu: field('task-clock'), faults: field('minor-faults') };
}

const names = ['node -e 0', 'git apply', ...clis];
const samples: Sample[][] = names.map(() => []);
const trees = new Set<string>();
const loadAtStart = loadavg()[0]!;
for (let round = 0; round < rounds; round++) {
  const order = names.map((_, k) => k).sort(() => Math.random() - 0.5);
  for (const k of order) {
    const root = join(base, 'repo');
    const home = join(base, 'home');
    for (const dir of [root, home]) rmSync(dir, { recursive: true, force: true });
    cpSync(template, root, { recursive: true });
    writeTree(home, { 'config.json': JSON.stringify({ repos: { bench: { root, budgets } } }) });
    spawnSync('sync');
    const sample =
      k === 0 ? timed(process.execPath, ['-e', '0'], base, process.env)
      : k === 1 ? timed('git', ['apply', '--whitespace=nowarn', patchFile], root, process.env)
      : timed(process.execPath, [names[k]!, 'repo', 'apply', '--repo', 'bench', '--patch', patchFile], base, { ...process.env, HYDRAFLOW_HOME: home });
    if (k > 0) trees.add(hashTree(join(root, 'src')));
    samples[k]!.push(sample);
  }
}
if (trees.size !== 1) throw new Error('the runs produced different trees');
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
for (let k = 0; k < names.length; k++) {
  const own = samples[k]!;
  const line = [`${names[k]}: wall ${median(own.map((s) => s.ms)).toFixed(0)} ms, CPU ${median(own.map((s) => s.cpu)).toFixed(0)} ms, minor faults ${median(own.map((s) => s.faults))}`];
  if (k > 1) {
    const wall = median(own.map((s, r) => (s.ms - samples[0]![r]!.ms) / samples[1]![r]!.ms));
    const cpu = median(own.map((s, r) => (s.cpu - samples[0]![r]!.cpu) / samples[1]![r]!.cpu));
    line.push(`(ours − node) / git: wall ${wall.toFixed(2)}, CPU ${cpu.toFixed(2)}`);
  }
  line.push(`walls ${own.map((s) => Math.round(s.ms)).join(' ')}`);
  console.log(line.join('; '));
}
console.log(`rounds ${rounds}, load ${loadAtStart.toFixed(1)}→${loadavg()[0]!.toFixed(1)}`);
rmSync(base, { recursive: true, force: true });
