/**
 * `hydraflow-host bundle inspect | from-history | merge`: the real CLI, real files in a temp dir.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_VISITS, FIREFOX_VISITS, TAKEOUT_ENTRIES, writeAllFixtures } from '../fixtures/make-history';
import { buildBundle, damagedBundles, fixtureBundle, fixtureLines } from '../fixtures/bundles';
import { runCli } from '../support/cli';

let dir: string;
let files: { history: string; places: string; takeout: string };
let good: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hf-bundle-cli-'));
  files = writeAllFixtures(dir);
  good = join(dir, 'good.hydraflow');
  writeFileSync(good, await fixtureBundle());
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const json = (text: string) => JSON.parse(text.trim().split('\n').pop()!);

describe('bundle inspect', () => {
  it('prints format, schema version and counts of a valid bundle, exit 0', () => {
    const run = runCli(['bundle', 'inspect', good]);
    expect(run.status, run.stderr).toBe(0);
    const report = json(run.stdout);
    expect(report).toMatchObject({ format: 'hydraflow-bundle', schemaVersion: 1, valid: true, counts: { threads: 1, messages: 1, visits: 2, pages: 1, tabs: 1 } });
    expect(report.error).toBeUndefined();
  });

  it('exits 1 with the error code for each damaged bundle', async () => {
    for (const damaged of await damagedBundles()) {
      const path = join(dir, 'damaged.hydraflow');
      writeFileSync(path, damaged.bytes);
      const run = runCli(['bundle', 'inspect', path]);
      expect(run.status, damaged.name).toBe(1);
      expect(json(run.stdout), damaged.name).toMatchObject({ valid: false, error: { code: damaged.code } });
      expect(json(run.stderr).error.code, damaged.name).toBe(damaged.code);
    }
  });

  it('a missing file is BUNDLE_FILE_NOT_FOUND; no file is a usage error', () => {
    const run = runCli(['bundle', 'inspect', join(dir, 'nope.hydraflow')]);
    expect(run.status).toBe(1);
    expect(json(run.stdout).error.code).toBe('BUNDLE_FILE_NOT_FOUND');
    expect(runCli(['bundle', 'inspect']).status).toBe(2);
  });
});

describe('bundle from-history', () => {
  it.each([
    ['Chromium History', () => files.history, CHROMIUM_VISITS.length],
    ['Firefox places.sqlite', () => files.places, FIREFOX_VISITS.length],
    ['Takeout BrowserHistory.json', () => files.takeout, TAKEOUT_ENTRIES.length - 1],
  ])('bundles every visit of a %s file, which then inspects as valid', (_name, file, visits) => {
    const out = join(dir, `history-${Math.random().toString(36).slice(2)}.hydraflow`);
    const run = runCli(['bundle', 'from-history', '--file', file(), '--out', out]);
    expect(run.status, run.stderr).toBe(0);
    expect(json(run.stdout)).toMatchObject({ ok: true, counts: { visits } });
    const inspect = runCli(['bundle', 'inspect', out]);
    expect(json(inspect.stdout)).toMatchObject({ valid: true, counts: { visits, threads: 0 } });
  });

  it('refuses to overwrite an existing file and leaves no temporary file', () => {
    const run = runCli(['bundle', 'from-history', '--file', files.history, '--out', good]);
    expect(run.status).toBe(1);
    expect(json(run.stderr).error.code).toBe('BUNDLE_FILE_EXISTS');
    expect(readdirSync(dir).filter((n) => n.includes('.partial-'))).toEqual([]);
  });
});

describe('bundle merge', () => {
  it('merging a bundle with itself changes no component', () => {
    const out = join(dir, 'self.hydraflow');
    const run = runCli(['bundle', 'merge', good, good, '--out', out]);
    expect(run.status, run.stderr).toBe(0);
    expect(json(run.stdout)).toMatchObject({ ok: true, inputs: 2 });
    const a = json(runCli(['bundle', 'inspect', good]).stdout);
    const b = json(runCli(['bundle', 'inspect', out]).stdout);
    expect(b.counts).toEqual(a.counts);
    expect(b.valid).toBe(true);
  });

  it('writes the deduplicated union of two bundles (visits by URL and time)', () => {
    const history = join(dir, 'merge-history.hydraflow');
    expect(runCli(['bundle', 'from-history', '--file', files.history, '--out', history]).status).toBe(0);
    const lines = fixtureLines();
    const other = join(dir, 'other.hydraflow');
    const extra = JSON.stringify({ ...JSON.parse(lines.threads![0]!), id: 't-other' });
    writeFileSync(other, buildBundle({ ...lines, threads: [...lines.threads!, extra] }));
    const out = join(dir, 'union.hydraflow');
    const run = runCli(['bundle', 'merge', good, history, other, history, '--out', out]);
    expect(run.status, run.stderr).toBe(0);
    const merged = json(runCli(['bundle', 'inspect', out]).stdout);
    expect(merged.valid).toBe(true);
    expect(merged.counts.threads).toBe(2);
    expect(merged.counts.visits).toBe(2 + CHROMIUM_VISITS.length);
  });

  it('refuses when an input is damaged, naming it, and writes nothing', async () => {
    const bad = join(dir, 'bad.hydraflow');
    writeFileSync(bad, (await damagedBundles()).find((d) => d.code === 'BUNDLE_HASH_MISMATCH')!.bytes);
    const out = join(dir, 'never.hydraflow');
    const run = runCli(['bundle', 'merge', good, bad, '--out', out]);
    expect(run.status).toBe(1);
    expect(json(run.stderr).error).toMatchObject({ code: 'BUNDLE_HASH_MISMATCH', message: expect.stringContaining('bad.hydraflow') });
    expect(existsSync(out)).toBe(false);
  });
});
