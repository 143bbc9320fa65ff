import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI } from '../support/cli';
import { generateLargeChange, writeTree } from '../support/repo-fixture';
const change = generateLargeChange(200, 25);
const base = mkdtempSync(join(tmpdir(), 'hf-cli-'));
const patchFile = join(base, 'p.diff'); writeFileSync(patchFile, change.patch);
for (let i = 0; i < 3; i++) {
  const root = join(base, `t${i}`); writeTree(root, change.before);
  const home = join(base, `h${i}`);
  writeTree(home, { 'config.json': JSON.stringify({ repos: { bench: { root, budgets: { maxFiles: 100000, maxLines: 1e7, maxBytes: 1e9 } } } }) });
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--cpu-prof', '--cpu-prof-interval', '200', '--cpu-prof-dir', '/tmp/cliprof', CLI, 'repo', 'apply', '--repo', 'bench', '--patch', patchFile], { env: { ...process.env, HYDRAFLOW_HOME: home } });
  console.log(Number(process.hrtime.bigint() - t) / 1e6, r.status);
}
