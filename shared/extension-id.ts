/**
 * The extension's fixed identity. The public key goes into the manifest `key`; Chromium derives
 * the extension ID from it (SHA-256 of the DER key, first 32 hex digits mapped 0-f → a-p), so the
 * ID is the same on every build and every machine. The native host manifest lists this ID.
 */
export const EXTENSION_PUBLIC_KEY =
  'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAw8VdhQZjnhywTEoEjKBo3Q1D3Xhl+KXo50k8It710liggIP/OSbL4BzcByNZYj2BN6mqGPxX5eBhnmFbHID6Wd9T7sY2TZTSUpLN84TNyAcZNwwxt4d2SDae/AUo07z6qiOEqk9/Qomfhy2kqzmBA4DWj3GvOZmGfLT5lGVf2iBV6RpecKcXj537Dv0I+hVh0DDpKTRth2XlzNYRkts/2aa+VYz4gVfeqIxEvxGDf+FhwsKwGqklX3IjCSUEP6ZzTYcIA6lqnpkb7EGDx1Ce6wi1UHWPNCBumlOD38oJL8BmZnlL5F//DFe5sxqRDcgXDK8p721zq3jBzNsNCqMbPwIDAQAB';

export const EXTENSION_ID = 'lnopfgfjfhggomclhadcgkgafokkdhdb';

export const EXTENSION_ORIGIN = `chrome-extension://${EXTENSION_ID}/`;

/**
 * IDs the stores assign to the published extension (the store build has no `key`, so each store
 * gives it its own ID). Filled in once per store at first publication; until then the host is
 * installed for a store ID with `hydraflow-host install --extension-id ID`. See docs/host.md.
 */
export const STORE_EXTENSION_IDS: readonly string[] = [];

/** Every extension ID the host manifest allows by default: the fixed dev ID and the store IDs. */
export const DEFAULT_EXTENSION_IDS: readonly string[] = [EXTENSION_ID, ...STORE_EXTENSION_IDS];

/** A Chromium extension ID: 32 letters a–p. */
export function isExtensionId(value: string): boolean {
  return /^[a-p]{32}$/.test(value);
}

export function extensionOrigin(id: string): string {
  return `chrome-extension://${id}/`;
}

/** Name of the native messaging host (lowercase, dots and underscores only, as Chromium requires). */
export const NATIVE_HOST_NAME = 'com.hydraflow.host';

/** Maps a SHA-256 hex digest of the DER public key to an extension ID, as Chromium does. */
export function extensionIdFromKeyDigest(sha256Hex: string): string {
  return [...sha256Hex.slice(0, 32)].map((digit) => String.fromCharCode(97 + parseInt(digit, 16))).join('');
}
