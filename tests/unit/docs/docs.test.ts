/** The docs must stay true to the code: tables, paths and the figures they state. */
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERRORS } from '../../../shared/errors';
import { methods } from '../../../shared/protocol/methods';
import { commands } from '../../../shared/commands';
import { migrations } from '../../../extension/db';
import { MAX_INBOUND_FRAME_BYTES, MAX_OUTBOUND_FRAME_BYTES } from '../../../shared/protocol/limits';
import { DAY_MS } from '../../../shared/time';
import { hostInstallCommand } from '../../../shared/host-install';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const docs = join(ROOT, 'docs');
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

  it('every repository path the docs name exists', () => {
    const files = [...readdirSync(docs).filter((name) => name.endsWith('.md')).map((name) => join(docs, name)), ...readdirSync(join(docs, 'adr')).map((name) => join(docs, 'adr', name)), join(ROOT, 'README.md')];
    const missing: string[] = [];
    for (const file of files) {
      for (const [, path] of readFileSync(file, 'utf8').matchAll(/`((?:extension|native-host|shared|tests|entrypoints|scripts|docs|types)\/[^`\s]*)`/g)) {
        // Placeholders (`<capability>`), globs and elisions name a pattern, not a file.
        if (/[<*{…]/.test(path!)) continue;
        if (!existsSync(join(ROOT, path!))) missing.push(`${file.slice(ROOT.length + 1)}: ${path}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('architecture.md lists every capability folder of the extension', () => {
    const text = readFileSync(join(docs, 'architecture.md'), 'utf8');
    const folders = readdirSync(join(ROOT, 'extension'), { withFileTypes: true }).filter((entry) => entry.isDirectory() && existsSync(join(ROOT, 'extension', entry.name, 'index.ts')));
    for (const folder of folders) expect(text, `extension/${folder.name}/`).toContain(`\`extension/${folder.name}/\``);
  });

  /** A numeric constant as written in a source file (`NAME = 15 * 60_000`, or a default `?? 60_000` after NAME). */
  const sourceNumber = (file: string, pattern: RegExp) => {
    const match = readFileSync(join(ROOT, file), 'utf8').match(pattern);
    expect(match, `${file} ${pattern}`).not.toBeNull();
    return match![1]!.split('*').reduce((product, factor) => product * Number(factor.trim().replace(/_/g, '')), 1);
  };

  it.each([
    ['protocol.md', 'up to **64 MiB**', MAX_INBOUND_FRAME_BYTES, 64 * 1024 * 1024],
    ['protocol.md', 'under **1,000,000 bytes**', MAX_OUTBOUND_FRAME_BYTES, 1_000_000],
    ['storage.md', 'floor(visitedAt / 86,400,000)', DAY_MS, 86_400_000],
    ['architecture.md', '(at most 500 ms)', sourceNumber('extension/background/main.ts', /const CHORES_MAX_DELAY_MS = ([\d_ *]+);/), 500],
    ['architecture.md', 'closes after 60 s idle', sourceNumber('extension/host/connection.ts', /idleMs \?\? ([\d_ *]+);/), 60_000],
    // The host hold after a preview is the approval token's lifetime (PREVIEW_HOLD_MS = APPROVAL_TTL_MS).
    ['architecture.md', 'stays open up to 15 minutes', sourceNumber('extension/repo/approval.ts', /const APPROVAL_TTL_MS = ([\d_ *]+);/), 15 * 60_000],
    ['repo.md', 'valid 15 minutes', sourceNumber('extension/repo/approval.ts', /const APPROVAL_TTL_MS = ([\d_ *]+);/), 15 * 60_000],
    ['threads.md', 'writing the text every ~100 ms', sourceNumber('extension/chat/service.ts', /const FLUSH_MS = ([\d_ *]+);/), 100],
    ['threads.md', 'for an OpenAI-compatible endpoint the setting, else 8192', sourceNumber('shared/chat/context.ts', /const DEFAULT_CONTEXT_WINDOW = ([\d_ *]+);/), 8192],
    ['threads.md', 'For each of the best 8 hits', sourceNumber('extension/chat/context.ts', /const HISTORY_HITS = ([\d_ *]+);/), 8],
    ['search.md', 'A write schedules this 300 ms later', sourceNumber('extension/search/indexer.ts', /const DRAIN_DELAY_MS = ([\d_ *]+);/), 300],
  ])('%s says "%s" and the code agrees', (file, phrase, inCode, stated) => {
    expect(readFileSync(join(docs, file), 'utf8').replace(/\s+/g, ' ')).toContain(phrase);
    expect(inCode).toBe(stated);
  });

  it('README starts with the two developer commands, then Install (for users) as its first section, with the host command', () => {
    const readme = readFileSync(join(docs, '..', 'README.md'), 'utf8');
    const firstBlock = /^# HydraFlow\n\n```sh\n([^`]*)```/.exec(readme);
    expect(firstBlock, 'README opens with a sh block').not.toBeNull();
    expect(firstBlock![1]!.split('\n').filter(Boolean).map((line) => line.replace(/\s+#.*$/, ''))).toEqual(['npm ci && npm start', 'npm ci && npm test']);
    const sections = [...readme.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    expect(sections[0]).toBe('Install');
    const install = readme.slice(readme.indexOf('## Install'), readme.indexOf(`## ${sections[1]}`));
    expect(install).toContain(hostInstallCommand());
    expect(install).toContain('docs/host.md');
  });
});
