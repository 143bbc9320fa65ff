/**
 * Time conversions, each in exactly one function. Inside HydraFlow every time is `…At`: integer
 * milliseconds since the Unix epoch (UTC).
 */

/** Microseconds between 1601-01-01 (Windows/Chrome epoch) and 1970-01-01. */
export const CHROME_EPOCH_OFFSET_MICROS = 11_644_473_600_000_000n;

/**
 * Chrome/WebKit time (microseconds since 1601-01-01 UTC; values exceed 2^53, so BigInt) to
 * milliseconds since the Unix epoch, truncated toward negative infinity. Accepts the bigint,
 * decimal string or (safe) number that a SQLite driver hands back.
 */
export function chromeTimeToUnixMs(chromeMicros: bigint | string | number): number {
  const micros = BigInt(chromeMicros) - CHROME_EPOCH_OFFSET_MICROS;
  const floorDiv = micros >= 0n ? micros / 1000n : -((-micros + 999n) / 1000n);
  return Number(floorDiv);
}

/** Inverse of chromeTimeToUnixMs (for fixtures and tests). */
export function unixMsToChromeTime(unixMs: number): bigint {
  return BigInt(Math.trunc(unixMs)) * 1000n + CHROME_EPOCH_OFFSET_MICROS;
}

/** Microseconds since the Unix epoch (Firefox, Google Takeout) to milliseconds. */
export function unixMicrosToUnixMs(micros: bigint | string | number): number {
  const value = BigInt(micros);
  return Number(value >= 0n ? value / 1000n : -((-value + 999n) / 1000n));
}

export const DAY_MS = 86_400_000;
/** A day in microseconds (Chrome, Firefox and Takeout times). */
export const DAY_MICROS = BigInt(DAY_MS) * 1000n;
