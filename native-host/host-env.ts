/** What every host capability gets: its paths and a logger. Built once at start-up. */
import { homedir } from 'node:os';
import { hostPaths, type HostPaths, type Platform } from './core/paths';
import type { Logger } from './logger';

export interface HostEnv {
  paths: HostPaths;
  log: Logger;
  platform: Platform;
}

export function currentPlatform(): Platform {
  return process.platform === 'darwin' || process.platform === 'win32' ? process.platform : 'linux';
}

export function currentPaths(): HostPaths {
  return hostPaths(currentPlatform(), homedir(), process.env);
}
