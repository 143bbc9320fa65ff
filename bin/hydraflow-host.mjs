#!/usr/bin/env node
// The `hydraflow-host` command: runs the bundled host, building it first if this checkout has not.
// child_process is loaded only to build: every cold CLI process starts here (docs/performance.md).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'dist', 'host', 'hydraflow-host.mjs');
if (!existsSync(bundle) || !existsSync(join(root, 'dist', 'host', 'hydraflow-host.code.js'))) {
  const { execFileSync } = await import('node:child_process');
  execFileSync(process.execPath, [join(root, 'scripts', 'build-host.mjs')], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
}
process.argv.splice(1, 1, bundle);
await import(pathToFileURL(bundle).href);
