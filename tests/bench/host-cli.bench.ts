/**
 * Bench: the host's CLI as scripts and power users run it, each a cold `hydraflow-host` process,
 * against the C tool that does the same work, in the same run (`npm run bench -- host-cli`):
 *  - cli_repo_apply_ms: `hydraflow-host repo apply` of a patch touching HF_BENCH_FILES files
 *    (200) of HF_BENCH_LINES lines (3,000) with HF_BENCH_HUNKS hunks in all (5,000) — path
 *    checks, budgets, pre-images, journal, writes and ledger entry — on a fresh git repository
 *    generated here, against `git apply` of the same patch on an identical repository. Our figure
 *    is the process's time minus a bare `node -e 0` (Node's own start-up, measured in the same
 *    rounds); git apply is a small C program with next to no start-up. Goal ≤ 1.5×.
 *  - cli_history_export_ms: `hydraflow-host history export` of a generated Chromium-shaped
 *    History file (HF_BENCH_VISITS visits over HF_BENCH_URLS URLs: 500k / 100k) to NDJSON in a
 *    file, against the `sqlite3` CLI doing the same join to the same JSON lines (the same fields,
 *    time conversion, transition names and order; no snapshot copy, no URL checks). Node's start-up
 *    is included in ours. Goal ≤ 1.5×. Needs the sqlite3 CLI (`apt-get install -y sqlite3`).
 * Each round runs ours and the baseline back to back after a `sync` (see repo-apply.bench.ts:
 * writeback left by one operation otherwise lands on the next); medians of HF_BENCH_ROUNDS (5),
 * with the median of per-round ratios and the load average at the start and end.
 * HF_BENCH_PREVIOUS_CLI=dist/host/NAME.mjs (a saved copy of an earlier build, kept next to the
 * current one so that it finds better-sqlite3) also runs that build in the same rounds, before or
 * after ours by turns, and prints `…_ab` lines: a change's before and after under the same load.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, cpSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { TRANSITIONS } from '../../shared/schemas/statuses';
import { writeLargeChromiumHistory } from '../fixtures/make-history';
import { CLI } from '../support/cli';
import { generateLargeChange, hashTree, writeTree } from '../support/repo-fixture';

const FILES = Number(process.env.HF_BENCH_FILES ?? 200);
const LINES = Number(process.env.HF_BENCH_LINES ?? 3000);
const HUNKS = Number(process.env.HF_BENCH_HUNKS ?? 5000);
const VISITS = Number(process.env.HF_BENCH_VISITS ?? 500_000);
const URLS = Number(process.env.HF_BENCH_URLS ?? 100_000);
const ROUNDS = Number(process.env.HF_BENCH_ROUNDS ?? 5);
const PREVIOUS = process.env.HF_BENCH_PREVIOUS_CLI;

const base = mkdtempSync(join(tmpdir(), 'hf-bench-cli-'));
const loadAtStart = loadavg()[0]!;

/**
 * CPU time (user + system, ms) of this process's waited-for children so far, from /proc (clock
 * ticks of 10 ms): a process's CPU time moves much less with other engineers' load than its wall
 * time does. Null where there is no /proc.
 */
function childrenCpuMs(): number | null {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').replace(/^.*\) /, '').split(' ');
    // After "pid (comm) ": state is field 3, so cutime (16) and cstime (17) are at 13 and 14.
    return (Number(fields[13]) + Number(fields[14])) * 10;
  } catch {
    return null;
  }
}
/** CPU ms of every run(), by label (see childrenCpuMs). */
const cpu = new Map<string, number[]>();

function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; stdoutFile?: string; cpuLabel?: string } = {}): number {
  const out = options.stdoutFile ? openSync(options.stdoutFile, 'w') : 'ignore';
  try {
    const cpuBefore = childrenCpuMs();
    const started = process.hrtime.bigint();
    const result = spawnSync(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', out, 'pipe'], maxBuffer: 64 * 1024 * 1024 });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}): ${String(result.stderr).slice(0, 2000)}`);
    const cpuAfter = childrenCpuMs();
    if (options.cpuLabel && cpuBefore !== null && cpuAfter !== null) cpu.set(options.cpuLabel, [...(cpu.get(options.cpuLabel) ?? []), cpuAfter - cpuBefore]);
    return ms;
  } finally {
    if (typeof out === 'number') closeSync(out);
  }
}

/** Flushes what earlier writes left in writeback, so no timed operation pays for another's. */
const settle = () => void spawnSync('sync');

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const round2 = (value: number) => Math.round(value * 100) / 100;

function figure(name: string, values: number[], baseline: { name: string; values: number[] }, extra: Record<string, unknown>): void {
  const baselineMs = median(baseline.values);
  console.log(
    JSON.stringify({
      bench: 'host-cli',
      figure: name,
      value: Math.round(median(values)),
      baseline: baseline.name,
      baselineValue: Math.round(baselineMs),
      ratio: round2(median(values) / baselineMs),
      roundRatioMedian: round2(median(values.map((ms, k) => ms / baseline.values[k]!))),
      goal: '<=1.5',
      rounds: ROUNDS,
      values: values.map(Math.round),
      baselineValues: baseline.values.map(Math.round),
      // Medians of CPU time (user + system) per kind of run, where /proc has them.
      cpuMsMedians: Object.fromEntries([...cpu].map(([label, values]) => [label, median(values)])),
      ...extra,
      load: `${loadAtStart.toFixed(1)}→${loadavg()[0]!.toFixed(1)}`,
    }),
  );
}

// ---- repo apply -------------------------------------------------------------------------------
const change = generateLargeChange(FILES, Math.round(HUNKS / FILES), LINES);
const patchFile = join(base, 'change.diff');
writeFileSync(patchFile, change.patch);
const template = join(base, 'template');
writeTree(template, change.before);
const git = (cwd: string, ...args: string[]) => {
  const result = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
};
git(template, 'init', '-q');
git(template, '-c', 'user.name=bench', '-c', 'user.email=bench@example.invalid', 'add', '-A');
git(template, '-c', 'user.name=bench', '-c', 'user.email=bench@example.invalid', 'commit', '-q', '-m', 'before');
const treeBytes = Object.values(change.before).reduce((sum, text) => sum + Buffer.byteLength(text), 0);
process.stderr.write(`repo: ${FILES} files × ${LINES} lines (${(treeBytes / 1e6).toFixed(1)} MB), patch ${(statSync(patchFile).size / 1e6).toFixed(1)} MB\n`);

const nodeStart: number[] = [];
const gitApply: number[] = [];
const ourApply: number[] = [];
const previousApply: number[] = [];
const trees = new Set<string>();
const budgets = { maxFiles: 100_000, maxLines: 100_000_000, maxBytes: 10_000_000_000 };
/** A cold `repo apply` by `cli` on a fresh copy of the template named `name`. */
function cliApply(cli: string, name: 'our' | 'previous'): number {
  const root = join(base, `${name}-repo`);
  const home = join(base, `${name}-home`);
  for (const dir of [root, home]) rmSync(dir, { recursive: true, force: true });
  cpSync(template, root, { recursive: true });
  writeTree(home, { 'config.json': JSON.stringify({ repos: { bench: { root, budgets } } }) });
  settle();
  const ms = run(process.execPath, [cli, 'repo', 'apply', '--repo', 'bench', '--patch', patchFile], { env: { ...process.env, HYDRAFLOW_HOME: home }, cpuLabel: `${name} repo apply` });
  trees.add(hashTree(join(root, 'src')));
  return ms;
}
for (let round = 0; round < ROUNDS; round++) {
  const gitRoot = join(base, 'git-repo');
  rmSync(gitRoot, { recursive: true, force: true });
  cpSync(template, gitRoot, { recursive: true });
  settle();
  nodeStart.push(run(process.execPath, ['-e', '0'], { cpuLabel: 'node -e 0' }));
  settle();
  gitApply.push(run('git', ['apply', '--whitespace=nowarn', patchFile], { cwd: gitRoot, cpuLabel: 'git apply' }));
  trees.add(hashTree(join(gitRoot, 'src')));
  if (PREVIOUS && round % 2 === 1) previousApply.push(cliApply(PREVIOUS, 'previous'));
  ourApply.push(cliApply(CLI, 'our'));
  if (PREVIOUS && round % 2 === 0) previousApply.push(cliApply(PREVIOUS, 'previous'));
}
if (trees.size !== 1) throw new Error('hydraflow-host repo apply and git apply produced different trees');
const ourMinusNode = ourApply.map((ms, k) => ms - nodeStart[k]!);
figure('cli_repo_apply_ms', ourMinusNode, { name: 'git_apply_ms', values: gitApply }, {
  files: FILES,
  linesPerFile: LINES,
  hunks: FILES * Math.round(HUNKS / FILES),
  processMs: ourApply.map(Math.round),
  nodeStartMs: nodeStart.map(Math.round),
});
if (PREVIOUS) figure('cli_repo_apply_ms_ab', ourMinusNode, { name: 'previous_build_ms', values: previousApply.map((ms, k) => ms - nodeStart[k]!) }, { previous: PREVIOUS, goal: 'A/B: below 1 is faster than the previous build' });

// ---- history export ---------------------------------------------------------------------------
const historyFile = join(base, 'History');
const generated = performance.now();
writeLargeChromiumHistory(historyFile, { visits: VISITS, urls: URLS });
process.stderr.write(`history: ${VISITS} visits over ${URLS} URLs (${(statSync(historyFile).size / 1e6).toFixed(1)} MB) in ${Math.round(performance.now() - generated)} ms\n`);

/** The same lines as `history export`: fields, Chrome time → Unix ms (floor), transition core names, order. */
const transitionCase = `CASE v.transition & 255 ${TRANSITIONS.map((name, code) => `WHEN ${code} THEN '${name}'`).join(' ')} ELSE 'link' END`;
const sql = `SELECT json_object('url', u.url, 'title', coalesce(u.title, ''), 'visitedAt', (v.visit_time - 11644473600000000) / 1000, 'transition', ${transitionCase}, 'source', 'chromium') FROM visits v JOIN urls u ON u.id = v.url ORDER BY v.visit_time, v.id;`;
const ourOut = join(base, 'ours.ndjson');
const sqliteOut = join(base, 'sqlite.ndjson');
const sqliteExport: number[] = [];
const ourExport: number[] = [];
const previousExport: number[] = [];
const cliExport = (cli: string, name: 'our' | 'previous', out: string) => {
  settle();
  return run(process.execPath, [cli, 'history', 'export', '--file', historyFile, '--source', 'chromium'], { stdoutFile: out, env: { ...process.env, HYDRAFLOW_HOME: join(base, 'home') }, cpuLabel: `${name} history export` });
};
for (let round = 0; round < ROUNDS; round++) {
  settle();
  sqliteExport.push(run('sqlite3', ['-readonly', '-noheader', '-list', historyFile, sql], { stdoutFile: sqliteOut, cpuLabel: 'sqlite3' }));
  if (PREVIOUS && round % 2 === 1) previousExport.push(cliExport(PREVIOUS, 'previous', join(base, 'previous.ndjson')));
  ourExport.push(cliExport(CLI, 'our', ourOut));
  if (PREVIOUS && round % 2 === 0) previousExport.push(cliExport(PREVIOUS, 'previous', join(base, 'previous.ndjson')));
}
const ours = readFileSync(ourOut, 'utf8');
const theirs = readFileSync(sqliteOut, 'utf8');
if (ours !== theirs) {
  const a = ours.split('\n');
  const b = theirs.split('\n');
  const at = a.findIndex((line, k) => line !== b[k]);
  throw new Error(`history export and sqlite3 differ at line ${at + 1}:\n${a[at]}\n${b[at]}`);
}
figure('cli_history_export_ms', ourExport, { name: 'sqlite3_json_ms', values: sqliteExport }, {
  visits: VISITS,
  urls: URLS,
  outputBytes: Buffer.byteLength(ours),
  nodeStartMs: Math.round(median(nodeStart)),
});
if (PREVIOUS) figure('cli_history_export_ms_ab', ourExport, { name: 'previous_build_ms', values: previousExport }, { previous: PREVIOUS, goal: 'A/B: below 1 is faster than the previous build' });
rmSync(base, { recursive: true, force: true });
