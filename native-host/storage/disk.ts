/**
 * The host's own files on disk, measured, capped and wiped. Layout under the data dir:
 * `bundles/` (bundle files written for the extension), `repo/<id>/` (ledgers: entries and
 * pre-images), `logs/` (host.log and its rotations), `bin/` (the launcher: never touched here).
 * Pruning pre-images takes the oldest changes first; such a change stays in the ledger but can no
 * longer be reverted (revert says CHANGE_NOT_REVERTIBLE).
 */
import { existsSync, readdirSync, rmSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';

export const BUNDLES_DIR = 'bundles';
export const REPO_DIR = 'repo';
export const PREIMAGE_FILE = 'pre';
const CURRENT_LOG = 'host.log';

/** Total bytes of the files under `path` (0 when it does not exist). Symlinks are not followed. */
export function bytesUnder(path: string): number {
  let stats;
  try {
    stats = statSync(path, { throwIfNoEntry: false });
  } catch {
    return 0;
  }
  if (!stats) return 0;
  if (!stats.isDirectory()) return stats.isFile() ? stats.size : 0;
  let total = 0;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.isSymbolicLink()) continue;
    total += bytesUnder(join(path, entry.name));
  }
  return total;
}

export function diskUsage(dataDir: string, logDir: string): { bundles: number; ledger: number; logs: number } {
  return { bundles: bytesUnder(join(dataDir, BUNDLES_DIR)), ledger: bytesUnder(join(dataDir, REPO_DIR)), logs: bytesUnder(logDir) };
}

interface Aged {
  path: string;
  bytes: number;
  mtimeMs: number;
}

function filesIn(dir: string, accept: (name: string) => boolean): Aged[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter(accept)
    .map((name) => {
      const stats = statSync(join(dir, name));
      return { path: join(dir, name), bytes: stats.size, mtimeMs: stats.mtimeMs };
    });
}

/** Removes the oldest files of `files` until the total is at most `cap`; returns bytes removed. */
function removeOldestBeyond(files: Aged[], cap: number, keepTotal = 0): { removed: number; count: number } {
  let total = keepTotal + files.reduce((sum, f) => sum + f.bytes, 0);
  let removed = 0;
  let count = 0;
  for (const file of [...files].sort((a, b) => a.mtimeMs - b.mtimeMs)) {
    if (total <= cap) break;
    rmSync(file.path, { force: true });
    total -= file.bytes;
    removed += file.bytes;
    count++;
  }
  return { removed, count };
}

export function pruneDisk(dataDir: string, logDir: string, caps: { logBytes: number | null; preimageBytes: number | null }): { logBytesRemoved: number; preimageBytesRemoved: number; changesNoLongerRevertible: number } {
  let logBytesRemoved = 0;
  if (caps.logBytes !== null) {
    // The current log is being written: only rotated generations are removed; it counts toward the cap.
    const current = bytesUnder(join(logDir, CURRENT_LOG));
    logBytesRemoved = removeOldestBeyond(filesIn(logDir, (name) => name.startsWith(`${CURRENT_LOG}.`)), caps.logBytes, current).removed;
  }
  let preimageBytesRemoved = 0;
  let changesNoLongerRevertible = 0;
  if (caps.preimageBytes !== null) {
    const preimages: Aged[] = [];
    const repos = join(dataDir, REPO_DIR);
    for (const repo of existsSync(repos) ? readdirSync(repos) : []) {
      const changes = join(repos, repo, 'changes');
      for (const change of existsSync(changes) ? readdirSync(changes) : []) {
        // Only committed changes: a folder without entry.json may belong to a write in progress.
        if (!existsSync(join(changes, change, 'entry.json'))) continue;
        preimages.push(...filesIn(join(changes, change), (name) => name === PREIMAGE_FILE));
      }
    }
    const result = removeOldestBeyond(preimages, caps.preimageBytes);
    preimageBytesRemoved = result.removed;
    changesNoLongerRevertible = result.count;
  }
  return { logBytesRemoved, preimageBytesRemoved, changesNoLongerRevertible };
}

/** Removes bundles, ledgers and rotated logs; empties the current log. Keeps bin/ and the config. */
export function wipeDisk(dataDir: string, logDir: string): { removedBytes: number } {
  let removedBytes = 0;
  for (const dir of [join(dataDir, BUNDLES_DIR), join(dataDir, REPO_DIR)]) {
    removedBytes += bytesUnder(dir);
    rmSync(dir, { recursive: true, force: true });
  }
  for (const log of filesIn(logDir, (name) => name.startsWith(`${CURRENT_LOG}.`))) {
    rmSync(log.path, { force: true });
    removedBytes += log.bytes;
  }
  const current = join(logDir, CURRENT_LOG);
  if (existsSync(current)) {
    removedBytes += statSync(current).size;
    truncateSync(current, 0);
  }
  return { removedBytes };
}
