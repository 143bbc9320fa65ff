/**
 * Hostile and broken patches, through the real CLI: each is refused with its own code and the
 * whole tree (every file's bytes and mode, every directory, every link) is byte-identical after.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/cli';
import { createDiff, hashTree, makeRepoFixture, wholeFileDiff, type RepoFixture } from '../support/repo-fixture';

const TEXT = 'one\ntwo\nthree\n';
const CHANGED = 'one\n2\nthree\n';

let fixture: RepoFixture;
let outside: string;

beforeAll(() => {
  fixture = makeRepoFixture(
    { 'a.txt': TEXT, 'b.txt': TEXT, 'c.txt': TEXT, 'd.txt': TEXT, 'e.txt': TEXT, 'f.txt': TEXT, 'README.md': '# readme\n', 'sub/inner.txt': TEXT, 'caf\u00e9.txt': TEXT, '.git/config': '[core]\n', 'bin.dat': 'a\u0000b' },
    (root) => ({ main: { root }, tight: { root, budgets: { maxFiles: 3, maxLines: 10, maxBytes: 200 } } }),
  );
  outside = mkdtempSync(join(tmpdir(), 'hf-outside-'));
  symlinkSync(outside, join(fixture.root, 'link'));
  symlinkSync('a.txt', join(fixture.root, 'lnk.txt'));
  mkdirSync(join(fixture.root, 'realdir'));
  writeFileSync(join(fixture.root, 'realdir', 'x.txt'), TEXT);
});

afterAll(() => {
  fixture.cleanup();
  rmSync(outside, { recursive: true, force: true });
});

const gitModify = (path: string) => wholeFileDiff(path, TEXT, CHANGED);
const many = (n: number) => ['a.txt', 'b.txt', 'c.txt', 'd.txt', 'e.txt', 'f.txt'].slice(0, n).map(gitModify).join('');

const hostile: { name: string; code: string; patch: string; repo?: string }[] = [
  { name: 'absolute path (git)', code: 'PATH_ABSOLUTE', patch: ['--- /dev/null', '+++ /tmp/hf-evil.txt', '@@ -0,0 +1 @@', '+x', ''].join('\n') },
  { name: 'absolute path (model format)', code: 'PATH_ABSOLUTE', patch: '*** Begin Patch\n*** Add File: /tmp/hf-evil.txt\n+x\n*** End Patch\n' },
  { name: 'drive-letter path', code: 'PATH_ABSOLUTE', patch: createDiff('C:/Windows/evil.txt', 'x\n') },
  { name: '.. at the start', code: 'PATH_TRAVERSAL', patch: createDiff('../escaped.txt', 'x\n') },
  { name: '.. in the middle', code: 'PATH_TRAVERSAL', patch: createDiff('sub/../../escaped.txt', 'x\n') },
  { name: 'backslash ..', code: 'PATH_TRAVERSAL', patch: '*** Begin Patch\n*** Add File: sub\\..\\..\\escaped.txt\n+x\n*** End Patch\n' },
  { name: '.git directory', code: 'PATH_GIT_DIR', patch: createDiff('.git/hooks/post-checkout', '#!/bin/sh\nrm -rf ~\n') },
  { name: '.GIT in another case, nested', code: 'PATH_GIT_DIR', patch: createDiff('sub/.GiT/config', 'x\n') },
  { name: '.git with a trailing dot (Windows alias)', code: 'PATH_GIT_DIR', patch: createDiff('.git./config', 'x\n') },
  { name: 'rename into .git', code: 'PATH_GIT_DIR', patch: ['diff --git a/a.txt b/.git/a.txt', 'similarity index 100%', 'rename from a.txt', 'rename to .git/a.txt', ''].join('\n') },
  { name: 'through a symlinked directory', code: 'PATH_SYMLINK', patch: createDiff('link/evil.txt', 'x\n') },
  { name: 'modifying a symlink', code: 'PATH_SYMLINK', patch: gitModify('lnk.txt') },
  { name: 'creating a symlink', code: 'PATH_SYMLINK', patch: ['diff --git a/l b/l', 'new file mode 120000', '--- /dev/null', '+++ b/l', '@@ -0,0 +1 @@', '+/etc/passwd', '\\ No newline at end of file', ''].join('\n') },
  { name: 'NUL in a quoted path', code: 'PATH_CONTROL_CHARS', patch: ['--- /dev/null', '+++ "b/evil\\000.txt"', '@@ -0,0 +1 @@', '+x', ''].join('\n') },
  { name: 'newline in a quoted path', code: 'PATH_CONTROL_CHARS', patch: ['--- /dev/null', '+++ "b/evil\\n.txt"', '@@ -0,0 +1 @@', '+x', ''].join('\n') },
  { name: 'differs only by case from an existing file', code: 'PATH_CASE_COLLISION', patch: createDiff('readme.md', 'x\n') },
  { name: 'a Windows stream alias of .git', code: 'PATH_RESERVED_NAME', patch: createDiff('.git::$INDEX_ALLOCATION/hooks/post-checkout', 'x\n') },
  { name: '.git with an HFS+ ignorable code point', code: 'PATH_GIT_DIR', patch: createDiff('.g\u200cit/hooks/post-checkout', 'x\n') },
  { name: 'an NFD twin of an existing NFC name', code: 'PATH_NORMALIZATION_COLLISION', patch: createDiff('cafe\u0301.txt', 'x\n') },
  { name: 'two paths of one patch differ only by case', code: 'PATH_CASE_COLLISION', patch: createDiff('New.txt', 'x\n') + createDiff('new.txt', 'y\n') },
  { name: 'hunk header overcounts', code: 'HUNK_HEADER_MISMATCH', patch: ['--- a/a.txt', '+++ b/a.txt', '@@ -1,5 +1,5 @@', ' one', '-two', '+2', ' three', ''].join('\n') },
  { name: 'hunk header undercounts', code: 'HUNK_HEADER_MISMATCH', patch: ['--- a/a.txt', '+++ b/a.txt', '@@ -1,2 +1,2 @@', ' one', '-two', '+2', ' three', ''].join('\n') },
  { name: 'hunk header at the wrong line', code: 'HUNK_MISMATCH', patch: ['--- a/a.txt', '+++ b/a.txt', '@@ -2,1 +2,1 @@', '-one', '+1', ''].join('\n') },
  { name: 'context that is not in the file', code: 'HUNK_MISMATCH', patch: wholeFileDiff('a.txt', 'one\nTWO\nthree\n', CHANGED) },
  { name: 'model-format hunk that does not match', code: 'HUNK_MISMATCH', patch: '*** Begin Patch\n*** Update File: a.txt\n@@\n one\n-zwei\n+2\n*** End Patch\n' },
  { name: 'fails on its last file', code: 'HUNK_MISMATCH', patch: many(5) + wholeFileDiff('sub/inner.txt', 'one\ntwo\nTHREE\n', CHANGED) },
  { name: 'over budget by files', code: 'BUDGET_FILES', patch: many(4), repo: 'tight' },
  { name: 'over budget by lines', code: 'BUDGET_LINES', patch: createDiff('long.txt', 'x\n'.repeat(11)), repo: 'tight' },
  { name: 'over budget by bytes', code: 'BUDGET_BYTES', patch: createDiff('wide.txt', `${'x'.repeat(300)}\n`), repo: 'tight' },
  { name: 'binary patch', code: 'PATCH_BINARY', patch: ['diff --git a/img.png b/img.png', 'new file mode 100644', 'index 0000000..1111111', 'GIT binary patch', 'literal 4', 'LcmZQzU|;|M00aO5', '', ''].join('\n') },
  { name: 'patching a binary file', code: 'PATCH_BINARY', patch: ['--- a/bin.dat', '+++ b/bin.dat', '@@ -1 +1 @@', '-a', '+b', ''].join('\n') },
  { name: 'mode-only change', code: 'PATCH_MODE_ONLY', patch: ['diff --git a/a.txt b/a.txt', 'old mode 100644', 'new mode 100755', ''].join('\n') },
  { name: 'creating a file that exists', code: 'FILE_EXISTS', patch: createDiff('b.txt', 'x\n') },
  { name: 'changing a file that does not exist', code: 'FILE_MISSING', patch: gitModify('nope.txt') },
  { name: 'the same path twice', code: 'PATCH_DUPLICATE_PATH', patch: gitModify('a.txt') + gitModify('a.txt') },
  { name: 'a file where a directory is needed', code: 'PATH_OUTSIDE_ROOT', patch: createDiff('a.txt/child.txt', 'x\n') },
  { name: 'not a patch at all', code: 'PATCH_INVALID', patch: 'rm -rf /\n' },
];

describe('hostile patches are refused and leave the tree byte-identical', () => {
  it('has at least twenty distinct hostile patches', () => {
    expect(hostile.length).toBeGreaterThanOrEqual(20);
  });

  for (const { name, code, patch, repo } of hostile) {
    it(`refuses ${name} with ${code}`, () => {
      const before = hashTree(fixture.root);
      const patchFile = join(fixture.home, 'p.diff');
      writeFileSync(patchFile, patch);
      const run = runCli(['repo', 'apply', '--repo', repo ?? 'main', '--patch', patchFile], { HYDRAFLOW_HOME: fixture.home });
      expect(run.stdout.trim().split('\n')).toHaveLength(1);
      const reply = JSON.parse(run.stdout) as { ok: boolean; error?: { code: string; message: string } };
      expect(reply.ok, run.stdout).toBe(false);
      expect(reply.error?.code, reply.error?.message).toBe(code);
      expect(run.status).toBe(1);
      expect(hashTree(fixture.root)).toBe(before);
      // A dry run is refused the same way.
      const dry = JSON.parse(runCli(['repo', 'apply', '--repo', repo ?? 'main', '--patch', patchFile, '--dry-run'], { HYDRAFLOW_HOME: fixture.home }).stdout) as { error?: { code: string } };
      expect(dry.error?.code).toBe(code);
    });
  }

  it('nothing escaped the root', () => {
    expect(() => readFileSync('/tmp/hf-evil.txt')).toThrow();
    expect(() => readFileSync(join(fixture.root, '..', 'escaped.txt'))).toThrow();
  });

  it('the same patches without the hostile part do apply (the refusals are not blanket)', () => {
    const patchFile = join(fixture.home, 'ok.diff');
    writeFileSync(patchFile, many(5));
    const run = runCli(['repo', 'apply', '--repo', 'main', '--patch', patchFile], { HYDRAFLOW_HOME: fixture.home });
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, files: 5, linesAdded: 15, linesRemoved: 15 });
    expect(readFileSync(join(fixture.root, 'e.txt'), 'utf8')).toBe(CHANGED);
  });
});
