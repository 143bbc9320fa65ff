/**
 * `install`, `uninstall` and `doctor`: put the host manifest where each browser looks for it
 * (and, on Windows, the registry key that names it), take it away, and check that everything a
 * browser needs to start the host is in place. Install never touches the host's config or data
 * (config.json, ledger, bundles, folders): installing a newer host over an older one keeps them.
 */
import { spawn } from 'node:child_process';
import { accessSync, chmodSync, constants, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, win32 } from 'node:path';
import { DEFAULT_EXTENSION_IDS, EXTENSION_ORIGIN, NATIVE_HOST_NAME } from '../../shared/extension-id';
import { hostInstallCommand, hostUpdateCommand } from '../../shared/host-install';
import { BROWSER_KINDS, type BrowserKind } from '../../shared/schemas/statuses';
import { APP_VERSION, PROTOCOL_VERSION, isCompatibleProtocol } from '../../shared/version';
import { browserLocation, userDataDirNativeHostsDir } from '../core/browser-locations';
import { encodeFrame, FrameDecoder } from '../core/frame-decoder';
import type { HostPaths, Platform } from '../core/paths';
import { buildPosixLauncher, buildWindowsLauncher, parsePosixLauncher, parseWindowsLauncher, type LauncherSpec } from './launcher';
import { allowedExtensionIds, buildHostManifest, MANIFEST_FILE_NAME } from './manifest';
import { runningBrowserUserDataDirs } from './running-browsers';
import { queryManifest, registerManifest, spawnReg, unregisterManifest, type RegRunner } from './windows-registry';

export interface InstallTarget {
  /** 'chrome', 'edge', … or 'user-data-dir' for a browser started with --user-data-dir. */
  label: BrowserKind | 'user-data-dir';
  manifestDir: string;
  registryKey?: string;
}

export interface TargetOptions {
  browser?: BrowserKind | 'all';
  userDataDir?: string;
  platform: Platform;
  home?: string;
  env?: Record<string, string | undefined>;
  /** The custom profiles of browsers running now (only used when no browser is named). */
  runningUserDataDirs?: () => string[];
}

function userDataDirTarget(userDataDir: string, platform: Platform): InstallTarget {
  return { label: 'user-data-dir', manifestDir: userDataDirNativeHostsDir(userDataDir, platform) };
}

/**
 * Which manifest folders to use: the --user-data-dir one; one browser; or, with neither, every
 * browser whose user-data dir exists plus the custom profile of every browser running now.
 */
export function resolveTargets({ browser, userDataDir, platform, home = homedir(), env = process.env, runningUserDataDirs = () => runningBrowserUserDataDirs(platform) }: TargetOptions): InstallTarget[] {
  if (userDataDir) return [userDataDirTarget(userDataDir, platform)];
  const named = browser !== undefined && browser !== 'all';
  const kinds: readonly BrowserKind[] = named ? [browser] : BROWSER_KINDS;
  const targets: InstallTarget[] = kinds
    .map((kind) => ({ kind, location: browserLocation(kind, platform, home, env, NATIVE_HOST_NAME) }))
    .filter(({ location }) => named || existsSync(location.userDataDir))
    .map(({ kind, location }) => ({
      label: kind,
      manifestDir: location.nativeHostsDir,
      ...(location.registryKey ? { registryKey: location.registryKey } : {}),
    }));
  // Windows browsers find hosts through the registry only, whatever their --user-data-dir.
  if (named || platform === 'win32') return targets;
  for (const dir of runningUserDataDirs()) {
    const target = userDataDirTarget(dir, platform);
    if (!targets.some((t) => t.manifestDir === target.manifestDir)) targets.push(target);
  }
  return targets;
}

export interface InstallReport {
  launcher: string;
  hostScript: string;
  nodePath: string;
  version: string;
  extensionIds: string[];
  installed: { label: string; manifestPath: string; registryKey?: string }[];
}

export interface InstallOptions {
  platform: Platform;
  /** The host program the launcher runs. */
  hostScript: string;
  nodePath?: string;
  /** Extension IDs to allow besides the defaults (e.g. a store ID not yet in STORE_EXTENSION_IDS). */
  extensionIds?: readonly string[];
  hydraflowHome?: string;
  /** Runs reg.exe (Windows). */
  reg?: RegRunner;
}

export function launcherPath(paths: HostPaths, platform: Platform): string {
  return join(paths.binDir, platform === 'win32' ? 'hydraflow-host.bat' : 'hydraflow-host');
}

/** Where install records the manifests it wrote, so uninstall knows which still use the launcher. */
function registrationsPath(paths: HostPaths): string {
  return join(paths.binDir, 'installed.json');
}

type Registration = InstallReport['installed'][number];

function readRegistrations(paths: HostPaths): Registration[] {
  try {
    const parsed = JSON.parse(readFileSync(registrationsPath(paths), 'utf8')) as { installed?: unknown };
    return Array.isArray(parsed.installed)
      ? parsed.installed.filter((item): item is Registration => typeof item?.manifestPath === 'string' && typeof item?.label === 'string')
      : [];
  } catch {
    return [];
  }
}

function writeFileAtomic(path: string, text: string, mode?: number): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.tmp-${process.pid}`;
  writeFileSync(temp, text, mode === undefined ? undefined : { mode });
  if (mode !== undefined) chmodSync(temp, mode);
  renameSync(temp, path);
}

function readManifest(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}

export function buildLauncher(platform: Platform, spec: LauncherSpec): string {
  return platform === 'win32' ? buildWindowsLauncher(spec) : buildPosixLauncher(spec);
}

export function parseLauncher(platform: Platform, text: string): LauncherSpec | null {
  return platform === 'win32' ? parseWindowsLauncher(text) : parsePosixLauncher(text);
}

export function install(targets: InstallTarget[], paths: HostPaths, options: InstallOptions): InstallReport {
  const { platform, hostScript, nodePath = process.execPath, hydraflowHome = process.env.HYDRAFLOW_HOME } = options;
  const launcher = launcherPath(paths, platform);
  writeFileAtomic(launcher, buildLauncher(platform, { nodePath, hostScriptPath: hostScript, version: APP_VERSION, ...(hydraflowHome ? { hydraflowHome } : {}) }), 0o755);
  const reg = options.reg ?? spawnReg();
  const installed = targets.map((target) => {
    const manifestPath = join(target.manifestDir, MANIFEST_FILE_NAME);
    // IDs an earlier install allowed (`--extension-id`) stay allowed.
    const ids = [...DEFAULT_EXTENSION_IDS, ...allowedExtensionIds(readManifest(manifestPath)), ...(options.extensionIds ?? [])];
    writeFileAtomic(manifestPath, `${JSON.stringify(buildHostManifest(launcher, ids), null, 2)}\n`);
    if (target.registryKey) registerManifest(target.registryKey, manifestPath, reg);
    return { label: target.label, manifestPath, ...(target.registryKey ? { registryKey: target.registryKey } : {}) };
  });
  const kept = readRegistrations(paths).filter((item) => !installed.some((i) => i.manifestPath === item.manifestPath && i.registryKey === item.registryKey));
  writeFileAtomic(registrationsPath(paths), `${JSON.stringify({ installed: [...kept, ...installed] }, null, 2)}\n`);
  const extensionIds = [...new Set([...DEFAULT_EXTENSION_IDS, ...(options.extensionIds ?? [])])];
  return { launcher, hostScript, nodePath, version: APP_VERSION, extensionIds, installed };
}

/** The targets an earlier install recorded (uninstall with no --browser removes them all). */
export function recordedTargets(paths: HostPaths): InstallTarget[] {
  return readRegistrations(paths).map((item) => ({
    label: (item.label === 'user-data-dir' || (BROWSER_KINDS as readonly string[]).includes(item.label) ? item.label : 'user-data-dir') as InstallTarget['label'],
    manifestDir: dirname(item.manifestPath),
    ...(item.registryKey ? { registryKey: item.registryKey } : {}),
  }));
}

export interface UninstallOptions {
  platform: Platform;
  reg?: RegRunner;
  /** Default browser locations that may hold a manifest naming the launcher (besides the recorded ones). */
  knownTargets?: InstallTarget[];
}

/**
 * Removes the targets' manifests (and registry keys). The launcher goes only when no manifest
 * still names it: uninstalling one browser leaves the others working.
 */
export function uninstall(targets: InstallTarget[], paths: HostPaths, options: UninstallOptions): string[] {
  const { platform } = options;
  const reg = options.reg ?? spawnReg();
  const launcher = launcherPath(paths, platform);
  const removed: string[] = [];
  const manifestOf = (target: InstallTarget) => join(target.manifestDir, MANIFEST_FILE_NAME);
  const isTarget = (item: Registration) => targets.some((t) => manifestOf(t) === item.manifestPath && (t.registryKey ?? null) === (item.registryKey ?? null));
  const remaining = readRegistrations(paths).filter((item) => !isTarget(item));
  const removedPaths = new Set<string>();
  for (const target of targets) {
    if (target.registryKey && unregisterManifest(target.registryKey, reg)) removed.push(target.registryKey);
    const manifestPath = manifestOf(target);
    // On Windows every browser's key names one manifest file: it stays while another key uses it.
    if (remaining.some((item) => item.manifestPath === manifestPath)) continue;
    removedPaths.add(manifestPath);
    if (existsSync(manifestPath)) {
      rmSync(manifestPath);
      removed.push(manifestPath);
    }
  }
  const candidates = [...remaining.map((item) => item.manifestPath), ...(options.knownTargets ?? []).map((t) => join(t.manifestDir, MANIFEST_FILE_NAME))];
  const stillUsed = candidates.some((path) => !removedPaths.has(path) && (readManifest(path) as { path?: unknown } | null)?.path === launcher);
  if (stillUsed) {
    writeFileAtomic(registrationsPath(paths), `${JSON.stringify({ installed: remaining }, null, 2)}\n`);
    return removed;
  }
  for (const path of [launcher, registrationsPath(paths)]) {
    if (existsSync(path)) {
      rmSync(path);
      if (path === launcher) removed.push(path);
    }
  }
  return removed;
}

export interface DoctorCheck {
  name: string;
  ok: boolean;
  detail: string;
  /** What to do about it, when not ok. */
  fix?: string;
}

export interface DoctorTargetReport {
  label: string;
  manifestPath: string;
  healthy: boolean;
  checks: DoctorCheck[];
}

export interface DoctorOptions {
  platform: Platform;
  reg?: RegRunner;
  handshakeTimeoutMs?: number;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The install command that fixes this target. */
function reinstallFor(target: InstallTarget): string {
  return `Run: ${hostInstallCommand(target.label === 'user-data-dir' ? { userDataDir: dirname(target.manifestDir) } : { browser: target.label })}`;
}

export async function doctorTarget(target: InstallTarget, options: DoctorOptions): Promise<DoctorTargetReport> {
  const { platform } = options;
  const manifestPath = join(target.manifestDir, MANIFEST_FILE_NAME);
  const checks: DoctorCheck[] = [];
  const report = (): DoctorTargetReport => ({ label: target.label, manifestPath, healthy: checks.every((c) => c.ok), checks });
  const fix = reinstallFor(target);

  if (target.registryKey) {
    let named: string | null;
    try {
      named = queryManifest(target.registryKey, options.reg ?? spawnReg());
    } catch (error) {
      checks.push({ name: 'registry key', ok: false, detail: (error as Error).message, fix });
      return report();
    }
    if (named === null) {
      checks.push({ name: 'registry key', ok: false, detail: `${target.registryKey} does not exist`, fix });
      return report();
    }
    if (named.toLowerCase() !== manifestPath.toLowerCase()) {
      checks.push({ name: 'registry key', ok: false, detail: `${target.registryKey} names ${named}, not ${manifestPath}`, fix });
      return report();
    }
    checks.push({ name: 'registry key', ok: true, detail: `${target.registryKey} → ${named}` });
  }
  if (!existsSync(manifestPath)) {
    checks.push({ name: 'manifest present', ok: false, detail: `${manifestPath} does not exist`, fix });
    return report();
  }
  const manifest = readManifest(manifestPath) as { name?: unknown; type?: unknown; path?: unknown; allowed_origins?: unknown } | null;
  if (!manifest || typeof manifest !== 'object') {
    checks.push({ name: 'manifest present', ok: false, detail: `${manifestPath} is not valid JSON`, fix });
    return report();
  }
  checks.push({ name: 'manifest present', ok: true, detail: manifestPath });
  checks.push(
    manifest.name === NATIVE_HOST_NAME && manifest.type === 'stdio'
      ? { name: 'manifest fields', ok: true, detail: `${manifest.name}, stdio` }
      : { name: 'manifest fields', ok: false, detail: `name/type are ${String(manifest.name)}/${String(manifest.type)}`, fix },
  );
  const allowed = allowedExtensionIds(manifest);
  const missing = DEFAULT_EXTENSION_IDS.filter((id) => !allowed.includes(id));
  checks.push(
    missing.length === 0
      ? { name: 'allowed origin', ok: true, detail: `extension ${allowed.join(', ')}` }
      : { name: 'allowed origin', ok: false, detail: `allowed_origins does not list ${missing.map((id) => `chrome-extension://${id}/`).join(', ')}`, fix },
  );
  const launcher = typeof manifest.path === 'string' ? manifest.path : '';
  if (!(platform === 'win32' ? win32.isAbsolute(launcher) || isAbsolute(launcher) : isAbsolute(launcher))) {
    checks.push({ name: 'launcher', ok: false, detail: `path "${launcher}" is not absolute`, fix });
    return report();
  }
  if (!existsSync(launcher)) {
    checks.push({ name: 'launcher', ok: false, detail: `launcher ${launcher} is missing`, fix });
    return report();
  }
  if (platform !== 'win32' && !isExecutable(launcher)) {
    checks.push({ name: 'launcher', ok: false, detail: `launcher ${launcher} is not executable`, fix: `chmod +x '${launcher}'` });
    return report();
  }
  checks.push({ name: 'launcher', ok: true, detail: launcher });
  const parsed = parseLauncher(platform, readFileSync(launcher, 'utf8'));
  if (!parsed) {
    checks.push({ name: 'node path', ok: false, detail: 'launcher was not written by hydraflow-host install', fix });
    return report();
  }
  if (!existsSync(parsed.nodePath) || (platform !== 'win32' && !isExecutable(parsed.nodePath))) {
    checks.push({ name: 'node path', ok: false, detail: `node ${parsed.nodePath} is missing or not executable`, fix: `Install Node.js 20.19 or later, then ${fix.replace(/^Run: /, 'run: ')} (it records the node it runs with)` });
    return report();
  }
  checks.push({ name: 'node path', ok: true, detail: parsed.nodePath });
  if (!existsSync(parsed.hostScriptPath)) {
    checks.push({ name: 'host program', ok: false, detail: `${parsed.hostScriptPath} is missing (the host package was removed or moved)`, fix });
    return report();
  }
  checks.push({ name: 'host program', ok: true, detail: parsed.hostScriptPath });
  // Windows runs a .bat only through cmd.exe; doctor starts the same node and program directly.
  const env: Record<string, string> = platform === 'win32' && parsed.hydraflowHome ? { HYDRAFLOW_HOME: parsed.hydraflowHome } : {};
  const command = platform === 'win32' ? { file: parsed.nodePath, args: [parsed.hostScriptPath], env } : { file: launcher, args: [], env };
  checks.push(await handshake(command, options.handshakeTimeoutMs ?? 5000, fix));
  return report();
}

/** Starts the host the way a browser does and completes a `hello` round trip. */
export function handshake(command: { file: string; args: string[]; env: Record<string, string> }, timeoutMs: number, fix: string): Promise<DoctorCheck> {
  return new Promise((resolve) => {
    const child = spawn(command.file, [...command.args, EXTENSION_ORIGIN], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...command.env }, windowsHide: true });
    const decoder = new FrameDecoder();
    let stderr = '';
    let settled = false;
    const finish = (check: DoctorCheck) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      resolve(check);
    };
    const timer = setTimeout(() => finish({ name: 'handshake', ok: false, detail: `no reply within ${timeoutMs} ms. stderr: ${stderr.slice(-500)}`, fix }), timeoutMs);
    child.on('error', (error) => finish({ name: 'handshake', ok: false, detail: `could not start the launcher: ${error.message}`, fix }));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      for (const frame of decoder.push(chunk)) {
        if (frame.kind === 'error') return finish({ name: 'handshake', ok: false, detail: `host wrote bytes that are not a frame: ${frame.message}`, fix });
        const reply = frame.value as { ok?: boolean; result?: { hostVersion?: string; protocolVersion?: number }; error?: { message?: string } };
        if (!reply.ok || !reply.result) return finish({ name: 'handshake', ok: false, detail: `hello failed: ${reply.error?.message ?? 'no result'}`, fix });
        const { hostVersion, protocolVersion } = reply.result;
        if (typeof protocolVersion !== 'number' || !isCompatibleProtocol(protocolVersion)) {
          return finish({
            name: 'handshake',
            ok: false,
            detail: `the installed host ${String(hostVersion)} speaks protocol ${String(protocolVersion)}; this hydraflow-host ${APP_VERSION} speaks ${PROTOCOL_VERSION}`,
            fix: `Run: ${hostUpdateCommand(APP_VERSION)}`,
          });
        }
        return finish({ name: 'handshake', ok: true, detail: `hello answered by host ${String(hostVersion)} (protocol ${protocolVersion})` });
      }
    });
    child.stdout.on('end', () => finish({ name: 'handshake', ok: false, detail: `host exited without answering. stderr: ${stderr.slice(-500)}`, fix }));
    child.stdin.on('error', () => undefined);
    child.stdin.write(encodeFrame({ id: 'doctor', method: 'hello', params: { protocolVersion: PROTOCOL_VERSION, client: 'doctor', clientVersion: APP_VERSION } }));
  });
}
