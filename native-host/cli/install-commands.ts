/** `install`, `uninstall`, `doctor`: the CLI over native-host/install. */
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { err } from '../../shared/errors';
import { isExtensionId } from '../../shared/extension-id';
import { HOST_PACKAGE_NAME } from '../../shared/host-install';
import { BROWSER_KINDS, type BrowserKind } from '../../shared/schemas/statuses';
import { sqliteProblem } from '../history/sqlite';
import { currentPaths, currentPlatform } from '../host-env';
import { doctorTarget, install, recordedTargets, resolveTargets, uninstall, type DoctorTargetReport, type InstallTarget } from '../install/install';
import { EXIT, printError, type CliCommand, type CliIo } from './io';

const targetOptions = {
  browser: { type: 'string' },
  'user-data-dir': { type: 'string' },
  'extension-id': { type: 'string', multiple: true },
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
  const extensionIds = values['extension-id'] ?? [];
  const badId = extensionIds.find((id) => !isExtensionId(id));
  if (badId !== undefined) {
    printError(io, err('USAGE', `--extension-id "${badId}" is not an extension ID (32 letters a–p, as chrome://extensions shows it)`).error);
    return null;
  }
  const platform = currentPlatform();
  if (platform === 'win32' && values['user-data-dir'] !== undefined) {
    printError(io, err('USAGE', 'On Windows, browsers find the host through the registry whatever their --user-data-dir: run hydraflow-host install (or --browser chrome|chromium|edge|brave|vivaldi) instead.').error);
    return null;
  }
  /** A browser or profile named: uninstall touches only that one. */
  const named = (browser !== undefined && browser !== 'all') || values['user-data-dir'] !== undefined;
  const targets = resolveTargets({
    browser: browser as BrowserKind | 'all' | undefined,
    ...(values['user-data-dir'] ? { userDataDir: values['user-data-dir'] } : {}),
    platform,
  });
  return { targets, named, platform, extensionIds, json: values.json };
}

/** The running host program: this bundle's own file (dist/host/hydraflow-host.mjs, or the package's). */
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
  let report;
  try {
    report = install(parsed.targets, currentPaths(), { platform: parsed.platform, hostScript: hostScriptPath(), extensionIds: parsed.extensionIds });
  } catch (error) {
    printError(io, err('IO_ERROR', `Install failed: ${(error as Error).message}`).error);
    return EXIT.failed;
  }
  const historyReader = sqliteProblem();
  const notes = [
    ...(historyReader ? [historyReader] : []),
    ...(/[\\/]_npx[\\/]/.test(report.hostScript)
      ? [`The host runs from npx's cache (${report.hostScript}). If that cache is cleared, run the same command again; for a lasting install: npm install -g ${HOST_PACKAGE_NAME} && ${HOST_PACKAGE_NAME} install`]
      : []),
  ];
  if (parsed.json) io.out(JSON.stringify({ ok: true, ...report, notes }));
  else {
    io.out(`HydraFlow host ${report.version}`);
    io.out(`Launcher: ${report.launcher} (node ${report.nodePath})`);
    for (const item of report.installed) io.out(`Installed for ${item.label}: ${item.manifestPath}${item.registryKey ? ` (registry ${item.registryKey})` : ''}`);
    io.out(`Allowed extension IDs: ${report.extensionIds.join(', ')}`);
    for (const note of notes) io.err(`Note: ${note}`);
    io.out('Restart the browser if it was open, then check with: hydraflow-host doctor');
  }
  return EXIT.ok;
};

export const uninstallCommand: CliCommand = async (args, io) => {
  const parsed = parseTargets(args, io);
  if (!parsed) return EXIT.usage;
  const paths = currentPaths();
  // With no browser named, every manifest this host installed goes too.
  const targets: InstallTarget[] = parsed.named ? parsed.targets : [...parsed.targets, ...recordedTargets(paths)];
  const knownTargets = resolveTargets({ browser: 'all', platform: parsed.platform, runningUserDataDirs: () => [] });
  let removed: string[];
  try {
    removed = uninstall(targets, paths, { platform: parsed.platform, knownTargets });
  } catch (error) {
    printError(io, err('IO_ERROR', `Uninstall failed: ${(error as Error).message}`).error);
    return EXIT.failed;
  }
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
  for (const target of parsed.targets) reports.push(await doctorTarget(target, { platform: parsed.platform }));
  const historyReader = sqliteProblem();
  const healthy = reports.every((r) => r.healthy);
  if (parsed.json) io.out(JSON.stringify({ ok: healthy, targets: reports, ...(historyReader ? { warnings: [historyReader] } : {}) }));
  else {
    for (const report of reports) {
      io.out(`${report.healthy ? 'OK     ' : 'PROBLEM'} ${report.label} (${report.manifestPath})`);
      for (const check of report.checks) {
        io.out(`  ${check.ok ? '✓' : '✗'} ${check.name}: ${check.detail}`);
        if (!check.ok && check.fix) io.out(`    fix: ${check.fix}`);
      }
    }
    if (historyReader) io.out(`  ! history reader: ${historyReader}`);
    io.out(healthy ? 'healthy' : 'not healthy');
  }
  return healthy ? EXIT.ok : EXIT.failed;
};
