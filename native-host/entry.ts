/**
 * The host program's file (dist/host/hydraflow-host.mjs, the host package's `bin`): runs the
 * host's bundled code, `hydraflow-host.code.js` next to it (main.ts and everything it imports, as
 * one function), through V8 with a code cache.
 *
 * Why: every CLI process compiled the code it runs (zod, the repo capability: ~25–35 ms of CPU of
 * a cold `repo apply`, docs/performance.md). Node 20 has no compile cache for ES modules, so the
 * code is a classic script here (`vm.Script`), and the bytecode V8 compiled during a run is kept
 * (`createCachedData` at exit) in `hydraflow-host.v8-cache/` next to this file, one file per
 * subcommand (a run compiles only the functions it calls, so `--version` must not leave the cache
 * that `repo apply` reads), named by this build's code id, Node's version and the architecture;
 * written only by a run that exits 0.
 * V8 checks a cache against its own version, flags and the source's length and rejects a stale
 * one (the code is then compiled as before and the cache written again); the code id in the name
 * tells two builds of the same length apart. The folder is written only by the host itself, never
 * through the protocol, 0700 with 0600 files; where it cannot be written (an install folder the
 * user may not write) there is simply no cache. `HYDRAFLOW_CODE_CACHE=0` turns it off.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

/** The first 16 hex digits of the SHA-256 of the code file, set by scripts/build-host.mjs. */
declare const HF_CODE_ID: string;

const here = dirname(fileURLToPath(import.meta.url));
const codeFile = join(here, 'hydraflow-host.code.js');
const cacheDir = join(here, 'hydraflow-host.v8-cache');

/** The cache's name for this run's subcommand: `repo-apply`, `version`, `browser`… */
function commandKey(args: readonly string[]): string {
  const first = args[0] ?? '';
  if (first.startsWith('chrome-extension://')) return 'browser';
  const word = (arg: string | undefined) => (arg !== undefined && /^[a-z][a-z-]{0,30}$/.test(arg) ? arg : null);
  const command = word(first.replace(/^--?/, ''));
  if (command === null) return 'other';
  const sub = word(args[1]);
  return sub === null ? command : `${command}-${sub}`;
}

function readCache(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

/** Keeps what V8 compiled in this run for the next one (temp + rename), dropping other builds' caches. */
function saveCache(script: Script, file: string): void {
  try {
    const data = script.createCachedData();
    mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
    for (const name of readdirSync(cacheDir)) if (!name.startsWith(`${HF_CODE_ID}-`)) rmSync(join(cacheDir, name), { force: true });
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, data, { mode: 0o600, flag: 'wx' });
    renameSync(temp, file);
  } catch {
    // A folder the user may not write, a full disk: the next run compiles again, as without a cache.
  }
}

const useCache = process.env.HYDRAFLOW_CODE_CACHE !== '0';
const cacheFile = join(cacheDir, `${HF_CODE_ID}-${process.version}-${process.arch}-${commandKey(process.argv.slice(2))}.bin`);
const cachedData = useCache ? readCache(cacheFile) : undefined;
// The wrapper keeps the code's first line on the first line, so stack traces keep their numbers.
const script = new Script(`(function (require, __hfModuleUrl) {${readFileSync(codeFile, 'utf8')}\n})`, { filename: codeFile, cachedData });
// Only a run that succeeded keeps its cache: a mistyped command leaves no file behind.
if (useCache && (cachedData === undefined || script.cachedDataRejected === true)) process.once('exit', (code) => code === 0 && saveCache(script, cacheFile));
(script.runInThisContext() as (require: NodeJS.Require, moduleUrl: string) => void)(createRequire(import.meta.url), import.meta.url);
