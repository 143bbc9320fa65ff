/**
 * `npm run stress` (full) and `npm run stress -- --smoke` (one kill / short burst per scenario):
 * runs every scenario against the built extension and host, prints what each did and verified,
 * and ends with the table (scenario, runs, rows expected, rows found, duplicates, lost,
 * failures). Exits 1 when any scenario fails. `--only NAME` runs the scenarios whose name
 * contains NAME; `--seed N` replays a run.
 */
import { formatTable, passed, type ScenarioReport } from './report';
import { scenarios } from './scenarios';

const args = process.argv.slice(2);
const flag = (name: string) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
};
const smoke = args.includes('--smoke');
const only = flag('--only');
const seed = Number(flag('--seed') ?? Date.now() % 2 ** 31);

const chosen = scenarios.filter((scenario) => (!only || scenario.name.includes(only)) && (!smoke || scenario.inSmoke !== false));
if (chosen.length === 0) {
  console.error(`no scenario matches "${only}"; scenarios: ${scenarios.map((s) => s.name).join(', ')}`);
  process.exit(2);
}
console.log(`stress ${smoke ? 'smoke' : 'full'} run, seed ${seed}`);
const reports: ScenarioReport[] = [];
for (const scenario of chosen) {
  const started = performance.now();
  console.log(`\n▶ ${scenario.name}`);
  let report: ScenarioReport;
  try {
    const result = await scenario.run({ smoke, seed, log: (message) => console.log(`  ${message}`) });
    report = { scenario: scenario.name, ms: performance.now() - started, ...result };
  } catch (error) {
    report = { scenario: scenario.name, runs: 0, rowsExpected: 0, rowsFound: 0, duplicates: 0, lost: 0, failures: 1, notes: [`crashed: ${(error as Error).stack ?? String(error)}`], ms: performance.now() - started };
  }
  for (const note of report.notes) console.log(`  · ${note}`);
  console.log(`  ${passed(report) ? '✓' : '✗'} ${(report.ms / 1000).toFixed(1)} s`);
  reports.push(report);
}
console.log(`\n${formatTable(reports)}`);
process.exit(reports.every(passed) ? 0 : 1);
