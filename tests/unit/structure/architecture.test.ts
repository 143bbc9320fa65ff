/**
 * Structural rules that keep the code base in shape (the refined-github idea): entry files stay
 * thin, UI code never writes to the database, shared/ touches no browser or Node API, and the
 * host never prints to stdout except through the frame writer.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..', '..');

function filesUnder(dir: string, pattern = /\.(ts|tsx)$/): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(ROOT, dir))) {
    const path = join(ROOT, dir, name);
    if (statSync(path).isDirectory()) out.push(...filesUnder(relative(ROOT, path), pattern));
    else if (pattern.test(name)) out.push(path);
  }
  return out;
}

describe('architecture rules', () => {
  it('entry files are thin: imports plus one wiring call', () => {
    for (const file of filesUnder('entrypoints')) {
      const code = readFileSync(file, 'utf8').split('\n').filter((line) => line.trim() && !line.trim().startsWith('import') && !line.trim().startsWith('//'));
      expect(code.length, `${relative(ROOT, file)} has logic; move it under extension/`).toBeLessThanOrEqual(3);
    }
  });

  it('UI code never writes to the database (the background is the only writer)', () => {
    const writes = /\.(put|add|bulkPut|bulkAdd|bulkDelete|delete|update|clear|modify)\(|transaction\(\s*['"]rw/;
    for (const file of filesUnder('extension/ui')) {
      const text = readFileSync(file, 'utf8');
      if (!/getDb|createDatabase|\bdb\./.test(text)) continue;
      const offending = text.split('\n').filter((line) => /\bdb\b|table\(/.test(line) && writes.test(line));
      expect(offending, relative(ROOT, file)).toEqual([]);
    }
  });

  it('shared/ uses no browser extension or Node API', () => {
    for (const file of filesUnder('shared')) {
      const text = readFileSync(file, 'utf8');
      expect(text, relative(ROOT, file)).not.toMatch(/from ['"]node:|require\(|\bchrome\.|from ['"]wxt|\bbrowser\.|from ['"]dexie/);
    }
  });

  it('the host writes to stdout only through the frame writer', () => {
    for (const file of filesUnder('native-host')) {
      const name = relative(ROOT, file);
      const text = readFileSync(file, 'utf8');
      if (name.endsWith('stdout-guard.ts') || name.includes('native-host/cli/')) continue;
      expect(text, name).not.toMatch(/process\.stdout\.write|console\.(log|info|debug)\(/);
    }
  });

  it('every capability folder exposes a small public surface (index.ts)', () => {
    for (const dir of readdirSync(join(ROOT, 'extension'))) {
      if (!statSync(join(ROOT, 'extension', dir)).isDirectory() || ['ui', 'background'].includes(dir)) continue;
      expect(readdirSync(join(ROOT, 'extension', dir)), `extension/${dir}`).toContain('index.ts');
    }
  });

  it('a day is defined once (shared/time.ts DAY_MS; a frozen migration keeps its own copy)', () => {
    for (const file of [...filesUnder('shared'), ...filesUnder('extension'), ...filesUnder('native-host')]) {
      const name = relative(ROOT, file);
      if (name === 'shared/time.ts' || name.startsWith('extension/db/migrations/')) continue;
      expect(readFileSync(file, 'utf8'), name).not.toMatch(/86_?400_?000|24 \* 60 \* 60 \* 1000/);
    }
  });
});
