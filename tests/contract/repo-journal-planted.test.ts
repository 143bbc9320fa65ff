/**
 * Recovery trusts nothing it reads. A journal planted in the repo data folder (a change id with
 * `../`, targets and folders outside the repository, a target through a symlink, a temp beside an
 * unrelated file) changes nothing on the next operation: it is refused with JOURNAL_INVALID, left
 * in place, and every file outside (and inside) the repository is byte-identical. The genuine
 * interrupted apply still recovers (tests/contract/repo-apply-crash.test.ts kills the host 30 times).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli';
import { HostProcess } from '../support/host-process';
import { hashTree, makeRepoFixture, type RepoFixture } from '../support/repo-fixture';

let fixture: RepoFixture;
let outside: string;

beforeAll(() => {
  fixture = makeRepoFixture({ 'a.txt': 'one\n', 'src/b.txt': 'two\n' });
  outside = join(fixture.home, '..', 'outside');
  mkdirSync(join(outside, 'folder'), { recursive: true });
  writeFileSync(join(outside, 'victim.txt'), 'keep me\n');
  writeFileSync(join(outside, 'folder', 'inner.txt'), 'keep me too\n');
  symlinkSync(outside, join(fixture.root, 'escape'));
});
afterAll(() => fixture.cleanup());

const repoData = () => join(fixture.home, 'data', 'repo', 'main');

function plant(journal: Record<string, unknown>, changeId: string) {
  mkdirSync(join(repoData(), 'changes'), { recursive: true });
  // A pre-image blob big enough for every offset below, where the host would look for it.
  const changeDir = join(repoData(), 'changes', changeId);
  try {
    mkdirSync(changeDir, { recursive: true });
    writeFileSync(join(changeDir, 'pre'), 'ATTACKER BYTES\n'.repeat(10));
  } catch {
    // the id names a place the test cannot make: the host must refuse it anyway
  }
  writeFileSync(join(repoData(), 'journal.json'), JSON.stringify(journal));
}

const target = (absolute: string, preImage: { offset: number; length: number } | null = { offset: 0, length: 15 }) => ({ absolute, temp: null, preImage, mode: 0o644 });
const GOOD_ID = '0000000aa-0123abcd';

const CASES: { name: string; changeId: string; journal: () => Record<string, unknown> }[] = [
  { name: 'a change id with ../', changeId: '../../../../outside', journal: () => ({ changeId: '../../../../outside', state: 'committing', targets: [target(join(fixture.root, 'a.txt'))], createdDirs: [] }) },
  { name: 'an absolute change id', changeId: GOOD_ID, journal: () => ({ changeId: outside, state: 'committing', targets: [], createdDirs: [] }) },
  { name: 'a target outside the repository (overwrite)', changeId: GOOD_ID, journal: () => ({ changeId: GOOD_ID, state: 'committing', targets: [target(join(outside, 'victim.txt'))], createdDirs: [] }) },
  { name: 'a target outside the repository (delete)', changeId: GOOD_ID, journal: () => ({ changeId: GOOD_ID, state: 'committing', targets: [target(join(outside, 'victim.txt'), null)], createdDirs: [] }) },
  { name: 'a target with ..', changeId: GOOD_ID, journal: () => ({ changeId: GOOD_ID, state: 'committing', targets: [target(`${fixture.root}/../outside/victim.txt`, null)], createdDirs: [] }) },
  { name: 'a target through a symlink in the repository', changeId: GOOD_ID, journal: () => ({ changeId: GOOD_ID, state: 'committing', targets: [target(join(fixture.root, 'escape', 'victim.txt'), null)], createdDirs: [] }) },
  { name: 'a target in .git', changeId: GOOD_ID, journal: () => ({ changeId: GOOD_ID, state: 'committing', targets: [target(join(fixture.root, '.git', 'config'))], createdDirs: [] }) },
  { name: 'a folder outside the repository', changeId: GOOD_ID, journal: () => ({ changeId: GOOD_ID, state: 'committing', targets: [], createdDirs: [join(outside, 'folder')] }) },
  { name: 'a temp that is another file', changeId: GOOD_ID, journal: () => ({ changeId: GOOD_ID, state: 'prepared', targets: [{ ...target(join(fixture.root, 'a.txt')), temp: join(fixture.root, 'src', 'b.txt') }], createdDirs: [] }) },
  { name: 'the repository root itself', changeId: GOOD_ID, journal: () => ({ changeId: GOOD_ID, state: 'committing', targets: [target(fixture.root, null)], createdDirs: [] }) },
  { name: 'a pre-image beyond the blob', changeId: GOOD_ID, journal: () => ({ changeId: GOOD_ID, state: 'committing', targets: [target(join(fixture.root, 'a.txt'), { offset: 0, length: 1_000_000 })], createdDirs: [] }) },
];

describe('a planted repo journal', () => {
  for (const item of CASES) {
    it(`with ${item.name} changes nothing on the next operation (JOURNAL_INVALID)`, () => {
      const outsideBefore = hashTree(outside);
      const treeBefore = hashTree(fixture.root);
      plant(item.journal(), item.changeId);
      const run = runCli(['repo', 'ledger', '--repo', 'main', '--config', fixture.configFile], { HYDRAFLOW_HOME: fixture.home });
      expect(run.status, run.stdout).toBe(1);
      expect(JSON.parse(run.stdout)).toMatchObject({ ok: false, error: { code: 'JOURNAL_INVALID' } });
      expect(hashTree(outside)).toBe(outsideBefore);
      expect(hashTree(fixture.root)).toBe(treeBefore);
      expect(existsSync(join(repoData(), 'journal.json'))).toBe(true);
    });
  }

  it('a journal that is a FIFO, or whose pre-image file is a link to /dev/zero, is refused at once, not waited on', () => {
    rmSync(join(repoData(), 'journal.json'), { force: true });
    expect(spawnSync('mkfifo', [join(repoData(), 'journal.json')]).status).toBe(0);
    const started = Date.now();
    const fifo = runCli(['repo', 'ledger', '--repo', 'main', '--config', fixture.configFile], { HYDRAFLOW_HOME: fixture.home });
    expect(JSON.parse(fifo.stdout)).toMatchObject({ ok: false, error: { code: 'JOURNAL_INVALID' } });
    rmSync(join(repoData(), 'journal.json'));
    plant(CASES[2]!.journal(), GOOD_ID);
    writeFileSync(join(repoData(), 'journal.json'), JSON.stringify({ changeId: GOOD_ID, state: 'committing', targets: [target(join(fixture.root, 'a.txt'))], createdDirs: [] }));
    rmSync(join(repoData(), 'changes', GOOD_ID, 'pre'));
    symlinkSync('/dev/zero', join(repoData(), 'changes', GOOD_ID, 'pre'));
    const zero = runCli(['repo', 'ledger', '--repo', 'main', '--config', fixture.configFile], { HYDRAFLOW_HOME: fixture.home });
    expect(JSON.parse(zero.stdout)).toMatchObject({ ok: false, error: { code: 'JOURNAL_INVALID' } });
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(readFileSync(join(fixture.root, 'a.txt'), 'utf8')).toBe('one\n');
  });

  it('at host start, a planted journal is logged and left alone; requests are still answered', async () => {
    const outsideBefore = hashTree(outside);
    plant(CASES[2]!.journal(), GOOD_ID);
    const host = new HostProcess({ home: fixture.home, env: { HYDRAFLOW_HOME: fixture.home } });
    try {
      expect((await host.request(1, 'repo.list', {})).ok).toBe(true);
      expect((await host.request(2, 'repo.ledger', { repoId: 'main' })).error?.code).toBe('JOURNAL_INVALID');
      expect(readFileSync(join(fixture.home, 'data', 'logs', 'host.log'), 'utf8')).toMatch(/repo recovery.*JOURNAL|was not written by this host/);
    } finally {
      host.child.stdin.end();
      await host.exited;
    }
    expect(hashTree(outside)).toBe(outsideBefore);
    expect(readFileSync(join(outside, 'victim.txt'), 'utf8')).toBe('keep me\n');
  });
});
