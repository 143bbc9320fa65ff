import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateLargeChange, writeTree } from '../support/repo-fixture';
const change = generateLargeChange(200, 25);
const base = mkdtempSync(join(tmpdir(), 'hf-git-'));
const patchFile = join(base, 'p.diff'); writeFileSync(patchFile, change.patch);
for (let i = 0; i < 6; i++) {
  const root = join(base, 't'); rmSync(root, { recursive: true, force: true }); writeTree(root, change.before);
  const args = process.env.STRACE ? ['strace', '-f', '-c', '-o', `/tmp/gitst${i}.txt`, 'git', 'apply', patchFile] : ['git', 'apply', patchFile];
  const t = performance.now();
  const r = spawnSync(args[0]!, args.slice(1), { cwd: root });
  console.log((performance.now() - t).toFixed(1), r.status);
}
rmSync(base, { recursive: true, force: true });
