/**
 * Launchers for every platform, generated and read back; the POSIX one is also run through the
 * real /bin/sh, from paths with spaces, quotes and non-ASCII characters, and its node discovery
 * order (recorded → Homebrew → /usr/local/bin → newest nvm → PATH) is checked with stand-in nodes.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildPosixLauncher, buildWindowsLauncher, parsePosixLauncher, parseWindowsLauncher } from '../../../native-host/install/launcher';

const AWKWARD_NAMES = ['plain', 'with space', "o'neil", 'say "hi"', 'Jürgen ünïcødé 日本', 'dollar $HOME `x` \\ back', 'percent %PATH% & amp ^ caret ! bang'];

describe('POSIX launcher', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'hf-launcher-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  /** A stand-in node: a shell script that prints its own name and its arguments. */
  function fakeNode(path: string, name: string): string {
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, `#!/bin/sh\nprintf '%s\\n' ${JSON.stringify(name)} "$@"\n`);
    chmodSync(path, 0o755);
    return path;
  }

  function runLauncher(script: string, env: NodeJS.ProcessEnv = {}): string[] {
    const launcher = join(root, 'launcher');
    writeFileSync(launcher, script);
    chmodSync(launcher, 0o755);
    const run = spawnSync(launcher, ['chrome-extension://x/'], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin', HOME: join(root, 'home'), ...env } });
    expect(run.status, run.stderr).toBe(0);
    return run.stdout.trimEnd().split('\n');
  }

  it.each(AWKWARD_NAMES)('runs node and the host from paths named %j, and reads them back', (name) => {
    const dir = join(root, name);
    const node = fakeNode(join(dir, 'bin', 'node'), 'recorded');
    const host = join(dir, 'host program.mjs');
    const home = join(dir, 'home');
    const script = buildPosixLauncher({ nodePath: node, hostScriptPath: host, hydraflowHome: home, version: '1.2.3' });
    expect(parsePosixLauncher(script)).toEqual({ nodePath: node, hostScriptPath: host, hydraflowHome: home });
    expect(runLauncher(script)).toEqual(['recorded', host, 'chrome-extension://x/']);
    const printsHome = fakeNode(join(dir, 'bin', 'node-env'), 'env');
    writeFileSync(printsHome, '#!/bin/sh\nprintf "%s\\n" "$HYDRAFLOW_HOME"\n');
    expect(runLauncher(buildPosixLauncher({ nodePath: printsHome, hostScriptPath: host, hydraflowHome: home }))).toEqual([home]);
  });

  it('finds node in the order recorded → Homebrew → /usr/local/bin → newest nvm → PATH', () => {
    const home = join(root, 'home');
    const homebrew = join(root, 'opt homebrew', 'bin');
    const usrLocal = join(root, 'usr local', 'bin');
    const pathDir = join(root, 'on path');
    const host = join(root, 'host.mjs');
    const recorded = join(root, 'recorded', 'node');
    const script = buildPosixLauncher({ nodePath: recorded, hostScriptPath: host }, [homebrew, usrLocal]);
    const env = { PATH: `${pathDir}:/usr/bin:/bin` };
    const picked = () => runLauncher(script, env)[0];

    fakeNode(join(pathDir, 'node'), 'path');
    expect(picked()).toBe('path');
    // nvm: the highest version wins, compared as numbers (v20.19.0 > v9.11.2 > v20.2.0 is wrong).
    for (const version of ['v9.11.2', 'v20.2.0', 'v20.19.0', 'v18.20.4']) fakeNode(join(home, '.nvm', 'versions', 'node', version, 'bin', 'node'), `nvm ${version}`);
    expect(picked()).toBe('nvm v20.19.0');
    expect(runLauncher(script, { ...env, NVM_DIR: join(root, 'no nvm here') })[0]).toBe('path');
    fakeNode(join(usrLocal, 'node'), 'usr-local');
    expect(picked()).toBe('usr-local');
    fakeNode(join(homebrew, 'node'), 'homebrew');
    expect(picked()).toBe('homebrew');
    fakeNode(recorded, 'recorded');
    expect(picked()).toBe('recorded');
  });

  it('says what to do when no node is found anywhere', () => {
    const script = buildPosixLauncher({ nodePath: join(root, 'gone', 'node'), hostScriptPath: join(root, 'host.mjs') }, [join(root, 'none')]);
    const launcher = join(root, 'launcher');
    writeFileSync(launcher, script);
    chmodSync(launcher, 0o755);
    const run = spawnSync(launcher, [], { encoding: 'utf8', env: { PATH: join(root, 'empty'), HOME: join(root, 'home') } });
    expect(run.status).toBe(127);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('node not found');
    expect(run.stderr).toContain('npx hydraflow-host install');
  });
});

describe('Windows launcher', () => {
  it.each(AWKWARD_NAMES.filter((name) => !name.includes('"')))('quotes paths named %j and reads them back', (name) => {
    const spec = { nodePath: `C:\\Program Files\\${name}\\node.exe`, hostScriptPath: `C:\\Users\\${name}\\AppData\\Roaming\\npm\\node_modules\\hydraflow-host\\hydraflow-host.mjs`, hydraflowHome: `D:\\${name}` };
    const script = buildWindowsLauncher(spec);
    expect(script.split('\r\n').slice(0, 4)).toEqual(['@echo off', expect.stringMatching(/^rem /), 'chcp 65001 >nul', 'setlocal DisableDelayedExpansion']);
    expect(script.endsWith('%*\r\n')).toBe(true);
    // A lone % would be expanded by cmd.exe; every % in a path is doubled.
    expect(script.split('\r\n').filter((line) => !line.startsWith('rem ')).join('').replace(/%%|%\*/g, '')).not.toContain('%');
    expect(parseWindowsLauncher(script)).toEqual(spec);
  });

  it('refuses a path with a double quote or a line break (impossible on Windows, and unquotable in a .bat)', () => {
    expect(() => buildWindowsLauncher({ nodePath: 'C:\\a"b\\node.exe', hostScriptPath: 'C:\\h.mjs' })).toThrow(/quotes or line breaks/);
    expect(() => buildWindowsLauncher({ nodePath: 'C:\\node.exe', hostScriptPath: 'C:\\h\r\n.mjs' })).toThrow(/quotes or line breaks/);
  });
});
