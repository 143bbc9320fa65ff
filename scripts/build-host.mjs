// Bundles the native host (TypeScript) into dist/host/: the host's code as one classic script,
// hydraflow-host.code.js (main.ts and everything it imports), and the program that runs it with a
// V8 code cache, hydraflow-host.mjs (native-host/entry.ts; docs/host.md).
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { chmodSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * `import { z } from 'zod'` hands esbuild zod's namespace as a value, so the bundle kept all of
 * zod (~600 KB of the host's ~830: every locale, JSON Schema conversion…) and every CLI process
 * compiled it. The same bindings imported as a namespace (`import * as z` from the module zod's
 * own index re-exports as `z`) let esbuild keep only what `z.…` reaches (~130 KB). Our sources
 * are read, not changed.
 */
const zodClassic = join(dirname(createRequire(import.meta.url).resolve('zod')), 'v4', 'classic', 'external.js');
const zodAsNamespace = {
  name: 'zod-as-namespace',
  setup(build) {
    build.onLoad({ filter: /[\\/](native-host|shared)[\\/].*\.ts$/ }, (args) => ({
      contents: readFileSync(args.path, 'utf8').replace(/^import \{ z \} from 'zod';$/m, `import * as z from ${JSON.stringify(zodClassic)};`),
      loader: 'ts',
    }));
  },
};

const codeFile = 'dist/host/hydraflow-host.code.js';
await build({
  entryPoints: ['native-host/main.ts'],
  outfile: codeFile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  // A classic script's body (entry.ts wraps it in a function given `require` and the program's
  // URL): vm.Script can keep its compiled code, an ES module cannot in Node 20.
  format: 'cjs',
  define: { 'import.meta.url': '__hfModuleUrl' },
  // Any other `import.meta` (dirname, filename…) would be empty in a classic script: fail the build.
  logOverride: { 'empty-import-meta': 'error' },
  // Native addons stay outside the bundle and are loaded from node_modules.
  external: ['better-sqlite3'],
  logLevel: 'warning',
  // A CLI process without a code cache parses the whole code at every start: without whitespace
  // it is ~20% smaller (names are kept, so stack traces in logs still name functions).
  minifyWhitespace: true,
  minifySyntax: true,
  plugins: [zodAsNamespace],
});

const outfile = 'dist/host/hydraflow-host.mjs';
const codeId = createHash('sha256').update(readFileSync(codeFile)).digest('hex').slice(0, 16);
await build({
  entryPoints: ['native-host/entry.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  define: { HF_CODE_ID: JSON.stringify(codeId) },
  // The shebang makes it the `hydraflow-host` bin of the host package (scripts/build-host-package.mjs).
  banner: { js: '#!/usr/bin/env node' },
  logLevel: 'warning',
});
chmodSync(outfile, 0o755);
// Caches of earlier builds would be dropped at the next write anyway; a fresh build starts clean.
rmSync('dist/host/hydraflow-host.v8-cache', { recursive: true, force: true });
