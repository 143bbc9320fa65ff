// `npm test`: typecheck, lint, build (extension + host), then the unit, contract and e2e suites.
// Ends with one summary line ("N passed, N failed") so any CI can read the outcome.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const resultsDir = '.vitest-results';
rmSync(resultsDir, { recursive: true, force: true });
mkdirSync(resultsDir, { recursive: true });

function step(name, command, args) {
  const started = Date.now();
  process.stdout.write(`\n▶ ${name}\n`);
  const run = spawnSync(command, args, { stdio: 'inherit', env: process.env });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (run.status !== 0) {
    process.stdout.write(`✗ ${name} failed (${seconds} s)\n`);
    return false;
  }
  process.stdout.write(`✓ ${name} (${seconds} s)\n`);
  return true;
}

const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const suites = ['unit', 'contract', 'e2e'];
// One config per side (shared/ with neither DOM nor Node, native-host/ with Node, extension/ with the
// browser's types), then the whole tree with tests and scripts.
const typeConfigs = ['tsconfig.shared.json', 'tsconfig.host.json', 'tsconfig.extension.json', 'tsconfig.json'];
const ok =
  typeConfigs.every((config) => step(`typecheck ${config}`, npx, ['tsc', '--noEmit', '-p', config])) &&
  step('lint', npx, ['eslint', '--max-warnings', '0', '.']) &&
  step('build', npx, ['wxt', 'build']) &&
  step('build host', process.execPath, ['scripts/build-host.mjs']) &&
  suites.every((suite) =>
    step(`${suite} tests`, npx, ['vitest', 'run', '--project', suite, '--reporter=default', '--reporter=json', `--outputFile.json=${join(resultsDir, `${suite}.json`)}`]),
  );

let passed = 0;
let failed = 0;
let skipped = 0;
for (const suite of suites) {
  try {
    const report = JSON.parse(readFileSync(join(resultsDir, `${suite}.json`), 'utf8'));
    passed += report.numPassedTests;
    failed += report.numFailedTests;
    skipped += report.numPendingTests + report.numTodoTests;
  } catch {
    // suite did not run (an earlier step failed)
  }
}
if (!ok && failed === 0) failed = 1;
process.stdout.write(`\ntests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
process.exit(ok && failed === 0 ? 0 : 1);
