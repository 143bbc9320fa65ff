/**
 * A compromised extension against the real host over stdio (HOME = a sandbox temp dir). For every
 * method of the host's method table, every string field of its params (found by walking the zod
 * schema, so a new method or field is attacked without editing this list) gets every attack
 * value: paths outside the allowed folders, `..`, a symlink out of an allowed folder, a symlink
 * planted where a bundle would be written, the host's own config, journal and launcher, a device
 * file, a FIFO, a 5,000-character name, NUL, stream and traversal tricks. Then the classic
 * exploit (write a config.json registering a check, run it) is tried through every folder.
 *
 * Holds: no byte of a file outside the allowed folders in any reply or event; nothing created,
 * changed or deleted in the sandbox outside the allowed folders and the host's own logs; the
 * canary command never runs; every refusal is a stable code listed in docs/protocol.md.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { methods, type MethodName } from '../../shared/protocol/methods';
import { writeChromiumHistory } from '../fixtures/make-history';
import { runCli } from '../support/cli';
import { HostProcess, REPO_ROOT, type HostFrame } from '../support/host-process';

const sandbox = mkdtempSync(join(tmpdir(), 'hf-attack-'));
const env = { HOME: sandbox, HYDRAFLOW_HOME: '', XDG_CONFIG_HOME: '', XDG_DATA_HOME: '' };
const configDir = join(sandbox, '.config', 'hydraflow');
const dataDir = join(sandbox, '.local', 'share', 'hydraflow');
const allowed = join(sandbox, 'allowed');
const repo = join(sandbox, 'repo');
const canary = join(sandbox, 'CANARY-RAN');
/** Contents of files outside the allowed folders that must never come back. */
const MARKERS = ['SECRET-FILE-MARKER', 'PRIVATE-KEY-MARKER', 'BASHRC-MARKER', 'root:x:0:0', '#!/bin/sh', 'CONFIG-FILE-MARKER', 'HydraFlow native host launcher'];

let host: HostProcess;
let allowedId: string;
let handle: string;
let uploadId: string;

function cli(args: string[]) {
  const run = runCli(args, env);
  expect(run.status, `${args.join(' ')}: ${run.stdout} ${run.stderr}`).toBe(0);
  return JSON.parse(run.stdout || '{}') as Record<string, unknown>;
}

/** One hash per entry under the sandbox, except the folders the host may change. */
function sandboxState(): Map<string, string> {
  const skip = new Set([allowed, join(dataDir, 'bundles'), join(dataDir, 'logs'), join(dataDir, 'history-copies')]);
  const state = new Map<string, string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (skip.has(path)) continue;
      const stats = lstatSync(path);
      if (stats.isSymbolicLink()) state.set(path, `L ${readlinkSync(path)}`);
      else if (stats.isDirectory()) {
        state.set(path, `D ${stats.mode & 0o777}`);
        walk(path);
      } else if (stats.isFile()) state.set(path, `F ${stats.mode & 0o777} ${createHash('sha256').update(readFileSync(path)).digest('hex')}`);
      else state.set(path, `other ${stats.mode}`);
    }
  };
  walk(sandbox);
  return state;
}

function documentedCodes(): Set<string> {
  const doc = readFileSync(join(REPO_ROOT, 'docs', 'protocol.md'), 'utf8');
  const table = doc.slice(doc.indexOf('<!-- errors:start -->'), doc.indexOf('<!-- errors:end -->'));
  return new Set([...table.matchAll(/^\| \d+ \| `([A-Z_]+)` \|/gm)].map((m) => m[1]!));
}

/** Paths (as key lists) of every string-typed field of a params schema. */
function stringFields(schema: z.ZodType, prefix: string[] = []): string[][] {
  const internals = (schema as unknown as { _zod: { def: { type: string; innerType?: z.ZodType; options?: z.ZodType[] }; innerType?: z.ZodType } })._zod;
  const def = internals.def;
  switch (def.type) {
    case 'lazy':
      // A named schema built on first use (shared/on-first-use.ts): what it wraps.
      return stringFields(internals.innerType!, prefix);
    case 'optional':
    case 'default':
    case 'nullable':
      return stringFields(def.innerType!, prefix);
    case 'object':
      return Object.entries((schema as unknown as { shape: Record<string, z.ZodType> }).shape).flatMap(([key, field]) => stringFields(field, [...prefix, key]));
    case 'union':
      return def.options!.some((option) => stringFields(option).length > 0) ? [prefix] : [];
    case 'string':
      return [prefix];
    default:
      return [];
  }
}

function withValue(params: Record<string, unknown>, path: string[], value: string): Record<string, unknown> {
  const copy = structuredClone(params);
  let at: Record<string, unknown> = copy;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string, unknown>;
  at[path.at(-1)!] = value;
  return copy;
}

function has(params: Record<string, unknown>, path: string[]): boolean {
  let at: unknown = params;
  for (const key of path) {
    if (!at || typeof at !== 'object' || !(key in at)) return false;
    at = (at as Record<string, unknown>)[key];
  }
  return true;
}

function attackValues(): string[] {
  const secret = join(sandbox, 'secret.txt');
  return [
    '/etc/passwd',
    secret,
    join(sandbox, '.ssh', 'id_rsa'),
    '../../../../../../etc/passwd',
    '..',
    '../secret.txt',
    'link-out',
    'planted.hydraflow',
    join(configDir, 'config.json'),
    '../../../.config/hydraflow/config.json',
    'config.json',
    join(dataDir, 'repo', 'main', 'journal.json'),
    '../repo/main/journal.json',
    join(dataDir, 'bin', 'hydraflow-host'),
    '../bin/hydraflow-host',
    '/dev/zero',
    'dev-zero',
    'fifo',
    join(allowed, 'fifo'),
    'subdir',
    'a'.repeat(5000),
    '\u0000',
    'ok.hydraflow\u0000../../secret.txt',
    '.git::$INDEX_ALLOCATION',
    '~/.ssh/id_rsa',
    'C:\\Windows\\win.ini',
    '\\\\server\\share\\x',
    'bundles/../../../secret.txt',
    `${allowed}/../secret.txt`,
    'f000000000000',
    '__proto__',
    'main/../../x',
  ];
}

beforeAll(async () => {
  writeFileSync(join(sandbox, 'secret.txt'), 'SECRET-FILE-MARKER\n');
  mkdirSync(join(sandbox, '.ssh'), { mode: 0o700 });
  writeFileSync(join(sandbox, '.ssh', 'id_rsa'), 'PRIVATE-KEY-MARKER\n', { mode: 0o600 });
  writeFileSync(join(sandbox, '.bashrc'), 'BASHRC-MARKER\n');
  mkdirSync(join(sandbox, '.config', 'chromium', 'Default'), { recursive: true });
  writeChromiumHistory(join(sandbox, '.config', 'chromium', 'Default', 'History'));
  mkdirSync(repo);
  writeFileSync(join(repo, 'a.txt'), 'one\ntwo\n');
  mkdirSync(join(allowed, 'subdir'), { recursive: true });
  writeFileSync(join(allowed, 'ok.hydraflow'), 'ALLOWED-CONTENT');
  writeChromiumHistory(join(allowed, 'History'));
  symlinkSync(join(sandbox, 'secret.txt'), join(allowed, 'link-out'));
  symlinkSync('/dev/zero', join(allowed, 'dev-zero'));
  symlinkSync(join(sandbox, '.bashrc-planted'), join(allowed, 'planted.hydraflow'));
  expect(spawnSync('mkfifo', [join(allowed, 'fifo')]).status).toBe(0);

  cli(['install', '--user-data-dir', join(sandbox, 'udd'), '--json']);
  cli(['repo', 'add', 'main', repo]);
  cli(['repo', 'check-add', 'main', 'ok', '--', 'true']);
  cli(['repo', 'ledger', '--repo', 'main']);
  const folders = cli(['folders', 'add', allowed]) as { folders: { id: string; isDefault: boolean }[] };
  allowedId = folders.folders.find((f) => !f.isDefault)!.id;
  // A marker in the host's config (it keeps unknown keys): its bytes must never come back either.
  const configFile = join(configDir, 'config.json');
  writeFileSync(configFile, JSON.stringify({ ...(JSON.parse(readFileSync(configFile, 'utf8')) as object), note: 'CONFIG-FILE-MARKER' }), { mode: 0o600 });
  mkdirSync(join(dataDir, 'bundles'), { recursive: true, mode: 0o700 });
  symlinkSync(join(sandbox, '.profile-planted'), join(dataDir, 'bundles', 'planted.hydraflow'));

  host = new HostProcess({ home: sandbox, env });
  const opened = await host.request('setup-open', 'bundle.writeOpen', { folderId: 'bundles', fileName: 'attack-base.hydraflow' });
  expect(opened.ok, JSON.stringify(opened.error)).toBe(true);
  handle = (opened.result as { handle: string }).handle;
  const upload = await host.request('setup-upload', 'history.uploadOpen', {});
  uploadId = (upload.result as { uploadId: string }).uploadId;
  const historyBytes = readFileSync(join(allowed, 'History')).toString('base64');
  expect((await host.request('setup-chunk', 'history.uploadChunk', { uploadId, offset: 0, data: historyBytes })).ok).toBe(true);
});

afterAll(async () => {
  await host.stop();
});

describe('a compromised extension against the real host', () => {
  it('gets no outside byte, changes no outside file, never runs a command, and every refusal has a documented code', { timeout: 240_000 }, async () => {
    const before = sandboxState();
    const codes = documentedCodes();
    const patch = ['diff --git a/a.txt b/a.txt', '--- a/a.txt', '+++ b/a.txt', '@@ -1,2 +1,2 @@', ' one', '-two', '+TWO', ''].join('\n');
    // A base request per method (variants where params exclude each other); the attacked field replaces one value.
    const baselines: Record<MethodName, Record<string, unknown>[]> = {
      hello: [{ protocolVersion: 1, client: 'attack', clientVersion: '0.1.0' }],
      cancel: [{ requestId: 'nothing-running' }],
      'repo.list': [{}],
      'repo.apply': [
        { repoId: 'main', patch, dryRun: true },
        { repoId: 'main', patchSha256: '0'.repeat(64), dryRun: true },
      ],
      'repo.revert': [{ repoId: 'main', changeId: '000000000-00000000' }],
      'repo.ledger': [{ repoId: 'main' }],
      'repo.check': [{ repoId: 'main', checkId: 'ok' }],
      'history.profiles': [{}],
      'history.read': [
        { profileId: 'chromium:Default', limit: 3, after: { time: '0', id: 0 } },
        { file: { folderId: allowedId, name: 'History' }, limit: 3, after: { time: '0', id: 0 } },
        { uploadId, limit: 3 },
      ],
      'history.summary': [{ profileId: 'chromium:Default' }, { file: { folderId: allowedId, name: 'History' } }, { uploadId }],
      'history.uploadOpen': [{}],
      'history.uploadChunk': [{ uploadId, offset: 0, data: 'AAAA' }],
      'history.uploadDrop': [{ uploadId }],
      'storage.usage': [{}],
      'storage.prune': [{ logBytes: null, preimageBytes: null }],
      // No string in it, and it deletes the host's own data by design: not sent here.
      'storage.wipe': [],
      'bundle.list': [{}],
      'bundle.stat': [{ folderId: allowedId, name: 'ok.hydraflow' }],
      'bundle.readBytes': [{ folderId: allowedId, name: 'ok.hydraflow', offset: 0, length: 1000 }],
      'bundle.writeOpen': [{ folderId: allowedId, fileName: 'fresh.hydraflow' }],
      'bundle.writeChunk': [{ handle, offset: 0, data: 'AAAA' }],
      'bundle.writeClose': [{ handle }],
      'bundle.writeAbort': [{ handle }],
    };
    const values = attackValues();
    expect(values.length).toBeGreaterThanOrEqual(10);
    const refusals = new Map<string, number>();
    let requests = 0;
    let fieldsAttacked = 0;
    let n = 0;
    const send = async (method: string, params: unknown) => {
      const id = `a${n++}`;
      const reply = await host.request(id, method, params, 15_000);
      requests++;
      if (!reply.ok) {
        expect(codes.has(reply.error!.code), `${method} ${JSON.stringify(params).slice(0, 200)} → ${reply.error!.code}`).toBe(true);
        refusals.set(reply.error!.code, (refusals.get(reply.error!.code) ?? 0) + 1);
      }
      return reply;
    };

    for (const method of Object.keys(methods) as MethodName[]) {
      const fields = stringFields(methods[method].params);
      const variants = baselines[method];
      expect(variants, `no baseline for ${method}`).toBeDefined();
      for (const field of fields) {
        const covering = variants.filter((params) => has(params, field));
        expect(covering.length, `${method}.${field.join('.')} is never attacked`).toBeGreaterThan(0);
        fieldsAttacked++;
        for (const params of covering) for (const value of values) await send(method, withValue(params, field, value));
      }
      for (const params of variants) if (fields.length === 0) await send(method, params);
    }

    // The classic exploit: write a config.json registering a check through every folder, then run it.
    const evil = Buffer.from(JSON.stringify({ repos: { main: { root: repo, checks: { canary: { argv: ['sh', '-c', `touch ${canary}`] } } } } })).toString('base64');
    for (const folderId of ['bundles', allowedId]) {
      for (const fileName of ['config.json', 'config', 'journal.json', 'planted.hydraflow']) {
        const opened = await send('bundle.writeOpen', { folderId, fileName });
        if (!opened.ok) continue;
        const written = (opened.result as { handle: string }).handle;
        await send('bundle.writeChunk', { handle: written, offset: 0, data: evil });
        await send('bundle.writeClose', { handle: written });
      }
    }
    for (const checkId of ['canary', ...values]) await send('repo.check', { repoId: 'main', checkId });
    await new Promise((resolve) => setTimeout(resolve, 300));

    expect(existsSync(canary), 'the canary command ran').toBe(false);
    for (const frame of host.frames as HostFrame[]) {
      const text = JSON.stringify(frame);
      const data = (frame.result as { data?: unknown } | undefined)?.data;
      const decoded = typeof data === 'string' ? Buffer.from(data, 'base64').toString('latin1') : '';
      for (const marker of MARKERS) {
        expect(text.includes(marker), `${marker} in ${text.slice(0, 300)}`).toBe(false);
        expect(decoded.includes(marker), `${marker} in a readBytes reply`).toBe(false);
      }
    }
    expect(host.garbage).toBeNull();
    const after = sandboxState();
    const changed = [...new Set([...before.keys(), ...after.keys()])].filter((path) => before.get(path) !== after.get(path));
    expect(changed).toEqual([]);
    expect(existsSync(join(sandbox, '.bashrc-planted')) || existsSync(join(sandbox, '.profile-planted'))).toBe(false);
    // The figures for docs/reliability.md.
    console.log(JSON.stringify({ suite: 'compromised-extension', methods: Object.keys(methods).length, fieldsAttacked, attackValues: values.length, requests, refused: [...refusals.values()].reduce((a, b) => a + b, 0), byCode: Object.fromEntries([...refusals].sort()) }));
  });
});
