/**
 * Repo tools over the native-messaging protocol of the real host: streamed `output` events of a
 * check, cancel killing the check's group, refusals as error values, and recovery of a change cut
 * off mid-commit when the host starts (no repo command needed).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { CLI } from '../support/cli';
import { finished, HostProcess, sleepSync } from '../support/host-process';
import { generateLargeChange, hashTree, makeRepoFixture, type RepoFixture } from '../support/repo-fixture';

let fixture: RepoFixture | undefined;
let host: HostProcess | undefined;
afterEach(async () => {
  await host?.stop();
  host = undefined;
  fixture?.cleanup();
  fixture = undefined;
});

/** Runs `edit` on a file, then puts its mtime back to the nanosecond (`touch -r`; utimes from JS has no nanoseconds). */
function keepTimes(file: string, edit: () => void): void {
  const reference = `${file}.times`;
  expect(spawnSync('touch', ['-r', file, reference]).status).toBe(0);
  const mtimeNs = statSync(file, { bigint: true }).mtimeNs;
  edit();
  expect(spawnSync('touch', ['-r', reference, file]).status).toBe(0);
  rmSync(reference);
  expect(statSync(file, { bigint: true }).mtimeNs).toBe(mtimeNs);
}

describe('repo methods over the protocol', () => {
  it('streams a check’s output as events, then replies with the result', async () => {
    fixture = makeRepoFixture({ 'a.txt': 'a\n' }, (root) => ({
      main: { root, checks: { count: { argv: [process.execPath, '-e', "let i=0;const t=setInterval(()=>{console.log('tick',i++);if(i===5){clearInterval(t)}},150)"], timeoutSec: 30 } } },
    }));
    host = new HostProcess({ home: fixture.home });
    await host.request(1, 'hello', { protocolVersion: 1 });
    const reply = await host.request(2, 'repo.check', { repoId: 'main', checkId: 'count' }, 30_000);
    expect(reply).toMatchObject({ ok: true, result: { exitCode: 0, timedOut: false, truncated: false } });
    const events = host.frames.filter((frame) => frame.id === 2 && frame.event === 'output');
    expect(events.length).toBeGreaterThan(1);
    expect(events.map((e) => (e.data as { text: string }).text).join('')).toBe('tick 0\ntick 1\ntick 2\ntick 3\ntick 4\n');
  });

  it('cancel kills a running check and the request ends with CANCELLED', async () => {
    fixture = makeRepoFixture({}, (root) => ({ main: { root, checks: { hang: { argv: ['sh', '-c', 'echo begin; sleep 1000'], timeoutSec: 600 } } } }));
    host = new HostProcess({ home: fixture.home });
    await host.request(1, 'hello', { protocolVersion: 1 });
    await host.send({ id: 2, method: 'repo.check', params: { repoId: 'main', checkId: 'hang' } });
    await host.waitFor((frame) => frame.id === 2 && frame.event === 'output');
    const started = Date.now();
    await host.request(3, 'cancel', { requestId: 2 });
    const reply = await host.reply(2, 10_000);
    expect(reply).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('refusals are error values with their codes; unknown repo and check ids are refused', async () => {
    fixture = makeRepoFixture({ 'a.txt': 'a\n' });
    host = new HostProcess({ home: fixture.home });
    await host.request(1, 'hello', { protocolVersion: 1 });
    expect(await host.request(2, 'repo.apply', { repoId: 'main', patch: '*** Begin Patch\n*** Add File: .git/hooks/x\n+x\n*** End Patch\n' })).toMatchObject({ ok: false, error: { code: 'PATH_GIT_DIR' } });
    expect(await host.request(3, 'repo.check', { repoId: 'main', checkId: 'nope' })).toMatchObject({ ok: false, error: { code: 'CHECK_NOT_FOUND' } });
    expect(await host.request(4, 'repo.ledger', { repoId: 'other' })).toMatchObject({ ok: false, error: { code: 'REPO_NOT_FOUND' } });
    expect(await host.request(5, 'repo.apply', { repoId: '../etc', patch: 'x' })).toMatchObject({ ok: false, error: { code: 'INVALID_PARAMS' } });
    expect(await host.request(6, 'repo.list', {})).toMatchObject({ ok: true, result: { repos: [{ id: 'main', checks: [] }] } });
  });

  it('an apply after its preview sees every edit made in between, even one that puts the mtime back, and new directories', async () => {
    const five = 'one\ntwo\nthree\nfour\nfive\n';
    fixture = makeRepoFixture({ 'a.txt': five, 'b.txt': 'x\ny\n' });
    const a = join(fixture.root, 'a.txt');
    const patch = 'diff --git a/a.txt b/a.txt\n--- a/a.txt\n+++ b/a.txt\n@@ -1,3 +1,3 @@\n one\n-two\n+TWO\n three\n';
    // Older than the host's racy-time margin, so that the preview's plan may be reused.
    sleepSync(300);
    host = new HostProcess({ home: fixture.home });
    await host.request(1, 'hello', { protocolVersion: 1 });
    // An edit outside the hunk, same size, mtime put back: the apply must keep it (it re-reads the file).
    expect(await host.request(2, 'repo.apply', { repoId: 'main', patch, dryRun: true })).toMatchObject({ ok: true });
    keepTimes(a, () => writeFileSync(a, five.replace('five', 'FIVE')));
    expect(await host.request(3, 'repo.apply', { repoId: 'main', patch })).toMatchObject({ ok: true });
    expect(readFileSync(a, 'utf8')).toBe('one\nTWO\nthree\nfour\nFIVE\n');
    // An edit inside the hunk after the preview: refused, the edit stays.
    writeFileSync(a, five);
    sleepSync(300);
    expect(await host.request(4, 'repo.apply', { repoId: 'main', patch, dryRun: true })).toMatchObject({ ok: true });
    keepTimes(a, () => writeFileSync(a, five.replace('two', 'twx')));
    expect(await host.request(5, 'repo.apply', { repoId: 'main', patch })).toMatchObject({ ok: false, error: { code: 'HUNK_MISMATCH' } });
    expect(readFileSync(a, 'utf8')).toBe(five.replace('two', 'twx'));
    // Nothing changed in between: the apply gives exactly the patched file.
    writeFileSync(a, five);
    sleepSync(300);
    expect(await host.request(6, 'repo.apply', { repoId: 'main', patch, dryRun: true })).toMatchObject({ ok: true });
    const applied = (await host.request(7, 'repo.apply', { repoId: 'main', patch })) as { ok: boolean; result: { changeId: string } };
    expect(applied.ok).toBe(true);
    expect(readFileSync(a, 'utf8')).toBe(five.replace('two', 'TWO'));
    // The ledger's hashes (taken at the preview, reused by this apply) are those of the bytes before and after.
    const sha = (text: string) => createHash('sha256').update(text).digest('hex');
    const entries = ((await host.request(70, 'repo.ledger', { repoId: 'main' })) as { result: { entries: { changeId: string; files: { path: string; beforeSha256: string; afterSha256: string }[] }[] } }).result.entries;
    expect(entries.find((e) => e.changeId === applied.result.changeId)?.files).toMatchObject([{ path: 'a.txt', beforeSha256: sha(five), afterSha256: sha(five.replace('two', 'TWO')) }]);
    expect(await host.request(71, 'repo.revert', { repoId: 'main', changeId: applied.result.changeId })).toMatchObject({ ok: true });
    expect(readFileSync(a, 'utf8')).toBe(five);
    // A directory the preview found missing exists by the apply: the apply plans again (no mkdir of it).
    const create = 'diff --git a/newdir/x.txt b/newdir/x.txt\nnew file mode 100644\n--- /dev/null\n+++ b/newdir/x.txt\n@@ -0,0 +1 @@\n+x\n';
    expect(await host.request(8, 'repo.apply', { repoId: 'main', patch: create, dryRun: true })).toMatchObject({ ok: true });
    mkdirSync(join(fixture.root, 'newdir'));
    expect(await host.request(9, 'repo.apply', { repoId: 'main', patch: create })).toMatchObject({ ok: true });
    expect(readFileSync(join(fixture.root, 'newdir', 'x.txt'), 'utf8')).toBe('x\n');
  });

  it('an apply names its preview by the patch’s SHA-256; a hash this process never parsed is refused and writes nothing', async () => {
    const five = 'one\ntwo\nthree\nfour\nfive\n';
    fixture = makeRepoFixture({ 'a.txt': five });
    const a = join(fixture.root, 'a.txt');
    const patch = 'diff --git a/a.txt b/a.txt\n--- a/a.txt\n+++ b/a.txt\n@@ -1,3 +1,3 @@\n one\n-two\n+TWO\n three\n';
    const other = 'diff --git a/a.txt b/a.txt\n--- a/a.txt\n+++ b/a.txt\n@@ -3,3 +3,3 @@\n three\n-four\n+FOUR\n five\n';
    const sha = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
    host = new HostProcess({ home: fixture.home });
    await host.request(1, 'hello', { protocolVersion: 1 });
    // Never previewed in this process: refused with its code, nothing written, no ledger entry.
    expect(await host.request(2, 'repo.apply', { repoId: 'main', patchSha256: sha(patch) })).toMatchObject({ ok: false, error: { code: 'PATCH_NOT_PREVIEWED' } });
    expect(readFileSync(a, 'utf8')).toBe(five);
    // Text and hash together, or neither, or a malformed hash: not a valid request.
    expect(await host.request(3, 'repo.apply', { repoId: 'main', patch, patchSha256: sha(patch) })).toMatchObject({ ok: false, error: { code: 'INVALID_PARAMS' } });
    expect(await host.request(4, 'repo.apply', { repoId: 'main' })).toMatchObject({ ok: false, error: { code: 'INVALID_PARAMS' } });
    expect(await host.request(5, 'repo.apply', { repoId: 'main', patchSha256: sha(patch).toUpperCase() })).toMatchObject({ ok: false, error: { code: 'INVALID_PARAMS' } });
    // The preview reports the hash of the text's UTF-8 bytes; the apply by that hash writes exactly the previewed patch.
    const preview = await host.request(6, 'repo.apply', { repoId: 'main', patch, dryRun: true });
    expect(preview).toMatchObject({ ok: true, result: { dryRun: true, changeId: null, patchSha256: sha(patch) } });
    expect(readFileSync(a, 'utf8')).toBe(five);
    // A later preview of another patch replaces the one the host holds: the first hash is no longer known.
    expect(await host.request(7, 'repo.apply', { repoId: 'main', patch: other, dryRun: true })).toMatchObject({ ok: true, result: { patchSha256: sha(other) } });
    expect(await host.request(8, 'repo.apply', { repoId: 'main', patchSha256: sha(patch) })).toMatchObject({ ok: false, error: { code: 'PATCH_NOT_PREVIEWED' } });
    expect(readFileSync(a, 'utf8')).toBe(five);
    const applied = (await host.request(9, 'repo.apply', { repoId: 'main', patchSha256: sha(other) })) as { ok: boolean; result: { changeId: string; dryRun: boolean; patchSha256: string } };
    expect(applied).toMatchObject({ ok: true, result: { dryRun: false, patchSha256: sha(other) } });
    expect(readFileSync(a, 'utf8')).toBe(five.replace('four', 'FOUR'));
    // By hash, the tree is checked again like any apply: a second apply of the same patch no longer matches.
    expect(await host.request(10, 'repo.apply', { repoId: 'main', patchSha256: sha(other) })).toMatchObject({ ok: false, error: { code: 'HUNK_MISMATCH' } });
    expect(readFileSync(a, 'utf8')).toBe(five.replace('four', 'FOUR'));
    // A restarted host holds nothing: the extension's fallback sends the text. (stop() would remove the home.)
    host.child.kill('SIGKILL');
    await host.exited;
    host = new HostProcess({ home: fixture.home });
    await host.request(11, 'hello', { protocolVersion: 1 });
    expect(await host.request(12, 'repo.apply', { repoId: 'main', patchSha256: sha(patch) })).toMatchObject({ ok: false, error: { code: 'PATCH_NOT_PREVIEWED' } });
    expect(await host.request(13, 'repo.apply', { repoId: 'main', patch })).toMatchObject({ ok: true, result: { patchSha256: sha(patch) } });
    expect(readFileSync(a, 'utf8')).toBe('one\nTWO\nthree\nFOUR\nfive\n');
  });

  it('the host rolls back a change killed mid-commit as soon as it starts', async () => {
    const change = generateLargeChange(200, 25);
    fixture = makeRepoFixture(change.before, (root) => ({ main: { root, budgets: { maxFiles: 1000, maxLines: 100_000, maxBytes: 100_000_000 } } }));
    const original = hashTree(fixture.root);
    const patchFile = join(fixture.home, 'p.diff');
    writeFileSync(patchFile, change.patch);
    const journal = join(fixture.home, 'data', 'repo', 'main', 'journal.json');
    const patched = makeRepoFixture(change.after);
    const applied = hashTree(patched.root);
    patched.cleanup();
    // The apply is killed as soon as its journal says `committing`. The commit phase is short (a
    // 200-file change writes its files in place in a few ms), so the kill can land after the commit point (entry.json
    // written): recovery then rolls forward, also a whole outcome. Tries until one rolls back,
    // and every attempt must end whole: the tree exactly as before or exactly as patched.
    let rolledBack = false;
    let killedInCommit = 0;
    for (let attempt = 0; attempt < 15 && !rolledBack; attempt++) {
      const child = spawn(process.execPath, [CLI, 'repo', 'apply', '--repo', 'main', '--patch', patchFile], { env: { ...process.env, HYDRAFLOW_HOME: fixture.home }, stdio: 'ignore' });
      const exited = new Promise((resolve) => child.on('exit', resolve));
      let caught = false;
      while (!finished(child)) {
        let text = '';
        try {
          text = readFileSync(journal, 'utf8');
        } catch {
          // not there yet
        }
        if (text.includes('"committing"')) {
          child.kill('SIGKILL');
          caught = true;
          break;
        }
        sleepSync(0.05);
      }
      await exited;
      if (caught) {
        killedInCommit++;
        host = new HostProcess({ home: fixture.home });
        await host.request(1, 'hello', { protocolVersion: 1 });
        expect(existsSync(journal)).toBe(false);
        const tree = hashTree(fixture.root);
        expect([original, applied], 'the tree is whole after recovery').toContain(tree);
        rolledBack = tree === original;
        if (rolledBack) expect(readFileSync(join(fixture.home, 'data', 'logs', 'host.log'), 'utf8')).toContain('repo recovery');
        await host.stop();
        host = undefined;
      }
      // Finished (or rolled forward): put the tree back and try again.
      if (!rolledBack) for (const [path, content] of Object.entries(change.before)) writeFileSync(join(fixture.root, path), content);
    }
    expect(killedInCommit, 'killed the apply inside its commit phase').toBeGreaterThan(0);
    expect(rolledBack, 'one kill landed before the commit point and was rolled back').toBe(true);
    expect(hashTree(fixture.root)).toBe(original);
  });
});
