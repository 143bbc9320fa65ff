// `npm run bench`: builds nothing (run `npm run build` first), then runs every tests/bench/*.bench.ts
// with tsx, one after the other; each prints one JSON line per figure with its baseline.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const dir = join('tests', 'bench');
const only = process.argv[2];
let failed = 0;
for (const file of readdirSync(dir).filter((name) => name.endsWith('.bench.ts')).sort()) {
  if (only && !file.includes(only)) continue;
  process.stderr.write(`▶ ${file}\n`);
  const run = spawnSync(process.platform === 'win32' ? 'npx.cmd' : 'npx', ['tsx', join(dir, file)], { stdio: 'inherit', env: process.env });
  if (run.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
