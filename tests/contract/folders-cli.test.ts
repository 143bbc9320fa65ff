/**
 * `hydraflow-host folders add|remove|list` and `repo budget`: the only ways to widen what the
 * protocol may touch or to change a budget are on the host side. A folder holding the host's own
 * files (config, data, launcher) cannot be allowed; a symlinked path is stored as its real path.
 */
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli';

const base = mkdtempSync(join(tmpdir(), 'hf-folders-'));
const home = join(base, 'home');
const env = { HYDRAFLOW_HOME: home };
afterAll(() => rmSync(base, { recursive: true, force: true }));

const run = (args: string[]) => {
  const result = runCli(args, env);
  const text = result.stdout.trim() || result.stderr.trim();
  return { status: result.status, json: JSON.parse(text.split('\n').pop()!) as Record<string, unknown> & { error?: { code: string } } };
};

describe('folders CLI', () => {
  it('adds (real path, config 0600), lists with stable ids, removes', () => {
    const real = join(base, 'exports');
    mkdirSync(real);
    symlinkSync(real, join(base, 'via-link'));
    const added = run(['folders', 'add', join(base, 'via-link')]);
    expect(added.status).toBe(0);
    expect(added.json.added).toBe(realpathSync(real));
    expect(statSync(join(home, 'config.json')).mode & 0o777).toBe(0o600);
    expect(statSync(home).mode & 0o777).toBe(0o700);
    const list = run(['folders', 'list']).json as { folders: { id: string; path: string; isDefault: boolean }[] };
    expect(list.folders.map((f) => [f.path, f.isDefault])).toEqual([
      [join(home, 'data', 'bundles'), true],
      [realpathSync(real), false],
    ]);
    expect(list.folders[0]!.id).toBe('bundles');
    expect(list.folders[1]!.id).toMatch(/^f[0-9a-f]{12}$/);
    expect(run(['folders', 'add', real]).json).toMatchObject({ ok: true });
    expect((run(['folders', 'list']).json as { folders: unknown[] }).folders).toHaveLength(2);
    expect(run(['folders', 'remove', real])).toMatchObject({ status: 0, json: { ok: true } });
    expect(run(['folders', 'remove', real])).toMatchObject({ status: 1, json: { error: { code: 'FOLDER_NOT_ALLOWED' } } });
  });

  it('refuses the host own folders and what is not a folder', () => {
    mkdirSync(join(home, 'data', 'bin'), { recursive: true });
    for (const path of [home, join(home, 'data'), join(home, 'data', 'bin'), join(home, 'data', 'bundles'), join(base, 'missing'), join(home, 'config.json')]) {
      expect(run(['folders', 'add', path]), path).toMatchObject({ status: 1, json: { error: { code: 'FOLDER_REFUSED' } } });
    }
    expect(run(['folders', 'frob']).status).toBe(2);
  });
});

describe('repo budget CLI', () => {
  it('shows and sets budgets without editing config.json by hand', () => {
    const repo = join(base, 'repo');
    mkdirSync(repo);
    expect(run(['repo', 'add', 'main', repo]).status).toBe(0);
    expect(run(['repo', 'budget', 'main']).json).toMatchObject({ ok: true, budgets: { maxFiles: 50, maxLines: 4000, maxBytes: 1_048_576 } });
    expect(run(['repo', 'budget', 'main', '--files', '3', '--bytes', '2048']).json).toMatchObject({ ok: true, budgets: { maxFiles: 3, maxLines: 4000, maxBytes: 2048 } });
    const config = JSON.parse(readFileSync(join(home, 'config.json'), 'utf8')) as { repos: { main: { budgets: unknown } } };
    expect(config.repos.main.budgets).toEqual({ maxFiles: 3, maxLines: 4000, maxBytes: 2048 });
    expect(run(['repo', 'budget', 'main', '--lines', '0']).status).toBe(2);
    expect(run(['repo', 'budget', 'main', '--lines', 'many']).status).toBe(2);
    expect(run(['repo', 'budget', 'nope', '--lines', '5']).json.error?.code).toBe('REPO_NOT_FOUND');
  });
});
