/**
 * `hydraflow-host bundle inspect` on hostile bundles (zip bombs, a 70 M-character line, a million
 * tiny rows, a 200,000-deep value): a coded JSON error, a non-zero exit, and a peak RSS under
 * INSPECT_RSS_CEILING_MB (docs/reliability.md). The peak is the process's own `maxRSS`, written
 * at exit by a preloaded hook.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostileBundles } from '../fixtures/hostile-bundles';
import { CLI } from '../support/cli';

/** Stated in docs/reliability.md: the CLI's peak resident memory on any hostile bundle. */
export const INSPECT_RSS_CEILING_MB = 150;

let dir: string;
let preload: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hf-hostile-cli-'));
  preload = join(dir, 'maxrss.cjs');
  writeFileSync(preload, "process.on('exit', () => process.stderr.write(`\\nmaxrss-kb=${process.resourceUsage().maxRSS}\\n`));\n");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `bundle inspect` on `bytes`: exit status, the JSON report, peak RSS in MB. */
export function inspectHostile(bytes: Uint8Array, workDir: string, preloadPath: string): { status: number | null; report: { valid: boolean; error?: { code: string } }; rssMb: number } {
  const path = join(workDir, 'hostile.hydraflow');
  writeFileSync(path, bytes);
  const run = spawnSync(process.execPath, ['--require', preloadPath, CLI, 'bundle', 'inspect', path], { encoding: 'utf8', timeout: 120_000 });
  rmSync(path, { force: true });
  const rss = /maxrss-kb=(\d+)/.exec(run.stderr);
  return { status: run.status, report: JSON.parse(run.stdout.trim().split('\n').pop() ?? 'null'), rssMb: rss ? Number(rss[1]) / 1024 : Infinity };
}

describe('bundle inspect on hostile bundles', () => {
  it('answers each with its code, exit 1, and bounded memory', () => {
    for (const hostile of hostileBundles()) {
      const { status, report, rssMb } = inspectHostile(hostile.bytes, dir, preload);
      expect(status, hostile.name).toBe(1);
      expect(report, hostile.name).toMatchObject({ valid: false, error: { code: hostile.code } });
      expect(rssMb, `${hostile.name}: peak RSS ${rssMb.toFixed(0)} MB`).toBeLessThan(INSPECT_RSS_CEILING_MB);
      console.log(`${hostile.name}: ${hostile.code}, peak RSS ${rssMb.toFixed(0)} MB`);
    }
  }, 120_000);
});
