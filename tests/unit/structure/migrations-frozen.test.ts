/**
 * Released migrations are frozen. A database upgraded on a user's machine ran exactly these
 * files: editing one (or a module it imports) makes a fresh install and an upgraded one differ.
 * So a released migration imports only the `Migration` type, and its text is held here by hash.
 * Releasing a new migration = adding its line below; changing a released one fails this test.
 */
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const DIR = join(import.meta.dirname, '..', '..', '..', 'extension', 'db', 'migrations');

/** SHA-256 of each released migration file (line endings normalized to \n). */
const RELEASED: Record<string, string> = {
  '0001-initial.ts': '263ae276c92772f1c3bbe1722f11231631880d6de9b70389d3b70cec366c2fa5',
  '0002-counters.ts': 'f9dc296d1b004b91b2d494bdfb614998cd56e1b0d2d60b1899d22b62fde69ac0',
  '0003-search.ts': '0f25b7a4466b98f44eab97a7fc460d9f8eca11e2856b16b871241aeaae86a580',
  '0004-unsaved-threads.ts': '27d88f473748808295c395d0aa37d6b7087c640e878e5b91fed0563587eaec09',
  '0005-visit-chunks.ts': '334fda4c51595d6a7856e2efa9e916360dae6a1b6ea790933f32c156b5936b20',
  '0006-sync.ts': '5de908c207ff18a59e02ac12b2dbbc45a359c6e2e3216a55fe219693f8dd9577',
  '0007-visit-terms.ts': 'dafa54a387bbd1653e109bed050a58a625291272fcf471adbfb30ef0133b03dd',
};

const text = (file: string) => readFileSync(join(DIR, file), 'utf8').replace(/\r\n/g, '\n');
const migrationFiles = () => readdirSync(DIR).filter((name) => /^\d{4}-.*\.ts$/.test(name));

describe('released migrations are frozen', () => {
  it('every migration file is released and listed here with its hash', () => {
    expect(migrationFiles().sort()).toEqual(Object.keys(RELEASED).sort());
  });

  it('no released migration has changed', () => {
    for (const [file, hash] of Object.entries(RELEASED)) expect(createHash('sha256').update(text(file)).digest('hex'), `${file} was released: add a new migration instead`).toBe(hash);
  });

  it('a released migration imports nothing that can change later (types only: ./types, dexie)', () => {
    for (const file of migrationFiles()) {
      const imports = [...text(file).matchAll(/^import\s+(type\s+)?[^;]*?from\s+'([^']+)'/gm)].map((m) => ({ typeOnly: Boolean(m[1]), from: m[2] }));
      for (const { typeOnly, from } of imports) expect({ file, from, typeOnly }).toEqual({ file, from: from === 'dexie' ? 'dexie' : './types', typeOnly: true });
    }
  });
});
