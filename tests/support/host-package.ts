/**
 * The host as a user gets it: `scripts/build-host-package.mjs` packs hydraflow-host-<v>.tgz, and
 * `npm install -g --prefix P <tarball>` installs it into an empty prefix outside the repo, from the
 * npm registry (or npm's cache). better-sqlite3 comes as a prebuilt binary, as for users; the
 * "release download" it fetches is served from loopback (the machine has no internet but the
 * registry), built from the repo's own compiled copy, through prebuild-install's documented
 * mirror setting `npm_config_better_sqlite3_binary_host`.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './host-process';

export interface InstalledHostPackage {
  tarball: string;
  prefix: string;
  /** The installed `hydraflow-host` command. */
  bin: string;
  /** Wall time of `npm install -g <tarball>`. */
  installSeconds: number;
  npmOutput: string;
  remove(): void;
}

export function buildHostPackage(): string {
  return execFileSync(process.execPath, [join(REPO_ROOT, 'scripts', 'build-host-package.mjs')], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
}

/** A prebuilt-binary tarball as better-sqlite3's releases publish it: build/Release/better_sqlite3.node. */
function prebuiltTarball(dir: string): Buffer {
  const out = join(dir, 'prebuilt.tar.gz');
  execFileSync('tar', ['-czf', out, '-C', join(REPO_ROOT, 'node_modules', 'better-sqlite3'), 'build/Release/better_sqlite3.node']);
  return readFileSync(out);
}

export interface NpmRun {
  status: number | null;
  output: string;
  seconds: number;
  /** Whether better-sqlite3's install script fetched its prebuilt binary from the mirror. */
  fetchedPrebuilt: boolean;
}

/**
 * Runs npm with the loopback prebuilt mirror. `unbuildable` makes better-sqlite3's install fail as
 * on a machine with no prebuilt binary for its Node and no working compiler: the mirror answers
 * 404 and the C/C++ compilers fail.
 */
export async function runNpm(args: string[], { cwd, unbuildable = false }: { cwd: string; unbuildable?: boolean }): Promise<NpmRun> {
  const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules', 'better-sqlite3', 'package.json'), 'utf8')) as { version: string };
  const assetName = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  const asset = prebuiltTarball(cwd);
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    if (!unbuildable && req.url === `/v${version}/${assetName}`) res.end(asset);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const mirror = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const started = Date.now();
  let output = '';
  const status = await new Promise<number | null>((resolve) => {
    // npm's own options right after its command: whatever follows a `--` in args is the program's.
    const npm = spawn('npm', [args[0]!, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel', 'warn', ...args.slice(1)], {
      cwd,
      env: { ...process.env, npm_config_better_sqlite3_binary_host: mirror, ...(unbuildable ? { CC: '/bin/false', CXX: '/bin/false' } : {}) },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    // Never leave an npm (or a compiler it started) running on a shared machine.
    const timer = setTimeout(() => {
      output += '\n[killed after 150 s]';
      process.kill(-npm.pid!, 'SIGKILL');
    }, 150_000);
    npm.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    npm.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    npm.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
  const seconds = (Date.now() - started) / 1000;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  // prebuild-install keeps what it downloaded in npm's cache, under a name made from the URL.
  const url = `${mirror}/v${version}/${assetName}`;
  rmSync(join(process.env.npm_config_cache ?? join(homedir(), '.npm'), '_prebuilds', `${createHash('sha512').update(url).digest('hex').slice(0, 6)}-${assetName.replace(/[^a-zA-Z0-9.]+/g, '-')}`), { force: true });
  return { status, output, seconds, fetchedPrebuilt: requests.includes(`/v${version}/${assetName}`) };
}

/**
 * `npm install -g <tarball>` into a new empty prefix. `ignoreScripts` runs no install script (the
 * bench's baseline: npm's own work alone).
 */
export async function installHostPackage(tarball = buildHostPackage(), { unbuildable = false, ignoreScripts = false } = {}): Promise<InstalledHostPackage> {
  const prefix = mkdtempSync(join(tmpdir(), 'hf-prefix-'));
  const run = await runNpm(['install', '--global', '--prefix', prefix, tarball, ...(ignoreScripts ? ['--ignore-scripts'] : [])], { cwd: prefix, unbuildable });
  if (run.status !== 0) throw new Error(`npm install -g ${tarball} failed (${String(run.status)}):\n${run.output}`);
  if (!unbuildable && !ignoreScripts && !run.fetchedPrebuilt) throw new Error(`better-sqlite3 did not fetch its prebuilt binary:\n${run.output}`);
  return {
    tarball,
    prefix,
    bin: join(prefix, 'bin', 'hydraflow-host'),
    installSeconds: run.seconds,
    npmOutput: run.output,
    remove: () => rmSync(prefix, { recursive: true, force: true }),
  };
}
