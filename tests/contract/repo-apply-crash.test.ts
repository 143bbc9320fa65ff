/**
 * SIGKILL during a large apply: after the next start (any repo command recovers first), the tree
 * is byte-identical to before or to the fully applied patch, never in between. A third of the
 * kills land at a random time after spawn, a third at a random time after the journal appeared
 * (files being written in place), a third right after the journal was seen in its `committing`
 * state (the first writes), so the commit phase itself is hit many times. A kill before the
 * journal (while the apply streams its plan, staging pre-images) leaves no change folder behind.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, runCli } from '../support/cli';
import { finished, sleepSync } from '../support/host-process';
import { createDiff, generateLargeChange, hashTree, makeRepoFixture, writeTree, type RepoFixture } from '../support/repo-fixture';

const RUNS = Number(process.env.HF_CRASH_RUNS ?? 30);

const change = generateLargeChange(200, 25);
const deleted = 'old/removed.txt';
const deletedText = 'to be removed\n';
const patch = `${change.patch}${createDiff('newdir/deep/created.txt', 'brand new\n')}diff --git a/${deleted} b/${deleted}\ndeleted file mode 100644\n--- a/${deleted}\n+++ /dev/null\n@@ -1 +0,0 @@\n-to be removed\n`;

let fixture: RepoFixture;
let expectedAfter: string;
let original: string;
let patchFile: string;
let journal: string;

beforeAll(() => {
  fixture = makeRepoFixture({ ...change.before, [deleted]: deletedText }, (root) => ({ main: { root, budgets: { maxFiles: 1000, maxLines: 100_000, maxBytes: 100_000_000 } } }));
  original = hashTree(fixture.root);
  const reference = mkdtempSync(join(tmpdir(), 'hf-expected-'));
  writeTree(reference, { ...change.after, 'newdir/deep/created.txt': 'brand new\n' });
  // The deleted file's directory stays (like git apply when it is not empty; here it becomes empty).
  writeTree(reference, { 'old/.keep': '' });
  rmSync(join(reference, 'old', '.keep'));
  expectedAfter = hashTree(reference);
  rmSync(reference, { recursive: true, force: true });
  patchFile = join(fixture.home, 'large.diff');
  writeFileSync(patchFile, patch);
  journal = join(fixture.home, 'data', 'repo', 'main', 'journal.json');
});

afterAll(() => fixture.cleanup());

function resetTree(): void {
  rmSync(join(fixture.root, 'newdir'), { recursive: true, force: true });
  writeTree(fixture.root, { ...change.before, [deleted]: deletedText });
}

function readOr(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

describe('killing the host during a large apply', () => {
  it('an uninterrupted apply produces exactly the expected tree (the reference is right)', () => {
    const run = runCli(['repo', 'apply', '--repo', 'main', '--patch', patchFile], { HYDRAFLOW_HOME: fixture.home });
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, files: 202 });
    expect(hashTree(fixture.root)).toBe(expectedAfter);
    resetTree();
    expect(hashTree(fixture.root)).toBe(original);
  });

  it(`leaves the tree unchanged or fully patched, never in between (${RUNS} kills)`, async () => {
    const started = Date.now();
    const full = runCli(['repo', 'apply', '--repo', 'main', '--patch', patchFile, '--dry-run'], { HYDRAFLOW_HOME: fixture.home });
    expect(full.status).toBe(0);
    const fullMs = Date.now() - started;
    // Calibrate the journal window (journal written → journal removed) of one real apply.
    const probe = spawn(process.execPath, [CLI, 'repo', 'apply', '--repo', 'main', '--patch', patchFile], { env: { ...process.env, HYDRAFLOW_HOME: fixture.home }, stdio: 'ignore' });
    const probeExit = new Promise((resolve) => probe.on('exit', resolve));
    // The journal can come and go between two looks (the commit writes files in place, in a few ms).
    while (!existsSync(journal) && !finished(probe)) sleepSync(0.1);
    const windowStart = Date.now();
    while (existsSync(journal) && !finished(probe)) sleepSync(0.1);
    const windowMs = Math.max(5, Date.now() - windowStart);
    await probeExit;
    expect(hashTree(fixture.root)).toBe(expectedAfter);
    resetTree();
    const outcomes = { unchanged: 0, applied: 0, killedInsideJournal: 0, killedWhileCommitting: 0, windowMs };
    for (let run = 0; run < RUNS; run++) {
      const child = spawn(process.execPath, [CLI, 'repo', 'apply', '--repo', 'main', '--patch', patchFile], { env: { ...process.env, HYDRAFLOW_HOME: fixture.home }, stdio: 'ignore' });
      const exited = new Promise((resolve) => child.on('exit', resolve));
      if (run % 3 === 0) {
        sleepSync(Math.random() * fullMs * 1.5);
      } else if (run % 3 === 1) {
        const deadline = Date.now() + 20_000;
        while (!existsSync(journal) && !finished(child) && Date.now() < deadline) sleepSync(0.2);
        sleepSync(Math.random() * windowMs * 1.2);
      } else {
        // Aim at the rename phase itself: wait for the journal's `committing` state.
        const deadline = Date.now() + 20_000;
        while (!finished(child) && Date.now() < deadline && !readOr(journal).includes('"committing"')) sleepSync(0.05);
        sleepSync(Math.random() * 3);
      }
      if (existsSync(journal)) {
        outcomes.killedInsideJournal++;
        if (readOr(journal).includes('"committing"')) outcomes.killedWhileCommitting++;
      }
      child.kill('SIGKILL');
      await exited;
      // The next start recovers: any repo command takes the lock and rolls the journal forward or back.
      const next = runCli(['repo', 'ledger', '--repo', 'main'], { HYDRAFLOW_HOME: fixture.home });
      expect(next.status, next.stdout).toBe(0);
      expect(existsSync(journal)).toBe(false);
      const changes = join(fixture.home, 'data', 'repo', 'main', 'changes');
      expect(readdirSync(changes).filter((id) => !existsSync(join(changes, id, 'entry.json'))), `run ${run}: a killed apply's staged pre-images were left`).toEqual([]);
      const hash = hashTree(fixture.root);
      expect([original, expectedAfter], `run ${run}: tree is half-patched`).toContain(hash);
      if (hash === original) outcomes.unchanged++;
      else {
        outcomes.applied++;
        resetTree();
      }
    }
    // The kills really hit the commit window (otherwise this test would prove nothing).
    console.info('crash outcomes', outcomes);
    expect(outcomes.killedInsideJournal).toBeGreaterThanOrEqual(Math.floor(RUNS / 4));
    expect(outcomes.killedWhileCommitting).toBeGreaterThanOrEqual(Math.floor(RUNS / 6));
  }, 600_000);
});
