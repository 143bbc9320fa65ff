/**
 * The custom profiles of Chromium-family browsers running now. A browser started with
 * `--user-data-dir=DIR` reads host manifests from DIR/NativeMessagingHosts only, so a plain
 * `hydraflow-host install` also installs there: the command the extension shows then fixes the
 * browser the person is looking at. Linux reads /proc (exact argv); macOS reads `ps` output.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Platform } from '../core/paths';

/** Executable names of Chromium-family browsers (Linux and macOS). */
const BROWSER_EXECUTABLE = /^(chrome|chromium|chromium-browser|google-chrome[\w-]*|microsoft-edge[\w-]*|msedge|brave|brave-browser[\w-]*|vivaldi[\w-]*|Google Chrome|Chromium|Microsoft Edge|Brave Browser|Vivaldi)$/;

/** The `--user-data-dir` of each browser main process among these argv lists (helpers skipped). */
export function userDataDirsFromArgvs(argvs: readonly (readonly string[])[]): string[] {
  const found = new Set<string>();
  for (const argv of argvs) {
    if (!argv[0] || !BROWSER_EXECUTABLE.test(basename(argv[0]))) continue;
    if (argv.some((arg) => arg.startsWith('--type='))) continue;
    for (const arg of argv) if (arg.startsWith('--user-data-dir=') && arg.length > '--user-data-dir='.length) found.add(arg.slice('--user-data-dir='.length));
  }
  return [...found];
}

/**
 * `ps -axww -o command=` joins argv with spaces, so a path with spaces cannot be told from the
 * next argument: an argument here ends where the next ` --` begins.
 */
export function argvFromPsLine(line: string): string[] {
  const app = /^(.*?\.app\/Contents\/MacOS\/[^/]+?)(?= --|$)/.exec(line);
  const executable = app ? app[1]! : line.split(' ')[0]!;
  const rest = line.slice(executable.length);
  return [executable, ...rest.split(/ (?=--)/).map((part) => part.trim()).filter(Boolean)];
}

function linuxArgvs(): string[][] {
  const argvs: string[][] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      argvs.push(readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean));
    } catch {
      // the process ended, or is not ours to read
    }
  }
  return argvs;
}

function macArgvs(): string[][] {
  const run = spawnSync('/bin/ps', ['-axww', '-o', 'command='], { encoding: 'utf8', timeout: 10_000 });
  return run.status === 0 ? run.stdout.split('\n').filter(Boolean).map(argvFromPsLine) : [];
}

export function runningBrowserUserDataDirs(platform: Platform): string[] {
  try {
    if (platform === 'linux') return userDataDirsFromArgvs(linuxArgvs());
    if (platform === 'darwin') return userDataDirsFromArgvs(macArgvs());
  } catch {
    // no /proc or no ps: nothing found, the default locations still apply
  }
  return [];
}
