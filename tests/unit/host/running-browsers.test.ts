import { describe, expect, it } from 'vitest';
import { argvFromPsLine, userDataDirsFromArgvs } from '../../../native-host/install/running-browsers';

describe('custom profiles of running browsers', () => {
  it('takes --user-data-dir from browser main processes only (not helpers, not other programs)', () => {
    expect(
      userDataDirsFromArgvs([
        ['/usr/lib/chromium/chromium', '--user-data-dir=/tmp/my profile', '--no-first-run'],
        ['/usr/lib/chromium/chromium', '--type=renderer', '--user-data-dir=/tmp/renderer-only'],
        ['/opt/google/chrome/chrome', '--user-data-dir=/tmp/my profile'],
        ['/usr/bin/brave-browser-stable', '--user-data-dir=/home/u/brave ü'],
        ['/usr/share/code/code', '--user-data-dir=/tmp/vscode'],
        ['chromium', '--user-data-dir='],
        ['msedge'],
      ]),
    ).toEqual(['/tmp/my profile', '/home/u/brave ü']);
  });

  it('splits macOS ps lines at " --", keeping spaces inside the app path and the profile path', () => {
    expect(argvFromPsLine('/Applications/Google Chrome.app/Contents/MacOS/Google Chrome --user-data-dir=/Users/u/My Profile --no-first-run')).toEqual([
      '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
      '--user-data-dir=/Users/u/My Profile',
      '--no-first-run',
    ]);
    expect(userDataDirsFromArgvs([argvFromPsLine('/Applications/Brave Browser.app/Contents/MacOS/Brave Browser --user-data-dir=/tmp/b')])).toEqual(['/tmp/b']);
    expect(argvFromPsLine('/usr/sbin/cfprefsd agent')).toEqual(['/usr/sbin/cfprefsd', 'agent']);
  });
});
