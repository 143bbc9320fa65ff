// `npm start`: build the extension and the host, install the host for every Chromium-family
// browser found (and for HydraFlow's own Chromium profile), then open Chromium with the
// extension loaded. The profile lives in the host data dir so it persists between starts.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

function findChromium() {
  const candidates = [process.env.PUPPETEER_EXECUTABLE_PATH, process.env.CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/snap/bin/chromium', '/usr/bin/google-chrome'].filter(Boolean);
  return candidates.find((path) => existsSync(path));
}

console.error('▶ building the extension and the native host');
run(npx, ['wxt', 'build']);
run(process.execPath, ['scripts/build-host.mjs']);

const dataHome = process.env.HYDRAFLOW_HOME ? join(process.env.HYDRAFLOW_HOME, 'data') : join(process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'hydraflow');
const profile = process.env.HYDRAFLOW_PROFILE || join(dataHome, 'chromium-profile');
mkdirSync(profile, { recursive: true });

console.error('▶ installing the native host');
// Every browser found on this machine (no error when none is), then HydraFlow's own profile.
spawnSync(process.execPath, ['bin/hydraflow-host.mjs', 'install', '--browser', 'all'], { cwd: root, stdio: 'inherit' });
run(process.execPath, ['bin/hydraflow-host.mjs', 'install', '--user-data-dir', profile]);

const chromium = findChromium();
if (!chromium) {
  console.error('No Chromium found. Install it (Debian/Ubuntu: sudo apt-get install -y chromium) or set CHROMIUM=/path/to/chrome, then run npm start again.');
  process.exit(1);
}
if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
  console.error(`No display found. The extension is built in .output/chrome-mv3; load it in Chromium with --load-extension, using the profile ${profile}.`);
  process.exit(1);
}
const extensionDir = join(root, '.output', 'chrome-mv3');
const args = [
  `--user-data-dir=${profile}`,
  `--load-extension=${extensionDir}`,
  // Chromium ≥137 ignores --load-extension unless this feature is disabled.
  '--disable-features=DisableLoadExtensionCommandLineSwitch',
  '--no-first-run',
  ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
  // No URL: a chrome-extension:// URL here opens before the extension has loaded and stays an
  // ERR_BLOCKED_BY_CLIENT page. On a new profile the extension opens its welcome page itself.
];
console.error(`▶ opening ${chromium} with HydraFlow (profile ${profile})`);
const child = spawn(chromium, args, { detached: true, stdio: 'ignore' });
child.unref();
