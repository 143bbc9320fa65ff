/**
 * Windows install, doctor and uninstall, run on Linux: a stand-in `reg` program on PATH records
 * every argv it gets and serves `query` from what `add` stored, as reg.exe does with HKCU. The
 * manifest, the .bat launcher and the handshake are real (doctor starts the real host with the
 * node and program the .bat names).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostPaths } from '../../native-host/core/paths';
import { doctorTarget, install, resolveTargets, uninstall, type InstallTarget } from '../../native-host/install/install';
import { parseWindowsLauncher } from '../../native-host/install/launcher';
import { parseDefaultValue, regCommand, spawnReg } from '../../native-host/install/windows-registry';
import { HOST_BUNDLE } from '../support/host-process';

/** reg.exe's observable behaviour for add /ve, query /ve and delete /f on HKCU keys. */
const STAND_IN_REG = `#!/usr/bin/env node
const fs = require('node:fs');
const dir = process.env.HF_REG_DIR;
const args = process.argv.slice(2);
fs.appendFileSync(dir + '/argv.jsonl', JSON.stringify(args) + '\\n');
const statePath = dir + '/hkcu.json';
const state = fs.existsSync(statePath) ? JSON.parse(fs.readFileSync(statePath, 'utf8')) : {};
const [verb, key] = args;
const full = (key || '').replace(/^HKCU\\\\/, 'HKEY_CURRENT_USER\\\\');
const save = () => fs.writeFileSync(statePath, JSON.stringify(state));
const missing = () => { process.stderr.write('ERROR: The system was unable to find the specified registry key or value.\\r\\n'); process.exit(1); };
if (verb === 'add' && args[2] === '/ve' && args[3] === '/t' && args[4] === 'REG_SZ' && args[5] === '/d' && args[7] === '/f' && args.length === 8) {
  state[full] = args[6]; save(); process.stdout.write('The operation completed successfully.\\r\\n');
} else if (verb === 'query' && args[2] === '/ve' && args.length === 3) {
  if (!(full in state)) missing();
  process.stdout.write('\\r\\n' + full + '\\r\\n    (Default)    REG_SZ    ' + state[full] + '\\r\\n\\r\\n');
} else if (verb === 'delete' && args[2] === '/f' && args.length === 3) {
  if (!(full in state)) missing();
  delete state[full]; save(); process.stdout.write('The operation completed successfully.\\r\\n');
} else { process.stderr.write('ERROR: Invalid syntax.\\r\\n'); process.exit(1); }
`;

describe('Windows: registry keys through reg.exe, and the .bat launcher', () => {
  let root: string;
  let savedPath: string | undefined;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'hf-win-'));
    writeFileSync(join(root, 'reg'), STAND_IN_REG);
    chmodSync(join(root, 'reg'), 0o755);
    savedPath = process.env.PATH;
    process.env.PATH = `${root}:${process.env.PATH}`;
    process.env.HF_REG_DIR = root;
  });
  afterEach(() => {
    process.env.PATH = savedPath;
    delete process.env.HF_REG_DIR;
    rmSync(root, { recursive: true, force: true });
  });

  const argvLog = (): string[][] =>
    existsSync(join(root, 'argv.jsonl'))
      ? readFileSync(join(root, 'argv.jsonl'), 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as string[])
      : [];

  it('uses System32\\reg.exe when SystemRoot is known, and `reg` from PATH otherwise', () => {
    expect(regCommand({ SystemRoot: 'C:\\Windows' })).toBe('C:\\Windows\\System32\\reg.exe');
    expect(regCommand({})).toBe('reg');
  });

  it('reads the default value whatever its localized name', () => {
    expect(parseDefaultValue('\r\nHKEY_CURRENT_USER\\Software\\X\r\n    (Standard)    REG_SZ    C:\\Users\\Jürgen\\a b.json\r\n\r\n')).toBe('C:\\Users\\Jürgen\\a b.json');
    expect(parseDefaultValue('\r\nHKEY_CURRENT_USER\\Software\\X\r\n    (Valor predeterminado)    REG_SZ    C:\\x.json\r\n')).toBe('C:\\x.json');
    expect(parseDefaultValue('\r\nHKEY_CURRENT_USER\\Software\\X\r\n')).toBeNull();
  });

  it('install adds one key per browser, doctor queries it, uninstall of one browser deletes only its key', async () => {
    const reg = spawnReg(regCommand({}));
    const localAppData = join(root, 'Local App Data Jürgen');
    const paths = hostPaths('linux', root, { HYDRAFLOW_HOME: join(root, 'hydra home') });
    // Windows targets (registry key + manifest folder), with this machine's paths for the files.
    const keyOf = (browser: 'chrome' | 'edge') => resolveTargets({ browser, platform: 'win32', home: 'C:\\Users\\u', env: {} })[0]!.registryKey!;
    const targets: InstallTarget[] = (['chrome', 'edge'] as const).map((browser) => ({ label: browser, manifestDir: join(localAppData, 'HydraFlow', 'NativeMessagingHosts'), registryKey: keyOf(browser) }));
    expect(targets.map((t) => t.registryKey)).toEqual([
      'HKCU\\Software\\Google\\Chrome\\NativeMessagingHosts\\com.hydraflow.host',
      'HKCU\\Software\\Microsoft\\Edge\\NativeMessagingHosts\\com.hydraflow.host',
    ]);
    const manifestPath = join(localAppData, 'HydraFlow', 'NativeMessagingHosts', 'com.hydraflow.host.json');

    const report = install(targets, paths, { platform: 'win32', hostScript: HOST_BUNDLE, nodePath: process.execPath, hydraflowHome: join(root, 'hydra home'), reg });
    expect(argvLog()).toEqual([
      ['add', targets[0]!.registryKey, '/ve', '/t', 'REG_SZ', '/d', manifestPath, '/f'],
      ['add', targets[1]!.registryKey, '/ve', '/t', 'REG_SZ', '/d', manifestPath, '/f'],
    ]);
    expect(report.launcher).toBe(join(paths.binDir, 'hydraflow-host.bat'));
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { path: string };
    expect(manifest.path).toBe(report.launcher);
    expect(parseWindowsLauncher(readFileSync(report.launcher, 'utf8'))).toEqual({ nodePath: process.execPath, hostScriptPath: HOST_BUNDLE, hydraflowHome: join(root, 'hydra home') });

    const doctor = await doctorTarget(targets[1]!, { platform: 'win32', reg });
    expect(doctor.checks.map((c) => [c.name, c.ok])).toEqual([
      ['registry key', true],
      ['manifest present', true],
      ['manifest fields', true],
      ['allowed origin', true],
      ['launcher', true],
      ['node path', true],
      ['host program', true],
      ['handshake', true],
    ]);
    expect(argvLog().at(-1)).toEqual(['query', targets[1]!.registryKey, '/ve']);

    // Both browsers share one manifest file here: removing Chrome's key must keep Edge working.
    const before = argvLog().length;
    const removed = uninstall([targets[0]!], paths, { platform: 'win32', reg });
    expect(argvLog().slice(before)).toEqual([
      ['query', targets[0]!.registryKey, '/ve'],
      ['delete', targets[0]!.registryKey, '/f'],
    ]);
    expect(removed).toContain(targets[0]!.registryKey);
    const chromeDoctor = await doctorTarget(targets[0]!, { platform: 'win32', reg });
    expect(chromeDoctor.checks[0]).toMatchObject({ name: 'registry key', ok: false, detail: `${targets[0]!.registryKey} does not exist`, fix: 'Run: npx hydraflow-host install --browser chrome' });
    expect(existsSync(report.launcher)).toBe(true);
    expect((await doctorTarget(targets[1]!, { platform: 'win32', reg })).healthy).toBe(true);

    const last = uninstall([targets[1]!], paths, { platform: 'win32', reg });
    expect(last).toEqual([targets[1]!.registryKey, manifestPath, report.launcher]);
    expect(JSON.parse(readFileSync(join(root, 'hkcu.json'), 'utf8'))).toEqual({});
  });
});
