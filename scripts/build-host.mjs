// Bundles the native host (TypeScript) into one runnable ES module: dist/host/hydraflow-host.mjs.
import { build } from 'esbuild';
import { chmodSync } from 'node:fs';

const outfile = 'dist/host/hydraflow-host.mjs';
await build({
  entryPoints: ['native-host/main.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  // Native addons stay outside the bundle and are loaded from node_modules.
  external: ['better-sqlite3'],
  // The shebang makes the bundle the `hydraflow-host` bin of the host package (scripts/build-host-package.mjs).
  banner: { js: "#!/usr/bin/env node\nimport { createRequire as __hfCreateRequire } from 'node:module'; const require = __hfCreateRequire(import.meta.url);" },
  logLevel: 'warning',
  // A CLI process parses the whole bundle at every start: without whitespace it is ~20% smaller
  // (names are kept, so stack traces in logs still name functions).
  minifyWhitespace: true,
  minifySyntax: true,
});
chmodSync(outfile, 0o755);
