/**
 * Where the host keeps its config and data, per platform. Pure: takes the environment and home
 * directory as arguments so every platform's logic is unit-tested on any machine.
 * With $HYDRAFLOW_HOME set, everything lives under it.
 */
import { posix, win32 } from 'node:path';

export type Platform = 'linux' | 'darwin' | 'win32';

export interface HostPaths {
  configDir: string;
  configFile: string;
  dataDir: string;
  logDir: string;
  binDir: string;
}

export function hostPaths(platform: Platform, home: string, env: Record<string, string | undefined>): HostPaths {
  const path = platform === 'win32' ? win32 : posix;
  let configDir: string;
  let dataDir: string;
  if (env.HYDRAFLOW_HOME) {
    configDir = path.resolve(env.HYDRAFLOW_HOME);
    dataDir = path.join(configDir, 'data');
  } else if (platform === 'darwin') {
    configDir = path.join(home, 'Library', 'Application Support', 'HydraFlow');
    dataDir = configDir;
  } else if (platform === 'win32') {
    configDir = path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'HydraFlow');
    dataDir = path.join(env.LOCALAPPDATA ?? path.join(home, 'AppData', 'Local'), 'HydraFlow');
  } else {
    configDir = path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), 'hydraflow');
    dataDir = path.join(env.XDG_DATA_HOME || path.join(home, '.local', 'share'), 'hydraflow');
  }
  return {
    configDir,
    configFile: path.join(configDir, 'config.json'),
    dataDir,
    logDir: path.join(dataDir, 'logs'),
    binDir: path.join(dataDir, 'bin'),
  };
}
