/**
 * Fast non-cryptographic string hashing for index keys (never for integrity: bundles and the
 * repo ledger use SHA-256). Two independent 53-bit lanes give a 106-bit key, so a collision
 * between two different URLs is not a practical concern even at millions of rows. Keys are
 * stored (visit ids, URL keys): the output must never change (a unit test pins it).
 */
const SEED_B = 0x9e3779b9;

/** cyrb53's final mix of one lane's two 32-bit halves into a 53-bit number. */
function mix(h1: number, h2: number): number {
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

function cyrb53(text: string, seed: number): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  return mix(h1, h2);
}

const DIGITS = '0123456789abcdefghijklmnopqrstuvwxyz';
const BASE36_6 = 36 ** 6;

/**
 * `n.toString(36).padStart(11, '0')` for 0 ≤ n < 2^53, by integer steps: Number#toString(36)
 * takes V8's generic double-to-radix path, several times slower than the hash itself (every
 * visit an import reads is keyed here).
 */
function base36(n: number): string {
  let high = Math.floor(n / BASE36_6);
  let low = n - high * BASE36_6;
  let out = '';
  for (let i = 0; i < 6; i++) {
    const q = Math.floor(low / 36);
    out = DIGITS[low - q * 36]! + out;
    low = q;
  }
  for (let i = 0; i < 5; i++) {
    const q = Math.floor(high / 36);
    out = DIGITS[high - q * 36]! + out;
    high = q;
  }
  return out;
}

/** A 22-character base-36 key for a string: stable across machines and versions. */
export function stringKey(text: string): string {
  // Both lanes (seeds 0 and SEED_B) in one pass over the text.
  let a1 = 0xdeadbeef;
  let a2 = 0x41c6ce57;
  let b1 = 0xdeadbeef ^ SEED_B;
  let b2 = 0x41c6ce57 ^ SEED_B;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    a1 = Math.imul(a1 ^ ch, 2654435761);
    a2 = Math.imul(a2 ^ ch, 1597334677);
    b1 = Math.imul(b1 ^ ch, 2654435761);
    b2 = Math.imul(b2 ^ ch, 1597334677);
  }
  return base36(mix(a1, a2)) + base36(mix(b1, b2));
}

/** A 53-bit number for a string (one lane of stringKey): compact set membership over millions of ids. */
export function hash53(text: string): number {
  return cyrb53(text, 0);
}
