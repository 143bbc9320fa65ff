// Assembles the host as its own npm package, `hydraflow-host`, in dist/host-package/ and packs it
// into .output/release/hydraflow-host-<version>.tgz: the bundled host (dist/host/hydraflow-host.mjs,
// built here first) as its `bin`, with the code it runs (hydraflow-host.code.js), a README, and only its runtime dependency, better-sqlite3
// (optional: a machine where it can be neither downloaded prebuilt nor compiled still gets a
// host whose `install` and `doctor` say what to do). Version and engines come from package.json.
// Prints the tarball's path on stdout.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const rootPackage = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const packageDir = join(root, 'dist', 'host-package');
const releaseDir = join(root, '.output', 'release');

execFileSync(process.execPath, [join(root, 'scripts', 'build-host.mjs')], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });

rmSync(packageDir, { recursive: true, force: true });
mkdirSync(packageDir, { recursive: true });
copyFileSync(join(root, 'dist', 'host', 'hydraflow-host.mjs'), join(packageDir, 'hydraflow-host.mjs'));
copyFileSync(join(root, 'dist', 'host', 'hydraflow-host.code.js'), join(packageDir, 'hydraflow-host.code.js'));
chmodSync(join(packageDir, 'hydraflow-host.mjs'), 0o755);
copyFileSync(join(root, 'docs', 'host-package-readme.md'), join(packageDir, 'README.md'));

const hostPackage = {
  name: 'hydraflow-host',
  version: rootPackage.version,
  description: 'Native messaging host for the HydraFlow browser extension: reads browser History files, writes bundles, applies patches to your registered repositories.',
  license: rootPackage.license,
  type: 'module',
  bin: { 'hydraflow-host': 'hydraflow-host.mjs' },
  files: ['hydraflow-host.mjs', 'hydraflow-host.code.js', 'README.md'],
  engines: rootPackage.engines,
  os: ['linux', 'darwin', 'win32'],
  optionalDependencies: { 'better-sqlite3': rootPackage.dependencies['better-sqlite3'] },
};
writeFileSync(join(packageDir, 'package.json'), `${JSON.stringify(hostPackage, null, 2)}\n`);

mkdirSync(releaseDir, { recursive: true });
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const packed = JSON.parse(execFileSync(npm, ['pack', '--json', '--pack-destination', releaseDir], { cwd: packageDir, encoding: 'utf8', shell: process.platform === 'win32' }));
process.stdout.write(`${join(releaseDir, packed[0].filename)}\n`);
