import { defineConfig } from 'wxt';
import preact from '@preact/preset-vite';
import { EXTENSION_PUBLIC_KEY } from './shared/extension-id';

// The manifest `key` pins the extension ID on every machine, so the native host's
// manifest (allowed_origins) can name it. See docs/architecture.md#extension-id.
// The store build (`wxt zip --mode store`, run by `npm run release`) leaves the key out: stores
// refuse it and assign their own ID, which the host manifest also allows (docs/host.md).
// The version is package.json's (WXT reads it), the one place a version is set.
export default defineConfig({
  modules: ['@wxt-dev/webextension-polyfill'],
  srcDir: '.',
  entrypointsDir: 'entrypoints',
  outDir: '.output',
  vite: () => ({
    plugins: [preact()],
    build: { target: 'chrome120', sourcemap: false },
  }),
  manifest: ({ mode }) => ({
    name: 'HydraFlow',
    description: 'Local-first research companion: every tab has a thread; your history, notes and assistant stay on your machine.',
    ...(mode === 'store' ? {} : { key: EXTENSION_PUBLIC_KEY }),
    minimum_chrome_version: '120',
    permissions: ['storage', 'unlimitedStorage', 'nativeMessaging', 'sidePanel', 'tabs', 'history', 'scripting', 'alarms', 'webNavigation', 'offscreen'],
    host_permissions: ['<all_urls>'],
    action: { default_title: 'HydraFlow' },
    // Typing "hf" then a space in the address bar searches HydraFlow (extension/search/omnibox.ts).
    omnibox: { keyword: 'hf' },
    content_security_policy: {
      extension_pages: "script-src 'self'; object-src 'self'",
    },
  }),
});
