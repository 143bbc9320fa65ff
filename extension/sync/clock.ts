/**
 * The hybrid logical clock that orders edits across machines (docs/sync.md, "Conflicts"): a stamp
 * is at least the wall clock, always above every stamp this worker made or received, and carries
 * a node id (random per worker start) that breaks ties. After a worker restart the clock resumes
 * from the wall clock; only a wall clock set back behind the last stamp could then order an edit
 * before an older one, which the counter cannot see across restarts.
 */
import { formatHlc, parseHlc } from '../../shared/sync/format';

const node = Array.from(crypto.getRandomValues(new Uint8Array(6)), (b) => (b % 36).toString(36)).join('');
let lastWall = 0;
let lastCounter = 0;

/** A new stamp, later than every stamp seen so far. */
export function tick(now = Date.now()): string {
  if (now > lastWall) {
    lastWall = now;
    lastCounter = 0;
  } else {
    lastCounter++;
  }
  return formatHlc(lastWall, lastCounter, node);
}

/** Moves the clock past a stamp received from another machine. */
export function observe(stamp: string): void {
  const { wall, counter } = parseHlc(stamp);
  if (wall > lastWall || (wall === lastWall && counter > lastCounter)) {
    lastWall = wall;
    lastCounter = counter;
  }
}
