/**
 * Where each Chromium-family browser keeps its user data and looks for native messaging host
 * manifests, per platform. Pure path logic (no file access), unit-tested for every platform.
 * Sources: Chromium's native messaging docs ("Native messaging host location") and each vendor's
 * documented user-data directory.
 */
import { posix, win32 } from 'node:path';
import type { BrowserKind } from '../../shared/schemas/statuses';
import type { Platform } from './paths';

interface BrowserLocation {
  /** Default user-data directory (holds `Local State` and the profile folders). */
  userDataDir: string;
  /** Directory for per-user host manifests (macOS/Linux); on Windows the manifest's own folder. */
  nativeHostsDir: string;
  /** Windows only: HKCU registry key whose default value names the manifest file. */
  registryKey?: string;
}

const LINUX: Record<BrowserKind, string[]> = {
  chrome: ['google-chrome'],
  chromium: ['chromium'],
  edge: ['microsoft-edge'],
  brave: ['BraveSoftware', 'Brave-Browser'],
  vivaldi: ['vivaldi'],
};

const MAC: Record<BrowserKind, string[]> = {
  chrome: ['Google', 'Chrome'],
  chromium: ['Chromium'],
  edge: ['Microsoft Edge'],
  brave: ['BraveSoftware', 'Brave-Browser'],
  vivaldi: ['Vivaldi'],
};

const WINDOWS: Record<BrowserKind, { data: string[]; registry: string }> = {
  chrome: { data: ['Google', 'Chrome', 'User Data'], registry: 'Software\\Google\\Chrome\\NativeMessagingHosts' },
  chromium: { data: ['Chromium', 'User Data'], registry: 'Software\\Chromium\\NativeMessagingHosts' },
  edge: { data: ['Microsoft', 'Edge', 'User Data'], registry: 'Software\\Microsoft\\Edge\\NativeMessagingHosts' },
  brave: { data: ['BraveSoftware', 'Brave-Browser', 'User Data'], registry: 'Software\\BraveSoftware\\Brave-Browser\\NativeMessagingHosts' },
  vivaldi: { data: ['Vivaldi', 'User Data'], registry: 'Software\\Vivaldi\\NativeMessagingHosts' },
};

export function browserLocation(
  browser: BrowserKind,
  platform: Platform,
  home: string,
  env: Record<string, string | undefined> = {},
  hostName = 'com.hydraflow.host',
): BrowserLocation {
  if (platform === 'win32') {
    const spec = WINDOWS[browser];
    const localAppData = env.LOCALAPPDATA ?? win32.join(home, 'AppData', 'Local');
    return {
      userDataDir: win32.join(localAppData, ...spec.data),
      nativeHostsDir: win32.join(localAppData, 'HydraFlow', 'NativeMessagingHosts'),
      registryKey: `HKCU\\${spec.registry}\\${hostName}`,
    };
  }
  if (platform === 'darwin') {
    const userDataDir = posix.join(home, 'Library', 'Application Support', ...MAC[browser]);
    return { userDataDir, nativeHostsDir: posix.join(userDataDir, 'NativeMessagingHosts') };
  }
  const configHome = env.XDG_CONFIG_HOME || posix.join(home, '.config');
  const userDataDir = posix.join(configHome, ...LINUX[browser]);
  return { userDataDir, nativeHostsDir: posix.join(userDataDir, 'NativeMessagingHosts') };
}

/** Host manifests for a browser started with `--user-data-dir=DIR` are also read from here. */
export function userDataDirNativeHostsDir(userDataDir: string, platform: Platform = 'linux'): string {
  return (platform === 'win32' ? win32 : posix).join(userDataDir, 'NativeMessagingHosts');
}
