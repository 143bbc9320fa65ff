/**
 * Windows: Chromium-family browsers find a host's manifest through the default value of
 * HKCU\Software\<vendor>\NativeMessagingHosts\<host name>. We set, read and delete it with
 * reg.exe, always as an argv array (no shell), so a manifest path is never parsed by cmd.exe.
 */
import { spawnSync } from 'node:child_process';
import { win32 } from 'node:path';

export interface RegRun {
  status: number | null;
  stdout: string;
  stderr: string;
  /** Set when reg.exe could not be started at all. */
  error?: string;
}

export type RegRunner = (args: string[]) => RegRun;

/** reg.exe from System32 (not whatever `reg` comes first on PATH); `reg` where SystemRoot is unknown. */
export function regCommand(env: Record<string, string | undefined> = process.env): string {
  const root = env.SystemRoot ?? env.SYSTEMROOT;
  return root ? win32.join(root, 'System32', 'reg.exe') : 'reg';
}

export function spawnReg(command = regCommand()): RegRunner {
  return (args) => {
    const run = spawnSync(command, args, { encoding: 'utf8', windowsHide: true, timeout: 30_000 });
    return { status: run.status, stdout: run.stdout ?? '', stderr: run.stderr ?? '', ...(run.error ? { error: run.error.message } : {}) };
  };
}

function failure(action: string, key: string, run: RegRun): Error {
  return new Error(`reg ${action} ${key} failed: ${run.error ?? (run.stderr.trim() || `exit ${String(run.status)}`)}`);
}

/** Points the key's default value at the manifest file. */
export function registerManifest(key: string, manifestPath: string, run: RegRunner): void {
  const result = run(['add', key, '/ve', '/t', 'REG_SZ', '/d', manifestPath, '/f']);
  if (result.status !== 0) throw failure('add', key, result);
}

/** The manifest path the key names, or null when the key does not exist. */
export function queryManifest(key: string, run: RegRunner): string | null {
  const result = run(['query', key, '/ve']);
  if (result.error) throw failure('query', key, result);
  if (result.status !== 0) return null;
  return parseDefaultValue(result.stdout);
}

/** Deletes the key; true when it existed. */
export function unregisterManifest(key: string, run: RegRunner): boolean {
  if (queryManifest(key, run) === null) return false;
  const result = run(['delete', key, '/f']);
  if (result.status !== 0) throw failure('delete', key, result);
  return true;
}

/**
 * `reg query KEY /ve` prints the key, then `    (Default)    REG_SZ    C:\path`. The value's
 * name is localized ("(Standard)", "(Par défaut)"), so we read what follows the type.
 */
export function parseDefaultValue(stdout: string): string | null {
  const match = /^ {4}.*? {4}REG_(?:EXPAND_)?SZ {4}(.*?)\r?$/m.exec(stdout);
  return match ? match[1]! : null;
}
