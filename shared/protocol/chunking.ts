/**
 * Keeps host → browser frames under the 1 MiB limit. A result whose JSON is too large for one
 * frame is cut into `part` events (each a slice of the JSON text) followed by a reply carrying
 * `parts: n`; the receiver joins the slices in order and parses them. Pure: no I/O here.
 */
import { MAX_OUTBOUND_FRAME_BYTES, STREAM_PART_BYTES } from './limits';
import type { RequestId } from './envelope';

const encoder = new TextEncoder();

export function jsonByteLength(value: unknown): number {
  return encoder.encode(JSON.stringify(value)).byteLength;
}

/** Splits `text` into slices whose JSON-escaped UTF-8 size stays under `maxBytes` each. */
export function splitText(text: string, maxBytes: number = STREAM_PART_BYTES): string[] {
  const slices: string[] = [];
  let start = 0;
  let step = Math.max(1024, Math.floor(maxBytes / 2));
  while (start < text.length) {
    let end = Math.min(text.length, start + step);
    // Never cut a surrogate pair in half.
    if (end < text.length && isHighSurrogate(text.charCodeAt(end - 1))) end -= 1;
    const slice = text.slice(start, end);
    if (jsonByteLength(slice) > maxBytes && end - start > 1) {
      step = Math.max(1, Math.floor((end - start) / 2));
      continue;
    }
    slices.push(slice);
    start = end;
  }
  return slices;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

export interface OutboundFrames {
  /** `part` events to send first (empty when the reply fits in one frame). */
  parts: { id: RequestId; event: 'part'; data: { seq: number; text: string } }[];
  reply: Record<string, unknown>;
}

/** Plans the frames for a successful reply, chunking the result when its frame would be too big. */
export function planReply(id: RequestId | null, protocolVersion: number, result: unknown): OutboundFrames {
  const reply = { id, ok: true as const, protocolVersion, result };
  if (jsonByteLength(reply) <= MAX_OUTBOUND_FRAME_BYTES - 4 || id === null) return { parts: [], reply };
  const slices = splitText(JSON.stringify(result ?? null));
  return {
    parts: slices.map((text, seq) => ({ id, event: 'part' as const, data: { seq, text } })),
    reply: { id, ok: true as const, protocolVersion, parts: slices.length },
  };
}

/** Collects `part` events for one request and rebuilds the result when the final reply arrives. */
export class PartAssembler {
  private readonly slices: string[] = [];

  add(seq: number, text: string): void {
    this.slices[seq] = text;
  }

  finish(expectedParts: number): { ok: true; value: unknown } | { ok: false; message: string } {
    if (this.slices.length !== expectedParts) {
      return { ok: false, message: `expected ${expectedParts} parts, received ${this.slices.length}` };
    }
    for (let i = 0; i < expectedParts; i++) {
      if (this.slices[i] === undefined) return { ok: false, message: `part ${i} missing` };
    }
    try {
      return { ok: true, value: JSON.parse(this.slices.join('')) };
    } catch (error) {
      return { ok: false, message: `joined parts are not JSON: ${(error as Error).message}` };
    }
  }
}
