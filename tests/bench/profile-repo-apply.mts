/**
 * Profiling aid for the repo-apply bench (not a bench itself: bench.mjs runs *.bench.ts only).
 * Runs the bench's apply once in a fresh host (hello, preview dry run, apply) with extra Node
 * arguments, e.g. `HF_PROFILE_NODE_ARGS="--cpu-prof --cpu-prof-interval 100 --cpu-prof-dir /tmp/prof"`,
 * and, with HF_PROFILE_STRACE=FILE, counts the apply's system calls with `strace -c -f` (other
 * strace options in HF_PROFILE_STRACE_ARGS, e.g. `-T -tt` for each call's time).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HostProcess } from '../support/host-process';
import { generateLargeChange, writeTree } from '../support/repo-fixture';

const change = generateLargeChange(Number(process.env.HF_BENCH_FILES ?? 200), Number(process.env.HF_BENCH_HUNKS_PER_FILE ?? 25));
const base = mkdtempSync(join(tmpdir(), 'hf-prof-repo-'));
const root = join(base, 'tree');
writeTree(root, change.before);
const home = join(base, 'home');
const budgets = { maxFiles: 100_000, maxLines: 10_000_000, maxBytes: 1_000_000_000 };
writeTree(home, { 'config.json': JSON.stringify({ repos: { bench: { root, budgets } } }) });
const nodeArgs = (process.env.HF_PROFILE_NODE_ARGS ?? '').split(' ').filter(Boolean);
const host = new HostProcess({ home, nodeArgs });
await host.request(1, 'hello', { protocolVersion: 1 });
const preview = await host.request(3, 'repo.apply', { repoId: 'bench', patch: change.patch, dryRun: true }, 120_000);
if (!preview.ok) throw new Error(JSON.stringify(preview.error));
// A pause, so that the apply stands apart from the preview in a CPU profile.
await new Promise((resolve) => setTimeout(resolve, 300));
let tracer: ReturnType<typeof spawn> | null = null;
if (process.env.HF_PROFILE_STRACE) {
  tracer = spawn('strace', [...(process.env.HF_PROFILE_STRACE_ARGS ?? '-c').split(' '), '-f', '-o', process.env.HF_PROFILE_STRACE, '-p', String(host.child.pid)], { stdio: 'inherit' });
  await new Promise((resolve) => setTimeout(resolve, 1000));
}
const started = process.hrtime.bigint();
const reply = await host.request(2, 'repo.apply', { repoId: 'bench', patch: change.patch }, 120_000);
console.log('apply ms', Number(process.hrtime.bigint() - started) / 1e6, reply.ok ? '' : JSON.stringify(reply.error));
if (tracer) {
  tracer.kill('SIGINT');
  await new Promise((resolve) => tracer!.on('exit', resolve));
}
await host.stop();
rmSync(base, { recursive: true, force: true });
