// `npm run release`: the store zip of the extension and the host package, in .output/release/.
// - The store build (`wxt zip --mode store`) has no manifest `key`: stores refuse it and assign
//   their own ID (see docs/host.md, "Extension IDs"). Dev and unpacked builds keep the key.
// - The host package: scripts/build-host-package.mjs.
// - CHANGELOG.md must have an entry for the version in package.json (the one place it is set).
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const { version, name } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const releaseDir = join(root, '.output', 'release');

if (!readFileSync(join(root, 'CHANGELOG.md'), 'utf8').includes(`## ${version}`)) {
  console.error(`CHANGELOG.md has no "## ${version}" entry. Add one, then run npm run release again.`);
  process.exit(1);
}

const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
console.error('▶ store zip of the extension (wxt zip --mode store)');
execFileSync(npx, ['wxt', 'zip', '--mode', 'store'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
const storeManifest = JSON.parse(readFileSync(join(root, '.output', 'chrome-mv3-store', 'manifest.json'), 'utf8'));
if ('key' in storeManifest || storeManifest.version !== version) {
  console.error(`The store build's manifest must have no key and version ${version}; it has key: ${'key' in storeManifest}, version ${storeManifest.version}.`);
  process.exit(1);
}
const zip = join(root, '.output', `${name}-${version}-chrome-store.zip`);
if (!existsSync(zip)) {
  console.error(`wxt zip did not write ${zip}`);
  process.exit(1);
}
mkdirSync(releaseDir, { recursive: true });
copyFileSync(zip, join(releaseDir, `${name}-${version}-chrome.zip`));

console.error('▶ host package (hydraflow-host)');
const tarball = execFileSync(process.execPath, [join(root, 'scripts', 'build-host-package.mjs')], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();

console.error(`\nRelease ${version}:`);
console.error(`  extension (store upload): ${join(releaseDir, `${name}-${version}-chrome.zip`)}`);
console.error(`  host package (npm publish): ${tarball}`);
