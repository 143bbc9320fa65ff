/**
 * `install`, `uninstall` and `doctor`: put the host manifest where each browser looks for it,
 * take it away, and check that everything a browser needs to start the host is in place.
 */
import { spawn } from 'node:child_process';
import { accessSync, chmodSync, constants, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { EXTENSION_ORIGIN, NATIVE_HOST_NAME } from '../../shared/extension-id';
import { BROWSER_KINDS, type BrowserKind } from '../../shared/schemas/statuses';
import { PROTOCOL_VERSION, isCompatibleProtocol } from '../../shared/version';
import { browserLocation, userDataDirNativeHostsDir } from '../core/browser-locations';
import { encodeFrame, FrameDecoder } from '../core/frame-decoder';
import type { HostPaths, Platform } from '../core/paths';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../core/private-files';
import { buildHostManifest, buildLauncherScript, MANIFEST_FILE_NAME, parseLauncherScript, type HostManifest } from './manifest';

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
}

/** Which manifest folders to write: the --user-data-dir one, one browser, or every browser found. */
export function resolveTargets({ browser, userDataDir, platform, home = homedir(), env = process.env }: TargetOptions): InstallTarget[] {
  if (userDataDir) return [{ label: 'user-data-dir', manifestDir: userDataDirNativeHostsDir(userDataDir, platform) }];
  const kinds: readonly BrowserKind[] = browser && browser !== 'all' ? [browser] : BROWSER_KINDS;
  return kinds
    .map((kind) => ({ kind, location: browserLocation(kind, platform, home, env, NATIVE_HOST_NAME) }))
    .filter(({ location }) => (browser && browser !== 'all') || existsSync(location.userDataDir))
    .map(({ kind, location }) => ({
      label: kind,
      manifestDir: location.nativeHostsDir,
      ...(location.registryKey ? { registryKey: location.registryKey } : {}),
    }));
}

export interface InstallReport {
  launcher: string;
  hostScript: string;
  nodePath: string;
  installed: { label: string; manifestPath: string; registryKey?: string }[];
}

export function launcherPath(paths: HostPaths, platform: Platform): string {
  return join(paths.binDir, platform === 'win32' ? 'hydraflow-host.bat' : 'hydraflow-host');
}

function writeFileAtomic(path: string, text: string, mode?: number): void {
  mkdirSync(dirname(path), { recursive: true, mode: PRIVATE_DIR_MODE });
  const temp = `${path}.tmp-${process.pid}`;
  writeFileSync(temp, text, mode === undefined ? undefined : { mode });
  if (mode !== undefined) chmodSync(temp, mode);
  renameSync(temp, path);
}

export function install(targets: InstallTarget[], paths: HostPaths, platform: Platform, hostScript: string, nodePath = process.execPath): InstallReport {
  const launcher = launcherPath(paths, platform);
  const script =
    platform === 'win32'
      ? `@echo off\r\n${process.env.HYDRAFLOW_HOME ? `set "HYDRAFLOW_HOME=${process.env.HYDRAFLOW_HOME}"\r\n` : ''}"${nodePath}" "${hostScript}" %*\r\n`
      : buildLauncherScript(nodePath, hostScript, process.env.HYDRAFLOW_HOME);
  // Private like everything the host keeps: only this user runs it (the browser runs as this user).
  writeFileAtomic(launcher, script, 0o700);
  const manifest = buildHostManifest(launcher);
  const installed = targets.map((target) => {
    const manifestPath = join(target.manifestDir, MANIFEST_FILE_NAME);
    writeFileAtomic(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`, PRIVATE_FILE_MODE);
    return { label: target.label, manifestPath, ...(target.registryKey ? { registryKey: target.registryKey } : {}) };
  });
  return { launcher, hostScript, nodePath, installed };
}

export function uninstall(targets: InstallTarget[], paths: HostPaths, platform: Platform, removeLauncher: boolean): string[] {
  const removed: string[] = [];
  for (const target of targets) {
    const manifestPath = join(target.manifestDir, MANIFEST_FILE_NAME);
    if (existsSync(manifestPath)) {
      rmSync(manifestPath);
      removed.push(manifestPath);
    }
  }
  const launcher = launcherPath(paths, platform);
  if (removeLauncher && existsSync(launcher)) {
    rmSync(launcher);
    removed.push(launcher);
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

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

const REINSTALL = 'Run: npx hydraflow-host install';

export async function doctorTarget(target: InstallTarget, handshakeTimeoutMs = 5000): Promise<DoctorTargetReport> {
  const manifestPath = join(target.manifestDir, MANIFEST_FILE_NAME);
  const checks: DoctorCheck[] = [];
  const report = (): DoctorTargetReport => ({ label: target.label, manifestPath, healthy: checks.every((c) => c.ok), checks });
  const reinstallFor = `${REINSTALL}${target.label === 'user-data-dir' ? ` --user-data-dir ${dirname(target.manifestDir)}` : ` --browser ${target.label}`}`;

  if (!existsSync(manifestPath)) {
    checks.push({ name: 'manifest present', ok: false, detail: `${manifestPath} does not exist`, fix: reinstallFor });
    return report();
  }
  let manifest: HostManifest;
  try {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as HostManifest;
  } catch (error) {
    checks.push({ name: 'manifest present', ok: false, detail: `${manifestPath} is not valid JSON: ${(error as Error).message}`, fix: reinstallFor });
    return report();
  }
  checks.push({ name: 'manifest present', ok: true, detail: manifestPath });
  checks.push(
    manifest.name === NATIVE_HOST_NAME && manifest.type === 'stdio'
      ? { name: 'manifest fields', ok: true, detail: `${manifest.name}, stdio` }
      : { name: 'manifest fields', ok: false, detail: `name/type are ${String(manifest.name)}/${String(manifest.type)}`, fix: reinstallFor },
  );
  checks.push(
    Array.isArray(manifest.allowed_origins) && manifest.allowed_origins.includes(EXTENSION_ORIGIN)
      ? { name: 'allowed origin', ok: true, detail: EXTENSION_ORIGIN }
      : { name: 'allowed origin', ok: false, detail: `allowed_origins does not list ${EXTENSION_ORIGIN}`, fix: reinstallFor },
  );
  const launcher = typeof manifest.path === 'string' ? manifest.path : '';
  if (!isAbsolute(launcher)) {
    checks.push({ name: 'launcher', ok: false, detail: `path "${launcher}" is not absolute`, fix: reinstallFor });
    return report();
  }
  if (!existsSync(launcher)) {
    checks.push({ name: 'launcher', ok: false, detail: `launcher ${launcher} is missing`, fix: reinstallFor });
    return report();
  }
  if (!isExecutable(launcher)) {
    checks.push({ name: 'launcher', ok: false, detail: `launcher ${launcher} is not executable`, fix: `chmod +x ${launcher}` });
    return report();
  }
  checks.push({ name: 'launcher', ok: true, detail: launcher });
  const parsed = parseLauncherScript(readFileSync(launcher, 'utf8'));
  if (!parsed) {
    checks.push({ name: 'node path', ok: false, detail: 'launcher was not written by hydraflow-host install', fix: reinstallFor });
    return report();
  }
  if (!isExecutable(parsed.nodePath)) {
    checks.push({ name: 'node path', ok: false, detail: `node ${parsed.nodePath} is missing or not executable`, fix: `Install Node ${'>=20.19'} and ${REINSTALL}` });
    return report();
  }
  checks.push({ name: 'node path', ok: true, detail: parsed.nodePath });
  if (!existsSync(parsed.hostScriptPath)) {
    checks.push({ name: 'host program', ok: false, detail: `${parsed.hostScriptPath} is missing`, fix: `Run npm run build:host in the HydraFlow folder, then ${REINSTALL}` });
    return report();
  }
  checks.push({ name: 'host program', ok: true, detail: parsed.hostScriptPath });
  checks.push(await handshake(launcher, handshakeTimeoutMs));
  return report();
}

/** Starts the host the way a browser does and completes a `hello` round trip. */
export function handshake(launcher: string, timeoutMs: number): Promise<DoctorCheck> {
  return new Promise((resolve) => {
    const child = spawn(launcher, [EXTENSION_ORIGIN], { stdio: ['pipe', 'pipe', 'pipe'] });
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
    const timer = setTimeout(() => finish({ name: 'handshake', ok: false, detail: `no reply within ${timeoutMs} ms. stderr: ${stderr.slice(-500)}`, fix: REINSTALL }), timeoutMs);
    child.on('error', (error) => finish({ name: 'handshake', ok: false, detail: `could not start the launcher: ${error.message}`, fix: REINSTALL }));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      for (const frame of decoder.push(chunk)) {
        if (frame.kind === 'error') return finish({ name: 'handshake', ok: false, detail: `host wrote bytes that are not a frame: ${frame.message}`, fix: REINSTALL });
        const reply = frame.value as { ok?: boolean; result?: { hostVersion?: string; protocolVersion?: number }; error?: { message?: string } };
        if (!reply.ok || !reply.result) return finish({ name: 'handshake', ok: false, detail: `hello failed: ${reply.error?.message ?? 'no result'}`, fix: REINSTALL });
        const { hostVersion, protocolVersion } = reply.result;
        if (typeof protocolVersion !== 'number' || !isCompatibleProtocol(protocolVersion)) {
          return finish({ name: 'handshake', ok: false, detail: `host speaks protocol ${String(protocolVersion)}, extension needs ${PROTOCOL_VERSION}`, fix: 'Update HydraFlow so host and extension match, then reinstall the host' });
        }
        return finish({ name: 'handshake', ok: true, detail: `hello answered by host ${String(hostVersion)} (protocol ${protocolVersion})` });
      }
    });
    child.stdout.on('end', () => finish({ name: 'handshake', ok: false, detail: `host exited without answering. stderr: ${stderr.slice(-500)}`, fix: REINSTALL }));
    child.stdin.on('error', () => undefined);
    child.stdin.write(encodeFrame({ id: 'doctor', method: 'hello', params: { protocolVersion: PROTOCOL_VERSION, client: 'doctor' } }));
  });
}
