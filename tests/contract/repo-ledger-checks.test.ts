/**
 * The ledger (revert restores exact bytes; revert after a later edit is refused), registered
 * checks (timeout kills the whole process group, grandchild included; unregistered ids refused;
 * output over the cap is truncated and marked; scrubbed environment), and the CLI contract.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../support/cli';
import { createDiff, hashTree, makeRepoFixture, wholeFileDiff, type RepoFixture } from '../support/repo-fixture';

let fixture: RepoFixture;
const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => {
  const run = runCli(['repo', ...args], { HYDRAFLOW_HOME: fixture.home, ...env });
  return { ...run, json: JSON.parse(run.stdout) as Record<string, unknown> & { ok: boolean; error?: { code: string; message: string } } };
};

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// Bytes a text round-trip would damage: CRLF, a BOM, no final newline, non-ASCII.
const TRICKY = '\uFEFFfirst\r\nsecond — ü\r\nlast line without newline';

beforeEach(() => {
  fixture = makeRepoFixture({ 'a.txt': 'one\ntwo\nthree\n', 'crlf.txt': TRICKY, 'gone.txt': 'bye\n' });
  chmodSync(join(fixture.root, 'a.txt'), 0o755);
});
afterEach(() => fixture.cleanup());

describe('ledger and revert', () => {
  it('revert restores the exact bytes and modes of every file (modified, created, deleted, renamed)', () => {
    const before = hashTree(fixture.root);
    const patch = [
      '*** Begin Patch',
      '*** Update File: crlf.txt',
      '@@',
      '-second — ü',
      '+SECOND',
      '*** Update File: a.txt',
      '*** Move to: moved/a.txt',
      '@@',
      ' one',
      '-two',
      '+2',
      '*** Add File: brand/new.txt',
      '+hello',
      '*** Delete File: gone.txt',
      '*** End Patch',
      '',
    ].join('\n');
    writeFileSync(join(fixture.home, 'p'), patch);
    const applied = cli(['apply', '--repo', 'main', '--patch', join(fixture.home, 'p')]);
    expect(applied.json, applied.stdout).toMatchObject({ ok: true, files: 4 });
    expect(readFileSync(join(fixture.root, 'crlf.txt'), 'utf8')).toBe('\uFEFFfirst\r\nSECOND\r\nlast line without newline');
    expect(readFileSync(join(fixture.root, 'moved/a.txt'), 'utf8')).toBe('one\n2\nthree\n');
    expect(existsSync(join(fixture.root, 'gone.txt'))).toBe(false);

    const ledger = cli(['ledger', '--repo', 'main']).json as unknown as { entries: { changeId: string; files: { path: string; beforeSha256: string | null; afterSha256: string | null }[] }[] };
    expect(ledger.entries).toHaveLength(1);
    expect(ledger.entries[0]!.changeId).toBe(applied.json.changeId);
    expect(ledger.entries[0]!.files.map((f) => f.path).sort()).toEqual(['a.txt', 'brand/new.txt', 'crlf.txt', 'gone.txt', 'moved/a.txt']);

    const reverted = cli(['revert', '--repo', 'main', '--change', String(applied.json.changeId)]);
    expect(reverted.json, reverted.stdout).toMatchObject({ ok: true, revertOf: applied.json.changeId });
    expect(hashTree(fixture.root)).toBe(before);
    expect(readFileSync(join(fixture.root, 'crlf.txt'), 'utf8')).toBe(TRICKY);

    const again = cli(['revert', '--repo', 'main', '--change', String(applied.json.changeId)]);
    expect(again.status).toBe(1);
    expect(again.json.error?.code).toBe('CHANGE_ALREADY_REVERTED');
  });

  it('revert after a later edit is refused with REVERT_CONFLICT and changes nothing', () => {
    writeFileSync(join(fixture.home, 'p'), wholeFileDiff('a.txt', 'one\ntwo\nthree\n', 'one\n2\nthree\n') + createDiff('b.txt', 'b\n'));
    const applied = cli(['apply', '--repo', 'main', '--patch', join(fixture.home, 'p')]);
    expect(applied.json.ok).toBe(true);
    writeFileSync(join(fixture.root, 'b.txt'), 'edited by the user\n');
    const edited = hashTree(fixture.root);
    const reverted = cli(['revert', '--repo', 'main', '--change', String(applied.json.changeId)]);
    expect(reverted.status).toBe(1);
    expect(reverted.json.error?.code).toBe('REVERT_CONFLICT');
    expect(reverted.json.error?.message).toContain('b.txt');
    expect(hashTree(fixture.root)).toBe(edited);
  });

  it('an unknown change id is CHANGE_NOT_FOUND; an unknown repo is REPO_NOT_FOUND', () => {
    expect(cli(['revert', '--repo', 'main', '--change', '0000000aa-12345678']).json.error?.code).toBe('CHANGE_NOT_FOUND');
    expect(cli(['ledger', '--repo', 'nope']).json.error?.code).toBe('REPO_NOT_FOUND');
  });
});

describe('registered checks', () => {
  function addCheck(id: string, argv: string[], extra: Record<string, unknown> = {}) {
    const config = JSON.parse(readFileSync(fixture.configFile, 'utf8')) as { repos: Record<string, { checks?: Record<string, unknown> }> };
    config.repos.main!.checks = { ...config.repos.main!.checks, [id]: { argv, ...extra } };
    writeFileSync(fixture.configFile, JSON.stringify(config));
  }

  it('a timeout kills the whole process group, including a grandchild that ignores SIGTERM', () => {
    const pidFile = join(fixture.home, 'grandchild.pid');
    // The child starts a grandchild that traps TERM and sleeps, records its pid, then waits.
    const script = `sh -c 'trap "" TERM; echo started; sleep 1000' & echo $! > ${JSON.stringify(pidFile)}; trap "" TERM; wait`;
    addCheck('hang', ['sh', '-c', script], { timeoutSec: 1 });
    const started = Date.now();
    const run = cli(['check', '--repo', 'main', '--check', 'hang']);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(run.status).toBe(1);
    expect(run.json).toMatchObject({ ok: false, timedOut: true, exitCode: null });
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    expect(grandchild).toBeGreaterThan(0);
    // SIGKILL is immediate, but give the kernel a moment to reap.
    const deadline = Date.now() + 2000;
    while (pidAlive(grandchild) && Date.now() < deadline) spawnSync('sleep', ['0.05']);
    expect(pidAlive(grandchild), `grandchild ${grandchild} survived`).toBe(false);
  });

  it('an unregistered check id is refused with CHECK_NOT_FOUND, and nothing runs', () => {
    const run = cli(['check', '--repo', 'main', '--check', 'rm-rf']);
    expect(run.status).toBe(1);
    expect(run.json.error?.code).toBe('CHECK_NOT_FOUND');
  });

  it('output over the cap keeps head and tail and marks the truncation', () => {
    addCheck('loud', ['node', '-e', "process.stdout.write('HEAD\\n' + 'x'.repeat(200000) + '\\nTAIL\\n')"], { maxOutputBytes: 4096 });
    const run = cli(['check', '--repo', 'main', '--check', 'loud']);
    expect(run.json).toMatchObject({ ok: true, exitCode: 0, truncated: true, outputBytes: 200011 });
    const output = String(run.json.output);
    expect(output.startsWith('HEAD\n')).toBe(true);
    expect(output.endsWith('\nTAIL\n')).toBe(true);
    expect(output).toMatch(/\[… \d+ bytes of output truncated …\]/);
    expect(output.length).toBeLessThan(4096 + 100);
  });

  it('runs argv without a shell, in the repository root, with a scrubbed environment', () => {
    addCheck('env', ['node', '-e', "console.log(process.cwd(), process.env.SECRET_TOKEN ?? 'no-secret', '$HOME')"]);
    const run = cli(['check', '--repo', 'main', '--check', 'env'], { SECRET_TOKEN: 'hunter2' });
    expect(run.json).toMatchObject({ ok: true, exitCode: 0, timedOut: false, truncated: false });
    expect(String(run.json.output).trim()).toBe(`${fixture.root} no-secret $HOME`);
  });

  it('a failing check is ok:false with its exit code (exit status 1)', () => {
    addCheck('fail', ['node', '-e', 'console.error("boom"); process.exit(3)']);
    const run = cli(['check', '--repo', 'main', '--check', 'fail']);
    expect(run.status).toBe(1);
    expect(run.json).toMatchObject({ ok: false, exitCode: 3, timedOut: false, output: 'boom\n' });
  });
});

describe('CLI contract', () => {
  it('repo add / check-add / list manage the config; usage errors exit 2 with one JSON object', () => {
    const other = join(fixture.root, '..');
    expect(cli(['add', 'second', other]).json).toMatchObject({ ok: true, id: 'second' });
    expect(cli(['check-add', 'second', 'test', '--timeout', '5', '--', 'npm', 'test']).json).toMatchObject({ ok: true, argv: ['npm', 'test'], timeoutSec: 5 });
    const list = cli(['list']).json as unknown as { repos: { id: string; checks: string[]; budgets: unknown }[] };
    expect(list.repos.find((r) => r.id === 'second')).toMatchObject({ checks: ['test'], budgets: { maxFiles: 50, maxLines: 4000, maxBytes: 1048576 } });
    const usage = cli(['apply', '--repo', 'main']);
    expect(usage.status).toBe(2);
    expect(usage.json.error?.code).toBe('USAGE');
    expect(cli(['add', 'x', join(fixture.root, 'missing')]).json.error?.code).toBe('REPO_ROOT_INVALID');
  });

  it('--config FILE points at another config; a broken config is CONFIG_INVALID', () => {
    const alt = join(fixture.home, 'alt.json');
    writeFileSync(alt, JSON.stringify({ repos: { alt: { root: fixture.root, checks: { t: { argv: [] } } } } }));
    expect(cli(['list', '--config', alt]).json.error?.code).toBe('CONFIG_INVALID');
    writeFileSync(alt, JSON.stringify({ repos: { alt: { root: fixture.root } } }));
    expect((cli(['list', '--config', alt]).json as unknown as { repos: { id: string }[] }).repos.map((r) => r.id)).toEqual(['alt']);
  });

  it('a dry run reports the diffstat and budget use and writes nothing', () => {
    const before = hashTree(fixture.root);
    writeFileSync(join(fixture.home, 'p'), createDiff('n.txt', 'a\nb\n'));
    const dry = cli(['apply', '--repo', 'main', '--patch', join(fixture.home, 'p'), '--dry-run']);
    expect(dry.json).toMatchObject({ ok: true, dryRun: true, changeId: null, files: 1, linesAdded: 2, linesRemoved: 0, bytes: 4, diffstat: [{ path: 'n.txt', op: 'create' }], budgets: { maxFiles: 50 } });
    expect(hashTree(fixture.root)).toBe(before);
    expect((cli(['ledger', '--repo', 'main']).json as unknown as { entries: unknown[] }).entries).toEqual([]);
  });
});
