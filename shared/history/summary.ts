/**
 * Summaries of a history file, so a re-import reads only what changed (docs/history.md,
 * "Re-import"). The host summarizes a file per block of UTC days of visit time: how many visits,
 * and an order-independent digest of their identities; the extension keeps the summary of what it
 * imported from each source and asks the host for the days whose blocks differ. Pure: no file, no
 * database. A summary is only ever compared with a summary of the same source and kind.
 *
 * The digest of a block is the sum, lane by lane modulo 2^26, of a non-linear function of each
 * visit's (URL identity, time): a visit removed and another added on the same day changes it
 * (unless the two collide in both 26-bit lanes), and blocks merge by adding digests. The host
 * computes it in SQL for SQLite files (URL identity = the URL row id, time = the source's own
 * time) and in JavaScript for Takeout files (the URL's 53-bit hash, `visitedAt`), both through
 * `visitDigestTerms`' arithmetic (a unit test checks that the SQL and this agree).
 */
import { z } from 'zod';
import { CHROME_EPOCH_OFFSET_MICROS, DAY_MICROS, DAY_MS } from '../time';

export type HistoryFileKindName = 'chromium' | 'firefox' | 'takeout';

/** [block index (= floor(day / blockDays)), visits, digest]. */
export type SummaryBlock = [block: number, count: number, digest: number];

export interface HistorySummary {
  kind: HistoryFileKindName;
  /** Days per block, a power of two (1 unless the file spans more than MAX_SUMMARY_BLOCKS days). */
  blockDays: number;
  /** Blocks holding at least one visit, ascending. */
  blocks: SummaryBlock[];
}

/** At most this many blocks in a summary: a file spanning more days gets blocks of 2, 4, … days. */
export const MAX_SUMMARY_BLOCKS = 4096;
/** Largest block size: 2^27 days covers every time a JavaScript Date holds in one block. */
export const MAX_BLOCK_DAYS = 2 ** 27;
/** The last UTC day a visit can have (8.64 × 10^15 ms, the last instant a Date holds). */
export const MAX_DAY = 100_000_000;
/** At most this many day ranges in one `history.read`. */
export const MAX_READ_RANGES = MAX_SUMMARY_BLOCKS;

/** Digest lanes: two sums modulo 2^26, packed into one number below 2^52. */
export const DIGEST_LANE = 2 ** 26;
/** The primes and multipliers of the two lanes (SQL in native-host/history/read.ts uses the same). */
export const DIGEST_P1 = 2_147_483_647n;
export const DIGEST_K1 = 48_271n;
export const DIGEST_P2 = 2_147_483_629n;
export const DIGEST_K2 = 69_621n;

const blockSchema = z.lazy(() => z.tuple([z.number().int().min(0).max(MAX_DAY), z.number().int().positive().max(Number.MAX_SAFE_INTEGER), z.number().int().min(0).max(DIGEST_LANE * DIGEST_LANE - 1)]));

/** A summary as sent by the host and stored by the extension: bounded, blocks strictly ascending. */
export const historySummary = z.lazy(() =>
  z
    .object({
      kind: z.enum(['chromium', 'firefox', 'takeout']),
      blockDays: z.number().int().min(1).max(MAX_BLOCK_DAYS).refine((n) => (n & (n - 1)) === 0, 'blockDays must be a power of two'),
      blocks: z.array(blockSchema).max(MAX_SUMMARY_BLOCKS),
    })
    .refine((s) => s.blocks.every((block, i) => i === 0 || block[0] > s.blocks[i - 1]![0]), { message: 'blocks must be strictly ascending' }),
);

/** Half-open ranges of UTC days, [from, to), ascending and disjoint (`history.read`'s `days`). */
export type DayRange = [from: number, to: number];

export const dayRanges = z.lazy(() =>
  z
    .array(z.tuple([z.number().int().min(0).max(MAX_DAY), z.number().int().min(1).max(MAX_DAY + 1)]))
    .max(MAX_READ_RANGES)
    .refine((ranges) => ranges.every(([from, to], i) => from < to && (i === 0 || from >= ranges[i - 1]![1])), { message: 'day ranges must be non-empty, ascending and disjoint' }),
);

/** One visit's two lane terms (SQL mirrors this exactly: integer arithmetic, truncating %, /). */
export function visitDigestTerms(urlIdentity: bigint, time: bigint): [bigint, bigint] {
  const z1 = ((urlIdentity % DIGEST_P1) * DIGEST_K1 + (time % DIGEST_P1) + 1n) % DIGEST_P1;
  const z2 = ((urlIdentity % DIGEST_P2) + (urlIdentity / DIGEST_P2) * 31n + (time % DIGEST_P2) * DIGEST_K2 + ((time / DIGEST_P2) % DIGEST_P2) + 7n) % DIGEST_P2;
  return [(z1 * z1) % DIGEST_P1, (z2 * z2) % DIGEST_P2];
}

/** Packs two lane sums into a digest. */
export function packDigest(lane1: bigint, lane2: bigint): number {
  const lane = BigInt(DIGEST_LANE);
  return Number(lane1 % lane) * DIGEST_LANE + Number(lane2 % lane);
}

/** The digest of two blocks together (lane by lane, modulo 2^26). */
export function addDigests(a: number, b: number): number {
  const high = (Math.floor(a / DIGEST_LANE) + Math.floor(b / DIGEST_LANE)) % DIGEST_LANE;
  const low = ((a % DIGEST_LANE) + (b % DIGEST_LANE)) % DIGEST_LANE;
  return high * DIGEST_LANE + low;
}

/**
 * Builds a summary from per-day groups given in ascending day order (what a GROUP BY day yields),
 * doubling the block size whenever the blocks would exceed MAX_SUMMARY_BLOCKS (merging is adding).
 */
export class SummaryBuilder {
  private blockDays = 1;
  private readonly blocks: SummaryBlock[] = [];
  private lastDay = -1;

  constructor(private readonly kind: HistoryFileKindName) {}

  add(day: number, count: number, digest: number): void {
    if (!Number.isSafeInteger(day) || day < 0 || day > MAX_DAY || day <= this.lastDay) throw new Error(`summary days must ascend within [0, ${MAX_DAY}]: ${day} after ${this.lastDay}`);
    this.lastDay = day;
    if (count <= 0) return;
    const block = Math.floor(day / this.blockDays);
    const last = this.blocks[this.blocks.length - 1];
    if (last && last[0] === block) {
      last[1] += count;
      last[2] = addDigests(last[2], digest);
    } else this.blocks.push([block, count, digest]);
    while (this.blocks.length > MAX_SUMMARY_BLOCKS) this.coarsen();
  }

  private coarsen(): void {
    const merged = coarsenBlocks(this.blocks, 2);
    this.blocks.splice(0, this.blocks.length, ...merged);
    this.blockDays *= 2;
  }

  finish(): HistorySummary {
    return { kind: this.kind, blockDays: this.blockDays, blocks: this.blocks.map((block) => [...block] as SummaryBlock) };
  }
}

function coarsenBlocks(blocks: readonly SummaryBlock[], factor: number): SummaryBlock[] {
  const out: SummaryBlock[] = [];
  for (const [index, count, digest] of blocks) {
    const block = Math.floor(index / factor);
    const last = out[out.length - 1];
    if (last && last[0] === block) {
      last[1] += count;
      last[2] = addDigests(last[2], digest);
    } else out.push([block, count, digest]);
  }
  return out;
}

/** The same summary with blocks of `blockDays` (a power-of-two multiple of its own). */
export function withBlockDays(summary: HistorySummary, blockDays: number): HistorySummary {
  if (blockDays === summary.blockDays) return summary;
  if (blockDays < summary.blockDays || blockDays % summary.blockDays !== 0) throw new Error(`cannot refine blocks of ${summary.blockDays} days into ${blockDays}`);
  return { kind: summary.kind, blockDays, blocks: coarsenBlocks(summary.blocks, blockDays / summary.blockDays) };
}

/**
 * The day ranges a re-import must read: the blocks of `file` whose count or digest differ from
 * `stored` (new blocks and changed ones), as merged [from, to) ranges of days. Blocks only in
 * `stored` (days the browser has since dropped) hold nothing to read. Both are first brought to
 * the larger block size. `null` when the summaries cannot be compared (another kind of file):
 * everything is read.
 */
export function changedDays(stored: HistorySummary, file: HistorySummary): { blockDays: number; ranges: DayRange[] } | null {
  if (stored.kind !== file.kind) return null;
  const blockDays = Math.max(stored.blockDays, file.blockDays);
  const before = new Map(withBlockDays(stored, blockDays).blocks.map(([index, count, digest]) => [index, `${count}:${digest}`]));
  const ranges: DayRange[] = [];
  for (const [index, count, digest] of withBlockDays(file, blockDays).blocks) {
    if (before.get(index) === `${count}:${digest}`) continue;
    const from = index * blockDays;
    const to = Math.min((index + 1) * blockDays, MAX_DAY + 1);
    const last = ranges[ranges.length - 1];
    if (last && last[1] === from) last[1] = to;
    else ranges.push([from, to]);
  }
  return { blockDays, ranges };
}

/** The UTC day of a read position (the day of the last row read), or -1 before 1970. */
export function positionDay(kind: HistoryFileKindName, position: { time: string }): number {
  if (kind === 'takeout') return Math.floor(Number(position.time) / DAY_MS);
  const micros = BigInt(position.time) - (kind === 'chromium' ? CHROME_EPOCH_OFFSET_MICROS : 0n);
  if (micros < 0n) return -1;
  return Number(micros / DAY_MICROS);
}

/**
 * What to record as imported from a source while (and once) an import has read up to `throughDay`
 * (every visit of the days before it that the import reads is stored; `Infinity` when it is done).
 * `file` is the file's summary taken at the import's start, `ranges` the days it reads (`null`:
 * all). A block read completely, or not read because it matched, takes the file's value; a block
 * still to read keeps what `stored` said (the earlier import's), or is absent.
 */
export function recordedSummary(file: HistorySummary, stored: HistorySummary | null, ranges: readonly DayRange[] | null, throughDay: number): HistorySummary {
  const blockDays = file.blockDays;
  const comparable = stored && stored.kind === file.kind && stored.blockDays <= blockDays && blockDays % stored.blockDays === 0 ? withBlockDays(stored, blockDays) : null;
  const pending = (index: number): boolean => {
    const from = index * blockDays;
    const to = (index + 1) * blockDays;
    if (to <= throughDay) return false;
    return ranges === null || ranges.some(([a, b]) => a < to && from < b);
  };
  const out = new Map<number, SummaryBlock>();
  for (const block of file.blocks) if (!pending(block[0])) out.set(block[0], [...block] as SummaryBlock);
  for (const block of comparable?.blocks ?? []) if (pending(block[0])) out.set(block[0], [...block] as SummaryBlock);
  return { kind: file.kind, blockDays, blocks: [...out.values()].sort((a, b) => a[0] - b[0]) };
}
