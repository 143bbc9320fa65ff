/**
 * The service worker's cold start must not build zod schemas: building every command's and
 * method's schemas while the modules loaded was ~100 ms of each start (docs/performance.md).
 * Declarations hand their schemas to `defineCommand`/`defineMethod` as functions, and a named
 * schema shared by several declarations is a `z.lazy` (one small object; its inside is built on
 * first use). This counts what zod constructs while the background's modules load.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

const ROOT = join(import.meta.dirname, '..', '..', '..');

/** The zod types constructed while `load` runs, by type (`lazy` is the only one allowed at import). */
async function constructedWhile(load: () => Promise<unknown>): Promise<Record<string, number>> {
  const types: Record<string, number> = {};
  z.config({
    postProcessor: (schema: { _zod: { def: { type: string } } }) => {
      const type = schema._zod.def.type;
      types[type] = (types[type] ?? 0) + 1;
    },
  });
  try {
    await load();
  } finally {
    z.config({ postProcessor: undefined });
  }
  return types;
}

describe('zod schemas are built on first use, not while modules load', () => {
  it("loading the background's modules builds no schema but the z.lazy wrappers of named schemas", async () => {
    // The extension API polyfill refuses to load outside an extension; an id is all it checks.
    const global = globalThis as { chrome?: unknown };
    const before = global.chrome;
    global.chrome = { runtime: { id: 'schemas-on-first-use' } };
    try {
      const built = await constructedWhile(() => import('../../../extension/background/main'));
      const { lazy = 0, ...eager } = built;
      expect(eager).toEqual({});
      // One per named schema in shared/ and the capabilities (~100 today): a sanity bound, so a
      // wrapper per field or per command would show.
      expect(lazy).toBeLessThan(200);
    } finally {
      global.chrome = before;
    }
  });

  it('a command or method schema is built when first read, once', async () => {
    const { commands } = await import('../../../shared/commands');
    const { methods } = await import('../../../shared/protocol/methods');
    const built = await constructedWhile(async () => {
      expect(commands['threads.forTab'].params).toBe(commands['threads.forTab'].params);
      expect(methods['repo.apply'].result).toBe(methods['repo.apply'].result);
    });
    expect(Object.values(built).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });

  it("zod's jitless setting is made before the first schema is built: the worker entry imports zod-setup first", () => {
    // zod decides per object schema, when it is built, whether it may compile a parser with
    // new Function (a CSP violation in the extension); built on first use, the first build is
    // the first parse, after every import of the entry has run.
    const entry = readFileSync(join(ROOT, 'entrypoints', 'background.ts'), 'utf8');
    expect(entry.match(/^import .*$/m)?.[0]).toBe("import '../extension/zod-setup';");
  });
});
