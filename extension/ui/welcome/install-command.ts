/**
 * The host install commands this browser needs: one for its usual profile folder
 * (`--browser <kind>`), one for a browser started with `--user-data-dir` (the host manifest then
 * goes inside that folder), both from `hostInstallCommand` (shared/host-install.ts), the text the
 * host CLI and the docs show. The browser kind comes from the User-Agent brands.
 */
import { hostInstallCommand } from '../../../shared/host-install';
import type { BrowserKind } from '../../../shared/schemas/statuses';

const BRANDS: [RegExp, BrowserKind][] = [
  [/Microsoft Edge/i, 'edge'],
  [/Brave/i, 'brave'],
  [/Vivaldi/i, 'vivaldi'],
  [/Google Chrome/i, 'chrome'],
];

export function browserKindFrom(brands: readonly { brand: string }[], userAgent: string): BrowserKind {
  const names = `${brands.map((b) => b.brand).join(' ')} ${userAgent}`;
  return BRANDS.find(([pattern]) => pattern.test(names))?.[1] ?? 'chromium';
}

export function thisBrowserKind(): BrowserKind {
  const data = (navigator as Navigator & { userAgentData?: { brands: { brand: string }[] } }).userAgentData;
  return browserKindFrom(data?.brands ?? [], navigator.userAgent);
}

export function installCommands(kind: BrowserKind): { browser: string; userDataDir: string } {
  return { browser: hostInstallCommand({ browser: kind }), userDataDir: hostInstallCommand({ userDataDir: '/path/to/profile-folder' }) };
}
