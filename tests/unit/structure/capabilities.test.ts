/**
 * One capability, one name: a background command's prefix names the folder that serves it
 * (`extension/<prefix>/handlers.ts`, or `extension/<capability>/<prefix>/handlers.ts` for a part
 * of a capability) and the file that declares it (`shared/commands/<prefix>.ts`); a host method's
 * prefix names its logic folder (`native-host/<prefix>/`), its protocol adapter
 * (`native-host/commands/<prefix>.ts`) and its declaration (`shared/protocol/<prefix>.ts`). The
 * foundation methods (`hello`, `cancel`) have no prefix and live in the `host` files.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { commands } from '../../../shared/commands';
import { methods } from '../../../shared/protocol/methods';
import { JOB_TYPES } from '../../../shared/schemas/statuses';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const isDir = (path: string) => existsSync(join(ROOT, path)) && statSync(join(ROOT, path)).isDirectory();
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A handler of `name` in a handler map: `'name': …` or `async 'name'(…)` (quotes optional for a bare name). */
const handles = (text: string, name: string) => new RegExp(`(^|[\\s{,])(async\\s+)?(['"]${escape(name)}['"]|${name.includes('.') ? '(?!)' : escape(name)})\\s*[:(]`, 'm').test(text);
const prefixOf = (name: string) => (name.includes('.') ? name.slice(0, name.indexOf('.')) : 'host');

/** The rows of a `<!-- name:start -->` table in docs/architecture.md: first column → second, without backticks. */
function docsTable(name: string): Record<string, string> {
  const text = read('docs/architecture.md');
  const section = text.slice(text.indexOf(`<!-- ${name}:start -->`), text.indexOf(`<!-- ${name}:end -->`));
  expect(section, `docs/architecture.md has a ${name} table`).not.toBe('');
  return Object.fromEntries([...section.matchAll(/^\| `([\w.]+)` \| `([\w/.-]+)\/` \|$/gm)].map((m) => [m[1]!, m[2]!]));
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(ROOT, dir))) {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) out.push(...filesUnder(path));
    else if (/\.tsx?$/.test(name)) out.push(path);
  }
  return out;
}

/** The folder named by a command prefix: `extension/<prefix>/` or exactly one `extension/<capability>/<prefix>/`. */
function commandFolder(prefix: string): string {
  if (isDir(`extension/${prefix}`)) return `extension/${prefix}`;
  const nested = readdirSync(join(ROOT, 'extension'))
    .map((capability) => `extension/${capability}/${prefix}`)
    .filter(isDir);
  expect(nested, `no folder under extension/ is named after the command prefix "${prefix}"`).toHaveLength(1);
  return nested[0]!;
}

describe('one capability, one name', () => {
  const commandNames = Object.keys(commands);
  const handlerFiles = filesUnder('extension').filter((file) => file.endsWith('handlers.ts') && !file.startsWith('extension/ui/'));

  it("every background command is served from the folder its prefix names, and from nowhere else", () => {
    for (const name of commandNames) {
      const folder = commandFolder(prefixOf(name));
      const servedBy = handlerFiles.filter((file) => handles(read(file), name));
      expect(servedBy, `${name} must be served by ${folder}/handlers.ts`).toEqual([`${folder}/handlers.ts`]);
    }
  });

  it('every background command is declared in the file its prefix names', () => {
    for (const name of commandNames) {
      const file = `shared/commands/${prefixOf(name)}.ts`;
      expect(existsSync(join(ROOT, file)) && new RegExp(`['"]${escape(name)}['"]: defineCommand`).test(read(file)), `${name} must be declared in ${file}`).toBe(true);
    }
  });

  it('every command-serving folder exposes its handlers through its index.ts', () => {
    for (const folder of new Set(commandNames.map((name) => commandFolder(prefixOf(name))))) {
      expect(read(`${folder}/index.ts`), `${folder}/index.ts`).toMatch(/from '\.\/handlers'/);
    }
  });

  it("every host method is declared, adapted and implemented under its prefix's name", () => {
    const adapters = filesUnder('native-host/commands').filter((file) => !file.endsWith('index.ts'));
    for (const name of Object.keys(methods)) {
      const prefix = prefixOf(name);
      const declaration = `shared/protocol/${prefix}.ts`;
      expect(existsSync(join(ROOT, declaration)) && handles(read(declaration).replace(/defineMethod/g, ''), name), `${name} must be declared in ${declaration}`).toBe(true);
      const servedBy = adapters.filter((file) => handles(read(file), name));
      expect(servedBy, `${name} must be adapted by native-host/commands/${prefix}.ts`).toEqual([`native-host/commands/${prefix}.ts`]);
      if (prefix === 'host') continue;
      // The adapter is thin: the logic is in the capability's own folder, which it imports.
      expect(isDir(`native-host/${prefix}`), `native-host/${prefix}/ holds the logic of ${name}`).toBe(true);
      expect(read(`native-host/commands/${prefix}.ts`), `native-host/commands/${prefix}.ts imports native-host/${prefix}/`).toMatch(new RegExp(`from '\\.\\./${prefix}/`));
    }
  });

  it('native-host/commands/ holds only adapters (no subfolders with logic)', () => {
    const entries = readdirSync(join(ROOT, 'native-host/commands'));
    expect(entries.filter((name) => isDir(`native-host/commands/${name}`)), relative(ROOT, 'native-host/commands')).toEqual([]);
  });

  it('architecture.md maps every command prefix to the folder that serves it', () => {
    const prefixes = [...new Set(commandNames.map(prefixOf))].sort();
    expect(docsTable('command-folders')).toEqual(Object.fromEntries(prefixes.map((prefix) => [prefix, commandFolder(prefix)])));
  });

  it("every job type is registered once, by its capability's jobs.ts (the folder architecture.md names)", () => {
    const folders = docsTable('job-folders');
    expect(Object.keys(folders).sort()).toEqual([...JOB_TYPES].sort());
    const registrations: [string, string][] = [];
    for (const file of filesUnder('extension')) {
      for (const match of read(file).matchAll(/defineJobType\(\s*'(\w+)'/g)) registrations.push([match[1]!, file]);
    }
    expect(registrations.map(([type]) => type).sort(), 'each job type registered exactly once').toEqual([...JOB_TYPES].sort());
    for (const [type, file] of registrations) expect(file, `${type} is registered by its capability`).toBe(`${folders[type]}/jobs.ts`);
  });

  it('the service worker only assembles job types: no job params or cursor are cast anywhere', () => {
    for (const file of filesUnder('extension')) expect(read(file), file).not.toMatch(/\.(params|cursor) as\b/);
  });
});
