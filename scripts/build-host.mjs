// Bundles the native host (TypeScript) into one runnable ES module: dist/host/hydraflow-host.mjs.
import { build } from 'esbuild';
import { chmodSync, readFileSync } from 'node:fs';
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
  plugins: [zodAsNamespace],
});
chmodSync(outfile, 0o755);
