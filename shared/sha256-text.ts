/**
 * SHA-256 (lowercase hex) of a text's UTF-8 bytes, with WebCrypto (the extension's pages and
 * worker; Node has the same global). The same digest as the host's `createHash('sha256')` of the
 * text's UTF-8 bytes. (shared/bundle/sha256.ts is the incremental, synchronous one for streams.)
 */
export async function sha256Text(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
}
