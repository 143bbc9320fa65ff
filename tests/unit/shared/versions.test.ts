/** One version, set in package.json; the protocol version it speaks recorded with it in CHANGELOG.md. */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostInstallCommand, hostUpdateCommand, quoteShellArg } from '../../../shared/host-install';
import { APP_VERSION, MIN_EXTENSION_PROTOCOL_VERSION, MIN_HOST_PROTOCOL_VERSION, PROTOCOL_SINCE, PROTOCOL_VERSION } from '../../../shared/version';

const root = join(import.meta.dirname, '..', '..', '..');
const changelog = readFileSync(join(root, 'CHANGELOG.md'), 'utf8');
const entry = (version: string) => {
  const start = changelog.indexOf(`\n## ${version}\n`);
  expect(start, `CHANGELOG.md has a "## ${version}" entry`).toBeGreaterThan(-1);
  const next = changelog.indexOf('\n## ', start + 1);
  return changelog.slice(start, next === -1 ? undefined : next);
};

describe('versions', () => {
  it('the app version is package.json\'s, and CHANGELOG.md has its entry naming the protocol it speaks', () => {
    expect(APP_VERSION).toBe((JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version);
    expect(entry(APP_VERSION)).toContain(`Protocol ${PROTOCOL_VERSION}.`);
  });

  it('every protocol version up to the current one has the release that introduced it, in order', () => {
    const protocols = Object.keys(PROTOCOL_SINCE).map(Number).sort((a, b) => a - b);
    expect(protocols.at(-1)).toBe(PROTOCOL_VERSION);
    const later = (a: string, b: string) => {
      const [x, y] = [a.split('.').map(Number), b.split('.').map(Number)];
      const i = x.findIndex((part, n) => part !== y[n]);
      return i !== -1 && x[i]! > y[i]!;
    };
    const releases = protocols.map((p) => PROTOCOL_SINCE[p]!);
    for (let i = 1; i < releases.length; i++) expect(later(releases[i]!, releases[i - 1]!), `${releases[i]} after ${releases[i - 1]}`).toBe(true);
    expect(later(APP_VERSION, releases.at(-1)!) || APP_VERSION === releases.at(-1)).toBe(true);
    for (const protocol of protocols) expect(entry(PROTOCOL_SINCE[protocol]!)).toContain(`Protocol ${protocol}.`);
    expect(MIN_HOST_PROTOCOL_VERSION).toBeLessThanOrEqual(PROTOCOL_VERSION);
    expect(MIN_EXTENSION_PROTOCOL_VERSION).toBeLessThanOrEqual(PROTOCOL_VERSION);
  });

  it('install and update commands quote paths for the shell they are pasted into', () => {
    expect(hostInstallCommand()).toBe('npx hydraflow-host install');
    expect(hostInstallCommand({ browser: 'brave' })).toBe('npx hydraflow-host install --browser brave');
    expect(hostInstallCommand({ userDataDir: '/tmp/plain-dir' })).toBe('npx hydraflow-host install --user-data-dir /tmp/plain-dir');
    expect(hostInstallCommand({ userDataDir: "/home/o'neil/my profile" })).toBe(`npx hydraflow-host install --user-data-dir '/home/o'\\''neil/my profile'`);
    expect(quoteShellArg('C:\\Users\\Jürgen\\Chrome Profile')).toBe('"C:\\Users\\Jürgen\\Chrome Profile"');
    expect(hostUpdateCommand('1.2.3')).toBe('npx hydraflow-host@1.2.3 install');
  });
});
