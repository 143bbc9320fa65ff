/**
 * Finds the browser profiles on this machine whose history we can import: every Chromium-family
 * browser's user-data dir (display names from `Local State` profile.info_cache) and Firefox's
 * profiles from `profiles.ini`. Path logic is pure and per platform (unit-tested for all three);
 * `discoverProfiles` is the thin part that looks at the disk.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { posix, win32 } from 'node:path';
import { z } from 'zod';
import { BROWSER_KINDS, type VisitSource } from '../../shared/schemas/statuses';
import { browserLocation } from '../core/browser-locations';
import type { Platform } from '../core/paths';

export interface HistoryProfile {
  /** Stable id: `<browser>:<profile folder>`. */
  id: string;
  browser: VisitSource;
  name: string;
  profileDir: string;
  historyPath: string;
  historySize: number;
  modifiedAt: number;
}

interface ProfileRoot {
  browser: VisitSource;
  /** Chromium: the user-data dir. Firefox: the dir holding profiles.ini. */
  dir: string;
}

export function firefoxRoot(platform: Platform, home: string, env: Record<string, string | undefined>): string {
  if (platform === 'win32') return win32.join(env.APPDATA ?? win32.join(home, 'AppData', 'Roaming'), 'Mozilla', 'Firefox');
  if (platform === 'darwin') return posix.join(home, 'Library', 'Application Support', 'Firefox');
  return posix.join(home, '.mozilla', 'firefox');
}

export function profileRoots(platform: Platform, home: string, env: Record<string, string | undefined>): ProfileRoot[] {
  return [
    ...BROWSER_KINDS.map((browser) => ({ browser, dir: browserLocation(browser, platform, home, env).userDataDir })),
    { browser: 'firefox' as const, dir: firefoxRoot(platform, home, env) },
  ];
}

const localState = z.lazy(() => z.object({
  profile: z.object({ info_cache: z.record(z.string(), z.object({ name: z.string().optional() }).loose()).optional() }).loose().optional(),
}).loose());

/** Profile folder → display name, from a Chromium `Local State` file's text (bad JSON → none). */
export function chromiumProfileNames(localStateText: string): Map<string, string> {
  let json: unknown;
  try {
    json = JSON.parse(localStateText);
  } catch {
    return new Map();
  }
  const parsed = localState.safeParse(json);
  const cache = parsed.success ? (parsed.data.profile?.info_cache ?? {}) : {};
  return new Map(Object.entries(cache).map(([dir, info]) => [dir, info.name ?? dir]));
}

/** Firefox profiles.ini → [{name, path}] with relative paths resolved against the ini's dir. */
export function parseProfilesIni(text: string, root: string, platform: Platform): { name: string; path: string }[] {
  const path = platform === 'win32' ? win32 : posix;
  const out: { name: string; path: string }[] = [];
  let section: Record<string, string> | null = null;
  const flush = () => {
    if (section?.Path) out.push({ name: section.Name ?? section.Path, path: section.IsRelative === '0' ? section.Path : path.join(root, ...section.Path.split('/')) });
  };
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('[')) {
      flush();
      section = /^\[Profile\d+\]$/i.test(line) ? {} : null;
    } else if (section && line.includes('=')) {
      const at = line.indexOf('=');
      section[line.slice(0, at).trim()] = line.slice(at + 1).trim();
    }
  }
  flush();
  return out;
}

function fileInfo(path: string): { size: number; modifiedAt: number } | null {
  try {
    const stat = statSync(path);
    return stat.isFile() ? { size: stat.size, modifiedAt: Math.trunc(stat.mtimeMs) } : null;
  } catch {
    return null;
  }
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

export function discoverProfiles(platform: Platform, home: string, env: Record<string, string | undefined>): HistoryProfile[] {
  const path = platform === 'win32' ? win32 : posix;
  const profiles: HistoryProfile[] = [];
  for (const root of profileRoots(platform, home, env)) {
    if (!existsSync(root.dir)) continue;
    if (root.browser === 'firefox') {
      const ini = readText(path.join(root.dir, 'profiles.ini'));
      if (ini === null) continue;
      for (const entry of parseProfilesIni(ini, root.dir, platform)) {
        const historyPath = path.join(entry.path, 'places.sqlite');
        const info = fileInfo(historyPath);
        if (info) profiles.push({ id: `firefox:${path.basename(entry.path)}`, browser: 'firefox', name: entry.name, profileDir: entry.path, historyPath, historySize: info.size, modifiedAt: info.modifiedAt });
      }
      continue;
    }
    const names = chromiumProfileNames(readText(path.join(root.dir, 'Local State')) ?? '');
    let dirs: string[];
    try {
      dirs = readdirSync(root.dir);
    } catch {
      continue;
    }
    for (const dir of dirs.sort()) {
      const historyPath = path.join(root.dir, dir, 'History');
      const info = fileInfo(historyPath);
      if (!info) continue;
      profiles.push({ id: `${root.browser}:${dir}`, browser: root.browser, name: names.get(dir) ?? dir, profileDir: path.join(root.dir, dir), historyPath, historySize: info.size, modifiedAt: info.modifiedAt });
    }
  }
  return profiles;
}
