/** Temp repositories for the repo-tools tests: a registered tree, a whole-tree hash, a config writer. */
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface RepoFixture {
  home: string;
  root: string;
  configFile: string;
  cleanup(): void;
}

export function makeRepoFixture(files: Record<string, string>, repos: (root: string) => Record<string, unknown> = (root) => ({ main: { root } })): RepoFixture {
  const base = mkdtempSync(join(tmpdir(), 'hf-repo-'));
  const home = join(base, 'home');
  const root = join(base, 'tree');
  mkdirSync(home, { recursive: true });
  mkdirSync(root, { recursive: true });
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  const configFile = join(home, 'config.json');
  writeFileSync(configFile, JSON.stringify({ repos: repos(root) }, null, 2));
  return { home, root, configFile, cleanup: () => rmSync(base, { recursive: true, force: true }) };
}

/** One hash over every entry under `root`: names, types, file bytes, link targets, empty dirs. */
export function hashTree(root: string): string {
  const hash = createHash('sha256');
  const walk = (dir: string, prefix: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const rel = `${prefix}${name}`;
      const stats = lstatSync(path);
      if (stats.isSymbolicLink()) hash.update(`L ${rel} -> ${readlinkSync(path)}\n`);
      else if (stats.isDirectory()) {
        hash.update(`D ${rel}\n`);
        walk(path, `${rel}/`);
      } else hash.update(`F ${rel} ${stats.mode & 0o777} ${createHash('sha256').update(readFileSync(path)).digest('hex')}\n`);
    }
  };
  walk(root, '');
  return hash.digest('hex');
}

/** A git-style diff modifying `path` from `before` to `after` text (whole-file hunk). */
export function wholeFileDiff(path: string, before: string, after: string): string {
  const old = before.split('\n').slice(0, -1);
  const next = after.split('\n').slice(0, -1);
  return [`diff --git a/${path} b/${path}`, `--- a/${path}`, `+++ b/${path}`, `@@ -1,${old.length} +1,${next.length} @@`, ...old.map((l) => `-${l}`), ...next.map((l) => `+${l}`), ''].join('\n');
}

export function createDiff(path: string, content: string): string {
  const lines = content.split('\n').slice(0, -1);
  return [`diff --git a/${path} b/${path}`, 'new file mode 100644', '--- /dev/null', `+++ b/${path}`, `@@ -0,0 +1,${lines.length} @@`, ...lines.map((l) => `+${l}`), ''].join('\n');
}

export interface GeneratedChange {
  before: Record<string, string>;
  after: Record<string, string>;
  /** A git-style diff from `before` to `after`: `hunksPerFile` one-line changes per file, 1 line of context. */
  patch: string;
}

/**
 * Deterministic many-file, many-hunk change (for the crash test and the apply benchmarks).
 * `linesPerFile` (default: just enough for the hunks, 8 lines apart) spreads the hunks evenly.
 */
export function generateLargeChange(fileCount: number, hunksPerFile: number, linesPerFile = hunksPerFile * 8 + 8): GeneratedChange {
  const before: Record<string, string> = {};
  const after: Record<string, string> = {};
  const parts: string[] = [];
  const lineCount = Math.max(linesPerFile, hunksPerFile * 8 + 8);
  const step = Math.floor((lineCount - 8) / Math.max(1, hunksPerFile));
  for (let f = 0; f < fileCount; f++) {
    const path = `src/dir${f % 10}/file${f}.txt`;
    const old = Array.from({ length: lineCount }, (_, j) => `file ${f} line ${j} ${'·'.repeat(j % 40)}`);
    const next = [...old];
    parts.push(`diff --git a/${path} b/${path}`, `--- a/${path}`, `+++ b/${path}`);
    for (let h = 0; h < hunksPerFile; h++) {
      const at = 4 + h * step;
      next[at] = `file ${f} line ${at} changed by hunk ${h}`;
      parts.push(`@@ -${at},3 +${at},3 @@`, ` ${old[at - 1]}`, `-${old[at]}`, `+${next[at]}`, ` ${old[at + 1]}`);
    }
    before[path] = `${old.join('\n')}\n`;
    after[path] = `${next.join('\n')}\n`;
  }
  return { before, after, patch: `${parts.join('\n')}\n` };
}

export function writeTree(root: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
}
