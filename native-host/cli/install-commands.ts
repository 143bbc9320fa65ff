/** `install`, `uninstall`, `doctor`: the CLI over native-host/install. */
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { err } from '../../shared/errors';
import { BROWSER_KINDS, type BrowserKind } from '../../shared/schemas/statuses';
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

export const installCommand: CliCommand = async (args, io) => {
  const parsed = parseTargets(args, io);
  if (!parsed) return EXIT.usage;
  if (parsed.targets.length === 0) {
    printError(io, err('USAGE', `No Chromium-family browser found. Name one with --browser ${BROWSER_KINDS.join('|')} or use --user-data-dir DIR.`).error);
    return EXIT.failed;
  }
  const platform = currentPlatform();
  const report = install(parsed.targets, currentPaths(), platform, hostScriptPath());
  if (parsed.json) io.out(JSON.stringify({ ok: true, ...report }));
  else {
    io.out(`Launcher: ${report.launcher}`);
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
  const healthy = reports.every((r) => r.healthy);
  if (parsed.json) io.out(JSON.stringify({ ok: healthy, targets: reports }));
  else {
    for (const report of reports) {
      io.out(`${report.healthy ? 'OK     ' : 'PROBLEM'} ${report.label} (${report.manifestPath})`);
      for (const check of report.checks) {
        io.out(`  ${check.ok ? '✓' : '✗'} ${check.name}: ${check.detail}`);
        if (!check.ok && check.fix) io.out(`    fix: ${check.fix}`);
      }
    }
    io.out(healthy ? 'healthy' : 'not healthy');
  }
  return healthy ? EXIT.ok : EXIT.failed;
};
