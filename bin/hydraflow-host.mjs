#!/usr/bin/env node
// The `hydraflow-host` command: runs the bundled host, building it first if this checkout has not.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { execFileSync } from 'node:child_process';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'dist', 'host', 'hydraflow-host.mjs');
if (!existsSync(bundle)) {
  execFileSync(process.execPath, [join(root, 'scripts', 'build-host.mjs')], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
}
process.argv.splice(1, 1, bundle);
await import(pathToFileURL(bundle).href);
