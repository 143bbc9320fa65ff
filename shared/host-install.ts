/**
 * The commands a person runs to install or update the native host, in one place: the host CLI
 * (doctor's fixes), the extension (status, welcome page) and the docs all show these strings.
 * `npx hydraflow-host install` runs the checkout's own host in a clone, and the published
 * `hydraflow-host` package anywhere else.
 */
import { APP_VERSION } from './version';

export const HOST_PACKAGE_NAME = 'hydraflow-host';

export interface HostInstallTarget {
  /** One browser (chrome, chromium, edge, brave, vivaldi); all browsers found when absent. */
  browser?: string;
  /** The folder a browser was started with `--user-data-dir=` for. */
  userDataDir?: string;
}

/** Quotes a path for the shell it will be pasted into: double quotes for Windows paths, single for POSIX. */
export function quoteShellArg(value: string): string {
  if (/^[\w@%+=:,./-]+$/.test(value)) return value;
  if (/^[A-Za-z]:\\/.test(value) || value.includes('\\')) return `"${value}"`;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * The install command. With no target it installs for every browser found and for the custom
 * profile (`--user-data-dir`) of every Chromium-family browser running at that moment.
 */
export function hostInstallCommand(target: HostInstallTarget = {}, version?: string): string {
  const pkg = version ? `${HOST_PACKAGE_NAME}@${version}` : HOST_PACKAGE_NAME;
  const where = target.userDataDir ? ` --user-data-dir ${quoteShellArg(target.userDataDir)}` : target.browser ? ` --browser ${target.browser}` : '';
  return `npx ${pkg} install${where}`;
}

/** Installs the host of exactly this version over the one there (config and data are kept). */
export function hostUpdateCommand(version: string = APP_VERSION): string {
  return hostInstallCommand({}, version);
}

/** What to do when the host is newer than the extension: update the extension, or install the matching host. */
export function extensionUpdateHint(hostVersion: string, extensionVersion?: string): string {
  const update = `Update the HydraFlow extension to ${hostVersion} or later (chrome://extensions → Developer mode → Update; store installs update themselves)`;
  return extensionVersion ? `${update}, or install the host that matches this extension: ${hostUpdateCommand(extensionVersion)}` : `${update}.`;
}
