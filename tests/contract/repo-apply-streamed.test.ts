/**
 * An apply streams its plan (plan.ts): each file is read into one reused buffer, checked, hashed
 * and its old bytes staged in the change's pre-image file before anything in the tree is written;
 * the commit reads them back to write the new content. What must still hold, through the real CLI:
 * budgets the patch alone exceeds are refused before a pre-image is written; a refusal found while
 * streaming (a budget only the files show, a hunk that does not match in the last file) leaves the
 * tree and the host's change folders as they were; the ledger's hashes are those of the bytes
 * before and after, and a revert from the staged pre-images restores every byte.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { linkSync, readdirSync, readFileSync, watch, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../support/cli';
import { createDiff, generateLargeChange, hashTree, makeRepoFixture, type RepoFixture } from '../support/repo-fixture';

const change = generateLargeChange(6, 4, 400);
const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

let fixture: RepoFixture;
let changesDir: string;
const budgets = (maxBytes: number) => (root: string) => ({ main: { root, budgets: { maxFiles: 100, maxLines: 10_000, maxBytes } } });

function setUp(maxBytes: number, extra: Record<string, string> = {}): void {
  fixture = makeRepoFixture({ ...change.before, ...extra }, budgets(maxBytes));
  changesDir = join(fixture.home, 'data', 'repo', 'main', 'changes');
  // Any repo command makes the repository's data folder.
  expect(repo('ledger', []).status).toBe(0);
}

function repo(command: 'apply' | 'ledger' | 'revert', args: string[]) {
  const run = runCli(['repo', command, '--repo', 'main', ...args], { HYDRAFLOW_HOME: fixture.home });
  return { ...run, json: JSON.parse(run.stdout) as { ok: boolean; error?: { code: string }; entries?: { changeId: string; files: { path: string; beforeSha256: string | null; afterSha256: string | null }[] }[] } };
}

function applyText(patch: string) {
  const file = join(fixture.home, 'change.diff');
  writeFileSync(file, patch);
  return repo('apply', ['--patch', file]);
}

/** Names created or removed in the host's change folder while `work` runs (inotify). */
async function changeFolderEvents(work: () => void): Promise<string[]> {
  const events: string[] = [];
  const watcher = watch(changesDir, (type, name) => events.push(`${type} ${name}`));
  try {
    work();
    await new Promise((resolve) => setTimeout(resolve, 200));
  } finally {
    watcher.close();
  }
  return events;
}

afterEach(() => fixture.cleanup());

describe('a streamed apply', () => {
  describe('with a small byte budget', () => {
    beforeEach(() => setUp(10_000));

    it('refuses a change over budget by what the patch says before a pre-image is written', async () => {
      const before = hashTree(fixture.root);
      let run: ReturnType<typeof applyText> | null = null;
      const events = await changeFolderEvents(() => {
        run = applyText(change.patch);
      });
      expect(run!.json.error?.code).toBe('BUDGET_BYTES');
      expect(events).toEqual([]);
      expect(hashTree(fixture.root)).toBe(before);
    });

    it('refuses a change over budget only once its files are read (model format) with the tree and the change folders as before', () => {
      const before = hashTree(fixture.root);
      const path = Object.keys(change.before)[0]!;
      const firstLine = change.before[path]!.split('\n')[0]!;
      const run = applyText(['*** Begin Patch', `*** Update File: ${path}`, '@@', `-${firstLine}`, '+changed', '*** End Patch', ''].join('\n'));
      expect(run.json.error?.code).toBe('BUDGET_BYTES');
      expect(hashTree(fixture.root)).toBe(before);
      expect(readdirSync(changesDir)).toEqual([]);
    });
  });

  describe('within budget', () => {
    beforeEach(() => setUp(10_000_000, { 'gone.txt': 'bye\n', 'linked.txt': 'one\ntwo\n' }));

    it('refuses a hunk that does not match in the last file, after staging the others, with the tree and the change folders as before', () => {
      const before = hashTree(fixture.root);
      const broken = `${change.patch}diff --git a/linked.txt b/linked.txt\n--- a/linked.txt\n+++ b/linked.txt\n@@ -1,2 +1,2 @@\n one\n-not two\n+2\n`;
      const run = applyText(broken);
      expect(run.json.error?.code).toBe('HUNK_MISMATCH');
      expect(hashTree(fixture.root)).toBe(before);
      expect(readdirSync(changesDir)).toEqual([]);
    });

    it('refuses a patch file that is not UTF-8 (no silent U+FFFD) with the tree as before', () => {
      const before = hashTree(fixture.root);
      const file = join(fixture.home, 'latin1.diff');
      writeFileSync(file, Buffer.concat([Buffer.from('diff --git a/linked.txt b/linked.txt\n--- a/linked.txt\n+++ b/linked.txt\n@@ -1,2 +1,2 @@\n one\n-two\n+t'), Buffer.from([0xe9]), Buffer.from('\n')]));
      expect(repo('apply', ['--patch', file]).json.error?.code).toBe('PATCH_INVALID');
      expect(hashTree(fixture.root)).toBe(before);
    });

    it('records the SHA-256 of every file before and after, and reverts every byte from the staged pre-images', () => {
      // A file with a second hard link is replaced, not written through the link.
      linkSync(join(fixture.root, 'linked.txt'), join(fixture.home, 'outside-link.txt'));
      const before = hashTree(fixture.root);
      const oldBytes = Object.fromEntries([...Object.keys(change.before), 'gone.txt', 'linked.txt'].map((path) => [path, readFileSync(join(fixture.root, path))]));
      const patch = [
        change.patch,
        'diff --git a/linked.txt b/linked.txt\n--- a/linked.txt\n+++ b/linked.txt\n@@ -1,2 +1,2 @@\n one\n-two\n+2\n',
        'diff --git a/gone.txt b/gone.txt\ndeleted file mode 100644\n--- a/gone.txt\n+++ /dev/null\n@@ -1 +0,0 @@\n-bye\n',
        createDiff('new/made.txt', 'made\n'),
      ].join('');
      const run = applyText(patch);
      expect(run.json, run.stdout).toMatchObject({ ok: true, files: change.patch.split('diff --git').length - 1 + 3 });
      expect(readFileSync(join(fixture.home, 'outside-link.txt'), 'utf8')).toBe('one\ntwo\n');
      const [entry] = repo('ledger', []).json.entries!;
      for (const file of entry!.files) {
        expect(file.beforeSha256, file.path).toBe(oldBytes[file.path] ? sha256(oldBytes[file.path]!) : null);
        expect(file.afterSha256, file.path).toBe(file.path === 'gone.txt' ? null : sha256(readFileSync(join(fixture.root, file.path))));
      }
      for (const [path, text] of Object.entries(change.after)) expect(readFileSync(join(fixture.root, path), 'utf8'), path).toBe(text);
      expect(repo('revert', ['--change', entry!.changeId]).json.ok).toBe(true);
      expect(hashTree(fixture.root)).toBe(before);
    });
  });
});
