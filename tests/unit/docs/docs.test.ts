/** docs/protocol.md and docs/storage.md must stay true to the code. */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERRORS } from '../../../shared/errors';
import { methods } from '../../../shared/protocol/methods';
import { commands } from '../../../shared/commands';
import { migrations } from '../../../extension/db';

const docs = join(import.meta.dirname, '..', '..', '..', 'docs');
const section = (file: string, name: string) => {
  const text = readFileSync(join(docs, file), 'utf8');
  const start = text.indexOf(`<!-- ${name}:start -->`);
  const end = text.indexOf(`<!-- ${name}:end -->`);
  expect(start, `${file} has a ${name} section`).toBeGreaterThan(-1);
  return text.slice(start, end);
};

describe('docs match the code', () => {
  it('protocol.md lists every error code with its number, and no other', () => {
    const rows = [...section('protocol.md', 'errors').matchAll(/^\| (\d+) \| `(\w+)` \|/gm)].map((m) => [m[2], Number(m[1])]);
    expect(Object.fromEntries(rows)).toEqual(Object.fromEntries(Object.entries(ERRORS).map(([code, { n }]) => [code, n])));
  });

  it('privacy.md explains every permission the manifest asks for, and no other', () => {
    const config = readFileSync(join(docs, '..', 'wxt.config.ts'), 'utf8');
    const permissions = [...(/\bpermissions: \[([^\]]*)\]/.exec(config)?.[1] ?? '').matchAll(/'([^']+)'/g)].map((m) => m[1]);
    const hosts = [...(/host_permissions: \[([^\]]*)\]/.exec(config)?.[1] ?? '').matchAll(/'([^']+)'/g)].map((m) => `host ${m[1]}`);
    const documented = [...section('privacy.md', 'permissions').matchAll(/^\| (host )?`([^`]+)` \|/gm)].map((m) => `${m[1] ?? ''}${m[2]}`);
    expect(permissions).not.toContain('storage');
    expect(documented.sort()).toEqual([...permissions, ...hosts].sort());
  });

  it('error numbers are unique', () => {
    const numbers = Object.values(ERRORS).map((e) => e.n);
    expect(new Set(numbers).size).toBe(numbers.length);
  });

  it('protocol.md documents every host method and every background command', () => {
    const methodRows = [...section('protocol.md', 'methods').matchAll(/^\| `([\w.]+)` \|/gm)].map((m) => m[1]);
    expect(methodRows.sort()).toEqual(Object.keys(methods).sort());
    const commandRows = [...section('protocol.md', 'commands').matchAll(/^\| `([\w.]+)` \|/gm)].map((m) => m[1]);
    expect(commandRows.sort()).toEqual(Object.keys(commands).sort());
  });

  it('storage.md shows every store with its indexes at the latest version', () => {
    const stores: Record<string, string> = {};
    for (const migration of migrations) for (const [name, spec] of Object.entries(migration.stores)) if (spec === null) delete stores[name]; else stores[name] = spec;
    const rows = Object.fromEntries([...section('storage.md', 'stores').matchAll(/^\| `(\w+)` \| `([^`]*)` \|/gm)].map((m) => [m[1], m[2]]));
    expect(rows).toEqual(stores);
  });
});
