import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { chromiumProfileNames, discoverProfiles, parseProfilesIni, profileRoots } from '../../../native-host/history/profiles';
import { guessChromiumSource } from '../../../native-host/history/read';

describe('history profile locations', () => {
  it('lists every browser root on Linux, macOS and Windows', () => {
    const linux = profileRoots('linux', '/home/ann', {});
    expect(linux.map((r) => [r.browser, r.dir])).toEqual([
      ['chrome', '/home/ann/.config/google-chrome'],
      ['chromium', '/home/ann/.config/chromium'],
      ['edge', '/home/ann/.config/microsoft-edge'],
      ['brave', '/home/ann/.config/BraveSoftware/Brave-Browser'],
      ['vivaldi', '/home/ann/.config/vivaldi'],
      ['firefox', '/home/ann/.mozilla/firefox'],
    ]);
    const mac = profileRoots('darwin', '/Users/ann', {});
    expect(mac.find((r) => r.browser === 'chrome')!.dir).toBe('/Users/ann/Library/Application Support/Google/Chrome');
    expect(mac.find((r) => r.browser === 'edge')!.dir).toBe('/Users/ann/Library/Application Support/Microsoft Edge');
    expect(mac.find((r) => r.browser === 'firefox')!.dir).toBe('/Users/ann/Library/Application Support/Firefox');
    const win = profileRoots('win32', 'C:\\Users\\ann', { LOCALAPPDATA: 'C:\\Users\\ann\\AppData\\Local', APPDATA: 'C:\\Users\\ann\\AppData\\Roaming' });
    expect(win.find((r) => r.browser === 'chrome')!.dir).toBe('C:\\Users\\ann\\AppData\\Local\\Google\\Chrome\\User Data');
    expect(win.find((r) => r.browser === 'brave')!.dir).toBe('C:\\Users\\ann\\AppData\\Local\\BraveSoftware\\Brave-Browser\\User Data');
    expect(win.find((r) => r.browser === 'firefox')!.dir).toBe('C:\\Users\\ann\\AppData\\Roaming\\Mozilla\\Firefox');
  });

  it('reads display names from Local State and survives a broken one', () => {
    const names = chromiumProfileNames(JSON.stringify({ profile: { info_cache: { Default: { name: 'Person 1' }, 'Profile 2': { name: 'Work' } } } }));
    expect([...names]).toEqual([['Default', 'Person 1'], ['Profile 2', 'Work']]);
    expect(chromiumProfileNames('{not json').size).toBe(0);
  });

  it('parses profiles.ini with relative and absolute profile paths', () => {
    const ini = '[General]\nStartWithLastProfile=1\n\n[Profile0]\nName=default-release\nIsRelative=1\nPath=Profiles/abc.default-release\n\n[Profile1]\nName=Other\nIsRelative=0\nPath=/data/ff/other\n\n[Install4F96D1932A9F858E]\nDefault=Profiles/abc.default-release\n';
    expect(parseProfilesIni(ini, '/home/ann/.mozilla/firefox', 'linux')).toEqual([
      { name: 'default-release', path: '/home/ann/.mozilla/firefox/Profiles/abc.default-release' },
      { name: 'Other', path: '/data/ff/other' },
    ]);
    expect(parseProfilesIni('[Profile0]\r\nName=x\r\nIsRelative=1\r\nPath=Profiles/x.default\r\n', 'C:\\FF', 'win32')).toEqual([{ name: 'x', path: 'C:\\FF\\Profiles\\x.default' }]);
  });

  it('guesses the browser of a History file from its location', () => {
    expect(guessChromiumSource('/home/a/.config/google-chrome/Default/History')).toBe('chrome');
    expect(guessChromiumSource('C:\\Users\\a\\AppData\\Local\\Microsoft\\Edge\\User Data\\Default\\History')).toBe('edge');
    expect(guessChromiumSource('/Users/a/Library/Application Support/BraveSoftware/Brave-Browser/Default/History')).toBe('brave');
    expect(guessChromiumSource('/tmp/History')).toBe('chromium');
  });
});

describe('discoverProfiles on disk', () => {
  let home: string | undefined;
  afterEach(() => home && rmSync(home, { recursive: true, force: true }));

  it('finds Chromium-family profiles with a History file and Firefox profiles with places.sqlite', () => {
    home = mkdtempSync(join(tmpdir(), 'hf-profiles-'));
    const chrome = join(home, '.config', 'google-chrome');
    mkdirSync(join(chrome, 'Default'), { recursive: true });
    mkdirSync(join(chrome, 'Profile 1'), { recursive: true });
    mkdirSync(join(chrome, 'System Profile'), { recursive: true });
    writeFileSync(join(chrome, 'Local State'), JSON.stringify({ profile: { info_cache: { Default: { name: 'Ann' } } } }));
    writeFileSync(join(chrome, 'Default', 'History'), 'x'.repeat(10));
    writeFileSync(join(chrome, 'Profile 1', 'History'), 'y'.repeat(20));
    const ff = join(home, '.mozilla', 'firefox');
    mkdirSync(join(ff, 'Profiles', 'p.default'), { recursive: true });
    writeFileSync(join(ff, 'profiles.ini'), '[Profile0]\nName=default\nIsRelative=1\nPath=Profiles/p.default\n');
    writeFileSync(join(ff, 'Profiles', 'p.default', 'places.sqlite'), 'z'.repeat(5));
    const found = discoverProfiles('linux', home, {});
    expect(found.map((p) => [p.id, p.browser, p.name, p.historySize])).toEqual([
      ['chrome:Default', 'chrome', 'Ann', 10],
      ['chrome:Profile 1', 'chrome', 'Profile 1', 20],
      ['firefox:p.default', 'firefox', 'default', 5],
    ]);
    expect(found[0]!.historyPath).toBe(join(chrome, 'Default', 'History'));
    expect(found[0]!.modifiedAt).toBeGreaterThan(Date.now() - 60_000);
  });
});
