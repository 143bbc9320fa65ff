/**
 * Protocol fuzz: random and mutated frames to the real host process, in batches, each batch
 * followed by a valid `hello` probe. Verified: every byte the host writes to stdout is a frame
 * (HostProcess flags anything else), the host never exits, and every probe is answered. A batch
 * that ends with a frame declaring more bytes than it sent waits for the host to discard it
 * (FRAME_TRUNCATED) before its probe. A probe never answered, or an open frame never discarded,
 * is a hang.
 */
import { encodeFrame } from '../../../native-host/core/frame-decoder';
import { PROTOCOL_VERSION } from '../../../shared/version';
import { HostProcess } from '../../support/host-process';
import { randomSource, type Scenario } from '../report';

const STALL_MS = 100;
const METHODS = ['hello', 'cancel', 'repo.list', 'repo.apply', 'repo.ledger', 'repo.check', 'history.profiles', 'history.read', 'history.summary', 'nope', '', 'hello.x', '__proto__', 'constructor'];

type Random = ReturnType<typeof randomSource>;

function randomBytes(random: Random, length: number): Buffer {
  const bytes = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) bytes[i] = random.int(256);
  return bytes;
}

function randomValue(random: Random, depth = 0): unknown {
  switch (random.int(depth > 2 ? 5 : 8)) {
    case 0:
      return null;
    case 1:
      return random.next() < 0.5;
    case 2:
      return random.pick([0, -1, 1e308, -0, 2 ** 53 + 1, 3.5, Number.MAX_SAFE_INTEGER]);
    case 3:
      return random.pick(['', 'x', '\u0000', '\ud800', '../../etc/passwd', 'a'.repeat(10_000), '{"id":1}', '🙂']);
    case 4:
      return randomBytes(random, random.int(40)).toString('latin1');
    case 5:
      return Array.from({ length: random.int(5) }, () => randomValue(random, depth + 1));
    default:
      return Object.fromEntries(Array.from({ length: random.int(5) }, () => [random.pick(['id', 'method', 'params', 'protocolVersion', 'requestId', 'repoId', 'patch', 'path', 'limit', 'after', '__proto__', 'x']), randomValue(random, depth + 1)]));
  }
}

/** A request-shaped message with wrong types, unknown methods or bad params. */
function badRequest(random: Random, n: number): unknown {
  const id = random.next() < 0.8 ? `fuzz-${n}` : randomValue(random);
  const method = random.next() < 0.8 ? random.pick(METHODS) : randomValue(random);
  const params = random.next() < 0.3 ? { protocolVersion: PROTOCOL_VERSION } : randomValue(random);
  return random.next() < 0.1 ? randomValue(random) : { id, method, params };
}

function withLength(payload: Buffer, length: number): Buffer {
  const header = Buffer.alloc(4);
  header.writeUInt32LE(length >>> 0, 0);
  return Buffer.concat([header, payload]);
}

/** One fuzz input; `open` when it declares more bytes than it carries (it will swallow what follows). */
function fuzzInput(random: Random, n: number, smoke: boolean): { bytes: Buffer; open: boolean; kind: string } {
  const valid = encodeFrame(badRequest(random, n));
  const payload = valid.subarray(4);
  switch (random.int(10)) {
    case 0: {
      const garbage = randomBytes(random, 1 + random.int(200));
      return { bytes: withLength(garbage, garbage.length), open: false, kind: 'random payload' };
    }
    case 1: {
      // Bit flips inside a well-formed frame: invalid JSON, invalid UTF-8, or a different request.
      const copy = Buffer.from(payload);
      for (let i = 0; i < 1 + random.int(4); i++) { const at = random.int(copy.length); copy[at] = copy[at]! ^ (1 << random.int(8)); }
      return { bytes: withLength(copy, copy.length), open: false, kind: 'bit flips' };
    }
    case 2: {
      // Declared shorter than the payload: the rest is read as the next frame's header.
      const cut = Math.max(1, payload.length - 1 - random.int(payload.length));
      return { bytes: withLength(payload, cut), open: false, kind: 'length too short' };
    }
    case 3: {
      // Rare (they end a batch and cost a stall each), but every run has some.
      if (random.next() < 0.7) return { bytes: valid, open: false, kind: 'bad request' };
      const extra = 1 + random.int(64);
      return { bytes: withLength(payload, payload.length + extra), open: true, kind: 'length too long' };
    }
    case 4:
      return { bytes: withLength(Buffer.alloc(0), random.pick([0, 0xffffffff, 64 * 1024 * 1024 + 1, 0x7fffffff])), open: false, kind: 'zero or huge length' };
    case 5:
      return { bytes: withLength(Buffer.from([0xc3, 0x28, 0xff, 0x7b]), 4), open: false, kind: 'invalid UTF-8' };
    case 6: {
      // A large, complete frame of JSON garbage (megabytes in the full run); rare, they are slow.
      if (random.next() < 0.9) return { bytes: valid, open: false, kind: 'bad request' };
      const size = smoke ? 50_000 : random.pick([100_000, 1_000_000, 4_000_000]);
      const body = Buffer.from(`{"id":"big-${n}","method":"hello","params":${'['.repeat(10)}"${'x'.repeat(size)}`);
      return { bytes: withLength(body, body.length), open: false, kind: 'large garbage' };
    }
    default:
      return { bytes: valid, open: false, kind: 'bad request' };
  }
}

export const protocolFuzz: Scenario = {
  name: 'protocol fuzz',
  needs: 'host',
  async run({ smoke, seed, log }) {
    const random = randomSource(seed);
    const total = smoke ? 300 : 10_000;
    const batch = smoke ? 30 : 50;
    const host = new HostProcess({ env: { HYDRAFLOW_FRAME_STALL_MS: String(STALL_MS) } });
    let probes = 0;
    let answered = 0;
    let truncated = 0;
    let swallowed = 0;
    let sentFrames = 0;
    let hangs = 0;
    let duplicates = 0;
    const kinds = new Map<string, number>();
    try {
      for (let sent = 0, round = 0; sent < total; round++) {
        const parts: Buffer[] = [];
        let open = false;
        for (let i = 0; i < batch && sent < total && !open; i++, sent++) {
          const input = fuzzInput(random, sent, smoke);
          kinds.set(input.kind, (kinds.get(input.kind) ?? 0) + 1);
          parts.push(input.bytes);
          // An open frame ends the batch: what follows is swallowed until the stall rule drops it.
          open = input.open;
        }
        await host.writeRaw(Buffer.concat(parts));
        sentFrames = sent;
        if (open) {
          // Whatever is sent now is swallowed by the open frame until the host drops it.
          try {
            await host.waitFor((f) => f.error?.code === 'FRAME_TRUNCATED', 10_000);
            truncated++;
          } catch {
            hangs++;
            log(`an open frame was never discarded (batch ${round})`);
            break;
          }
        }
        const probe = `probe-${round}`;
        probes++;
        const framesBefore = host.frames.length;
        try {
          await host.request(probe, 'hello', { protocolVersion: PROTOCOL_VERSION }, 3000);
          answered++;
        } catch {
          // Garbage can hold a plausible header (a small length, then `{`) that the resync takes
          // for a frame: the probe is swallowed with it, and that frame is then discarded too.
          const droppedAfterProbe = host.frames.slice(framesBefore).some((f) => f.error?.code === 'FRAME_TRUNCATED');
          try {
            if (!droppedAfterProbe) throw new Error('not swallowed');
            await host.request(`${probe}-again`, 'hello', { protocolVersion: PROTOCOL_VERSION }, 10_000);
            answered++;
            swallowed++;
          } catch {
            hangs++;
            log(`probe ${probe} unanswered after a batch of ${parts.length} frames`);
            break;
          }
        }
        const replies = host.frames.filter((f) => f.id === probe && 'ok' in f).length;
        if (replies > 1) duplicates += replies - 1;
        if (host.child.exitCode !== null) break;
        host.frames.length = 0;
      }
      const exited = host.child.exitCode !== null;
      const garbage = host.garbage === null ? 0 : 1;
      log(`fuzz inputs by kind: ${JSON.stringify(Object.fromEntries(kinds))}`);
      return {
        runs: sentFrames,
        rowsExpected: probes,
        rowsFound: answered,
        duplicates,
        lost: probes - answered,
        failures: hangs + garbage + (exited ? 1 : 0),
        notes: [
          `${sentFrames} fuzz frames in ${probes} batches, each followed by a hello probe`,
          `${swallowed} probes swallowed by a plausible header that garbage happened to contain; answered after that frame was discarded`,
          `${truncated} frames declared more bytes than they sent: each discarded with FRAME_TRUNCATED, the next probe answered`,
          `non-frame bytes on stdout: ${garbage ? host.garbage : 'none'}; host exited: ${exited ? 'yes' : 'no'}`,
        ],
      };
    } finally {
      await host.stop();
    }
  },
};
