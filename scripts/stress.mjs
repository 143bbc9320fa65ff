// `npm run stress [-- --smoke] [-- --only NAME] [-- --seed N]`: builds the extension and the host,
// then runs the stress and fault scenarios (tests/stress/run.ts) and prints their table.
import { spawnSync } from 'node:child_process';

const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
for (const [command, args] of [
  [npx, ['wxt', 'build']],
  [process.execPath, ['scripts/build-host.mjs']],
]) {
  const run = spawnSync(command, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  if (run.status !== 0) process.exit(run.status ?? 1);
}
const run = spawnSync(process.execPath, ['--import', 'tsx', '--expose-gc', 'tests/stress/run.ts', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(run.status ?? 1);
