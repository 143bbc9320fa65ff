/**
 * The smoke version of `npm run stress` for the scenarios that need only the host: the same code
 * as the full run, with a short burst / one kill each. The table's zeros are asserted here.
 */
import { describe, expect, it } from 'vitest';
import { passed } from '../stress/report';
import { scenarios } from '../stress/scenarios';

// Scenarios marked inSmoke: false have their smoke version elsewhere (they say where) and run in `npm run stress` only.
const hostOnly = scenarios.filter((scenario) => scenario.needs === 'host' && scenario.inSmoke !== false);

describe('stress smoke (host scenarios)', () => {
  it('has host scenarios to run', () => expect(hostOnly.length).toBeGreaterThan(0));
  for (const scenario of hostOnly) {
    it(`${scenario.name}: nothing lost, doubled or failed`, async () => {
      const seed = Date.now() % 2 ** 31;
      const log: string[] = [];
      const result = await scenario.run({ smoke: true, seed, log: (message) => log.push(message) });
      const report = { scenario: scenario.name, ms: 0, ...result };
      expect(report, `seed ${seed}\n${[...log, ...report.notes].join('\n')}`).toSatisfy(passed);
      expect(report.runs).toBeGreaterThan(0);
    }, 120_000);
  }
});
