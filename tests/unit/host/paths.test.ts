import { describe, expect, it } from 'vitest';
import { browserLocation } from '../../../native-host/core/browser-locations';
import { hostPaths } from '../../../native-host/core/paths';
import { buildHostManifest } from '../../../native-host/install/manifest';
import { EXTENSION_ID, EXTENSION_ORIGIN } from '../../../shared/extension-id';

describe('host config and data locations', () => {
  it('follows XDG on Linux, Application Support on macOS, AppData on Windows, and HYDRAFLOW_HOME everywhere', () => {
    expect(hostPaths('linux', '/home/u', {})).toMatchObject({ configFile: '/home/u/.config/hydraflow/config.json', dataDir: '/home/u/.local/share/hydraflow', logDir: '/home/u/.local/share/hydraflow/logs' });
    expect(hostPaths('linux', '/home/u', { XDG_CONFIG_HOME: '/x/c', XDG_DATA_HOME: '/x/d' })).toMatchObject({ configDir: '/x/c/hydraflow', dataDir: '/x/d/hydraflow' });
    expect(hostPaths('darwin', '/Users/u', {}).configFile).toBe('/Users/u/Library/Application Support/HydraFlow/config.json');
    expect(hostPaths('win32', 'C:\\Users\\u', { APPDATA: 'C:\\Users\\u\\AppData\\Roaming', LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' })).toMatchObject({
      configFile: 'C:\\Users\\u\\AppData\\Roaming\\HydraFlow\\config.json',
      dataDir: 'C:\\Users\\u\\AppData\\Local\\HydraFlow',
    });
    expect(hostPaths('linux', '/home/u', { HYDRAFLOW_HOME: '/tmp/hf' })).toMatchObject({ configFile: '/tmp/hf/config.json', dataDir: '/tmp/hf/data', logDir: '/tmp/hf/data/logs' });
  });
});

describe('browser native-messaging locations', () => {
  it('knows the Linux directories of every supported browser', () => {
    const dirs = (['chrome', 'chromium', 'edge', 'brave', 'vivaldi'] as const).map((b) => browserLocation(b, 'linux', '/home/u').nativeHostsDir);
    expect(dirs).toEqual([
      '/home/u/.config/google-chrome/NativeMessagingHosts',
      '/home/u/.config/chromium/NativeMessagingHosts',
      '/home/u/.config/microsoft-edge/NativeMessagingHosts',
      '/home/u/.config/BraveSoftware/Brave-Browser/NativeMessagingHosts',
      '/home/u/.config/vivaldi/NativeMessagingHosts',
    ]);
  });

  it('knows the macOS directories and the Windows registry keys', () => {
    expect(browserLocation('chrome', 'darwin', '/Users/u').nativeHostsDir).toBe('/Users/u/Library/Application Support/Google/Chrome/NativeMessagingHosts');
    expect(browserLocation('edge', 'darwin', '/Users/u').userDataDir).toBe('/Users/u/Library/Application Support/Microsoft Edge');
    const win = browserLocation('chrome', 'win32', 'C:\\Users\\u', { LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' });
    expect(win.registryKey).toBe('HKCU\\Software\\Google\\Chrome\\NativeMessagingHosts\\com.hydraflow.host');
    expect(win.userDataDir).toBe('C:\\Users\\u\\AppData\\Local\\Google\\Chrome\\User Data');
    expect(browserLocation('edge', 'win32', 'C:\\Users\\u').registryKey).toBe('HKCU\\Software\\Microsoft\\Edge\\NativeMessagingHosts\\com.hydraflow.host');
  });
});

describe('host manifest and launcher', () => {
  it('lists our extension origins (the fixed dev ID, store IDs, IDs added at install) and an absolute launcher', () => {
    expect(buildHostManifest('/abs/launcher')).toEqual({
      name: 'com.hydraflow.host',
      description: expect.any(String),
      path: '/abs/launcher',
      type: 'stdio',
      allowed_origins: [EXTENSION_ORIGIN],
    });
    const storeId = 'abcdefghijklmnopabcdefghijklmnop';
    expect(buildHostManifest('/abs/launcher', [EXTENSION_ID, storeId, EXTENSION_ID]).allowed_origins).toEqual([EXTENSION_ORIGIN, `chrome-extension://${storeId}/`]);
  });
});
