/**
 * Fast non-cryptographic string hashing for index keys (never for integrity: bundles and the
 * repo ledger use SHA-256). Two independent 53-bit lanes give a 106-bit key, so a collision
 * between two different URLs is not a practical concern even at millions of rows.
 */
function cyrb53(text: string, seed: number): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** A 22-character base-36 key for a string: stable across machines and versions. */
export function stringKey(text: string): string {
  return cyrb53(text, 0).toString(36).padStart(11, '0') + cyrb53(text, 0x9e3779b9).toString(36).padStart(11, '0');
}

/** A 53-bit number for a string (one lane of stringKey): compact set membership over millions of ids. */
export function hash53(text: string): number {
  return cyrb53(text, 0);
}
