/**
 * `hydraflow-host bundle inspect` on hostile bundles (zip bombs, a 70 M-character line, a million
 * tiny rows, a 200,000-deep value): a coded JSON error, a non-zero exit, and a peak RSS under
 * INSPECT_RSS_CEILING_MB (docs/reliability.md). The peak is the process's own `maxRSS`, written
 * at exit by a preloaded hook.
 */
import { describe, expect, it } from 'vitest';
import { hostileBundles, INSPECT_RSS_CEILING_MB } from '../fixtures/hostile-bundles';
import { inspectWithPeakRss } from '../support/cli';

describe('bundle inspect on hostile bundles', () => {
  it('answers each with its code, exit 1, and bounded memory', () => {
    for (const hostile of hostileBundles()) {
      const { status, report, rssMb } = inspectWithPeakRss(hostile.bytes);
      expect(status, hostile.name).toBe(1);
      expect(report, hostile.name).toMatchObject({ valid: false, error: { code: hostile.code } });
      expect(rssMb, `${hostile.name}: peak RSS ${rssMb.toFixed(0)} MB`).toBeLessThan(INSPECT_RSS_CEILING_MB);
      console.log(`${hostile.name}: ${hostile.code}, peak RSS ${rssMb.toFixed(0)} MB`);
    }
  }, 120_000);
});
