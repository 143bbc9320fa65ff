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

/**
 * `unbuildable` makes better-sqlite3's install fail as on a machine with no prebuilt binary for
 * its Node and no working compiler: the mirror answers 404 and the C/C++ compilers fail.
 * `ignoreScripts` runs no install script (the bench's baseline: npm's own work alone).
 */
export async function installHostPackage(tarball = buildHostPackage(), { unbuildable = false, ignoreScripts = false } = {}): Promise<InstalledHostPackage> {
  const prefix = mkdtempSync(join(tmpdir(), 'hf-prefix-'));
  const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules', 'better-sqlite3', 'package.json'), 'utf8')) as { version: string };
  const assetName = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  const asset = prebuiltTarball(prefix);
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    if (!unbuildable && req.url === `/v${version}/${assetName}`) res.end(asset);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const mirror = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const started = Date.now();
  let npmOutput = '';
  const status = await new Promise<number | null>((resolve) => {
    const npm = spawn('npm', ['install', '--global', '--prefix', prefix, tarball, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel', 'warn', ...(ignoreScripts ? ['--ignore-scripts'] : [])], {
      cwd: prefix,
      env: { ...process.env, npm_config_better_sqlite3_binary_host: mirror, ...(unbuildable ? { CC: '/bin/false', CXX: '/bin/false' } : {}) },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    // Never leave an npm (or a compiler it started) running on a shared machine.
    const timer = setTimeout(() => {
      npmOutput += '\n[killed after 150 s]';
      process.kill(-npm.pid!, 'SIGKILL');
    }, 150_000);
    npm.on('exit', () => clearTimeout(timer));
    npm.stdout.on('data', (chunk: Buffer) => (npmOutput += chunk.toString()));
    npm.stderr.on('data', (chunk: Buffer) => (npmOutput += chunk.toString()));
    npm.on('exit', resolve);
  });
  const installSeconds = (Date.now() - started) / 1000;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  // prebuild-install keeps what it downloaded in npm's cache, under a name made from the URL.
  const url = `${mirror}/v${version}/${assetName}`;
  const cached = join(process.env.npm_config_cache ?? join(homedir(), '.npm'), '_prebuilds', `${createHash('sha512').update(url).digest('hex').slice(0, 6)}-${assetName.replace(/[^a-zA-Z0-9.]+/g, '-')}`);
  rmSync(cached, { force: true });
  if (status !== 0) throw new Error(`npm install -g ${tarball} failed (${String(status)}):\n${npmOutput}\nprebuilt requests: ${requests.join(', ')}`);
  if (!unbuildable && !ignoreScripts && !requests.includes(`/v${version}/${assetName}`)) throw new Error(`better-sqlite3 did not fetch its prebuilt binary (requests: ${requests.join(', ') || 'none'}):\n${npmOutput}`);
  return {
    tarball,
    prefix,
    bin: join(prefix, 'bin', 'hydraflow-host'),
    installSeconds,
    npmOutput,
    remove: () => rmSync(prefix, { recursive: true, force: true }),
  };
}
