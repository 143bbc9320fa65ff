import { describe, expect, it } from 'vitest';
import { encodeFrame, FrameDecoder, type DecodedFrame } from '../../../native-host/core/frame-decoder';

const messages = (frames: DecodedFrame[]) => frames.filter((f) => f.kind === 'message').map((f) => (f as { value: unknown }).value);

describe('FrameDecoder', () => {
  const one = encodeFrame({ id: 1, method: 'hello', params: { text: 'héllo ✓ 𝄞' } });
  const two = encodeFrame({ id: 2, method: 'hello' });

  it('decodes a frame split at every possible byte boundary', () => {
    for (let cut = 1; cut < one.length; cut++) {
      const decoder = new FrameDecoder();
      expect(decoder.push(one.subarray(0, cut))).toEqual([]);
      expect(messages(decoder.push(one.subarray(cut)))).toEqual([{ id: 1, method: 'hello', params: { text: 'héllo ✓ 𝄞' } }]);
      expect(decoder.bufferedBytes).toBe(0);
    }
  });

  it('decodes several frames from one chunk, and a frame one byte at a time', () => {
    expect(messages(new FrameDecoder().push(Buffer.concat([one, two, one])))).toHaveLength(3);
    const decoder = new FrameDecoder();
    const out: DecodedFrame[] = [];
    for (const byte of two) out.push(...decoder.push(Uint8Array.of(byte)));
    expect(messages(out)).toEqual([{ id: 2, method: 'hello' }]);
  });

  it('refuses an oversized length once, then resynchronises on the next plausible frame', () => {
    const decoder = new FrameDecoder(1024);
    const header = Buffer.alloc(4);
    header.writeUInt32LE(70 * 1024 * 1024, 0);
    const out = decoder.push(Buffer.concat([header, Buffer.from('random junk bytes'), two]));
    expect(out[0]).toMatchObject({ kind: 'error', code: 'FRAME_TOO_LARGE' });
    expect(out.filter((f) => f.kind === 'error')).toHaveLength(1);
    expect(messages(out)).toEqual([{ id: 2, method: 'hello' }]);
  });

  it('reports invalid JSON and invalid UTF-8 without losing the following frame', () => {
    const bad = Buffer.from('{nope');
    const header = Buffer.alloc(4);
    header.writeUInt32LE(bad.length, 0);
    const badUtf8 = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
    const header2 = Buffer.alloc(4);
    header2.writeUInt32LE(badUtf8.length, 0);
    const out = new FrameDecoder().push(Buffer.concat([header, bad, header2, badUtf8, two]));
    expect(out.map((f) => (f.kind === 'error' ? f.code : 'message'))).toEqual(['INVALID_JSON', 'INVALID_JSON', 'message']);
  });

  it('waits (without error) for the rest of a frame that has not fully arrived', () => {
    const decoder = new FrameDecoder();
    expect(decoder.push(one.subarray(0, 10))).toEqual([]);
    expect(decoder.bufferedBytes).toBe(10);
  });
});
