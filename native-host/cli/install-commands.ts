/** `install`, `uninstall`, `doctor`: the CLI over native-host/install. */
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { err } from '../../shared/errors';
import { BROWSER_KINDS, type BrowserKind } from '../../shared/schemas/statuses';
import type { HostPaths } from '../core/paths';
import { formatMode, looseModes, repairModes } from '../core/private-files';
import { currentPaths, currentPlatform } from '../host-env';
import { doctorTarget, install, resolveTargets, uninstall, type DoctorTargetReport } from '../install/install';
import { EXIT, printError, type CliCommand, type CliIo } from './io';

const targetOptions = {
  browser: { type: 'string' },
  'user-data-dir': { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

function parseTargets(args: string[], io: CliIo) {
  let values;
  try {
    values = parseArgs({ args, options: targetOptions, allowPositionals: false }).values;
  } catch (error) {
    printError(io, err('USAGE', (error as Error).message).error);
    return null;
  }
  const browser = values.browser;
  if (browser !== undefined && browser !== 'all' && !(BROWSER_KINDS as readonly string[]).includes(browser)) {
    printError(io, err('USAGE', `--browser must be one of ${[...BROWSER_KINDS, 'all'].join(', ')}`).error);
    return null;
  }
  const targets = resolveTargets({
    browser: browser as BrowserKind | 'all' | undefined,
    ...(values['user-data-dir'] ? { userDataDir: values['user-data-dir'] } : {}),
    platform: currentPlatform(),
  });
  return { targets, json: values.json };
}

/** The running host program: this bundle's own file (dist/host/hydraflow-host.mjs). */
function hostScriptPath(): string {
  return fileURLToPath(import.meta.url);
}

/** What the host keeps: its config folder and its data folder (launcher, logs, bundles, ledgers). */
function privateRoots(paths: HostPaths): string[] {
  return [paths.configDir, paths.dataDir];
}

export const installCommand: CliCommand = async (args, io) => {
  const parsed = parseTargets(args, io);
  if (!parsed) return EXIT.usage;
  if (parsed.targets.length === 0) {
    printError(io, err('USAGE', `No Chromium-family browser found. Name one with --browser ${BROWSER_KINDS.join('|')} or use --user-data-dir DIR.`).error);
    return EXIT.failed;
  }
  const platform = currentPlatform();
  const paths = currentPaths();
  const report = install(parsed.targets, paths, platform, hostScriptPath());
  // Folders and files an older version made with the umask's modes become private (0700/0600).
  const repaired = repairModes(privateRoots(paths)).map((item) => ({ path: item.path, from: formatMode(item.mode), to: formatMode(item.expected) }));
  if (parsed.json) io.out(JSON.stringify({ ok: true, ...report, repairedModes: repaired }));
  else {
    io.out(`Launcher: ${report.launcher}`);
    for (const item of repaired) io.out(`Made private: ${item.path} (${item.from} → ${item.to})`);
    for (const item of report.installed) {
      io.out(`Installed for ${item.label}: ${item.manifestPath}`);
      if (item.registryKey) io.out(`  then run: reg add "${item.registryKey}" /ve /t REG_SZ /d "${item.manifestPath}" /f`);
    }
  }
  return EXIT.ok;
};

export const uninstallCommand: CliCommand = async (args, io) => {
  const parsed = parseTargets(args, io);
  if (!parsed) return EXIT.usage;
  const removed = uninstall(parsed.targets, currentPaths(), currentPlatform(), !args.includes('--user-data-dir'));
  io.out(parsed.json ? JSON.stringify({ ok: true, removed }) : removed.length ? removed.map((p) => `Removed ${p}`).join('\n') : 'Nothing to remove.');
  return EXIT.ok;
};

export const doctorCommand: CliCommand = async (args, io) => {
  const parsed = parseTargets(args, io);
  if (!parsed) return EXIT.usage;
  if (parsed.targets.length === 0) {
    printError(io, err('USAGE', 'No Chromium-family browser found to check. Use --browser or --user-data-dir.').error);
    return EXIT.failed;
  }
  const reports: DoctorTargetReport[] = [];
  for (const target of parsed.targets) reports.push(await doctorTarget(target));
  const loose = looseModes(privateRoots(currentPaths())).map((item) => ({ path: item.path, mode: formatMode(item.mode), expected: formatMode(item.expected) }));
  const modes = loose.length === 0 ? { ok: true, loose } : { ok: false, loose, fix: 'Run: npx hydraflow-host install (it makes them private)' };
  const healthy = reports.every((r) => r.healthy) && modes.ok;
  if (parsed.json) io.out(JSON.stringify({ ok: healthy, targets: reports, modes }));
  else {
    for (const report of reports) {
      io.out(`${report.healthy ? 'OK     ' : 'PROBLEM'} ${report.label} (${report.manifestPath})`);
      for (const check of report.checks) {
        io.out(`  ${check.ok ? '✓' : '✗'} ${check.name}: ${check.detail}`);
        if (!check.ok && check.fix) io.out(`    fix: ${check.fix}`);
      }
    }
    if (modes.ok) io.out('  ✓ file modes: every folder of the host is 0700 and every file 0600');
    else {
      io.out(`  ✗ file modes: ${loose.length} looser than private: ${loose.slice(0, 10).map((item) => `${item.path} ${item.mode} (want ${item.expected})`).join(', ')}`);
      io.out(`    fix: ${modes.fix}`);
    }
    io.out(healthy ? 'healthy' : 'not healthy');
  }
  return healthy ? EXIT.ok : EXIT.failed;
};
