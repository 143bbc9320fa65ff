/**
 * Inflating a deflated `items` event (shared/history/inflate.ts): what a real host sends comes back
 * exactly; everything a hostile host could send instead is INVALID_RESULT, and a bomb is refused
 * before it is held whole.
 */
import { deflateRawSync, deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CodedError } from '../../../shared/errors';
import { VisitColumnsBuilder } from '../../../shared/history/columns';
import { inflateJson } from '../../../shared/history/inflate';
import { HISTORY_INFLATED_MAX_BYTES } from '../../../shared/protocol/history';

const deflated = (bytes: Buffer | string) => deflateRawSync(bytes, { level: 1 }).toString('base64');

async function failure(base64: string, maxBytes = HISTORY_INFLATED_MAX_BYTES): Promise<CodedError> {
  const error = await inflateJson(base64, maxBytes).then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(CodedError);
  expect((error as CodedError).code).toBe('INVALID_RESULT');
  return error as CodedError;
}

describe('inflateJson', () => {
  it('gives back the columns the host deflated, non-ASCII text included', async () => {
    const builder = new VisitColumnsBuilder('chrome');
    for (let i = 0; i < 3000; i++) builder.add({ url: `https://site${i % 97}.example/page/${i % 700}?q=日本語`, title: `Page ${i % 700} — “quoted” 🦊`, visitedAt: 1_700_000_000_000 + i * 1000, transition: 'link' });
    const columns = builder.take();
    const text = JSON.stringify(columns);
    const packed = deflated(text);
    // The stream this is for: several times smaller as base64 than the JSON it replaces.
    expect(packed.length).toBeLessThan(Buffer.byteLength(text) / 3);
    expect(await inflateJson(packed, HISTORY_INFLATED_MAX_BYTES)).toEqual(columns);
  });

  it('refuses a bomb as soon as its output passes the limit', async () => {
    // 64 MiB of zeros deflate to ~64 KB: far past the limit, refused at it.
    const bomb = deflateRawSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 }).toString('base64');
    expect(bomb.length).toBeLessThan(150_000);
    const error = await failure(bomb);
    expect(error.message).toContain(`more than ${HISTORY_INFLATED_MAX_BYTES} bytes`);
    // Exactly at the limit is fine; one byte over is not.
    const json = JSON.stringify('x'.repeat(998));
    expect(await inflateJson(deflated(json), 1000)).toBe('x'.repeat(998));
    await failure(deflated(json), 999);
  });

  it('refuses what is not base64, not raw deflate, cut short, not UTF-8 or not JSON', async () => {
    expect((await failure('not base64 at all!')).message).toContain('not base64');
    // zlib-wrapped deflate (a header raw deflate does not have) and random bytes.
    expect((await failure(deflateSync('{"a":1}').toString('base64'))).message).toContain('does not inflate');
    expect((await failure(Buffer.from([0xff, 0xfe, 0xfd, 0x00, 0x13]).toString('base64'))).message).toContain('does not inflate');
    const whole = deflateRawSync(JSON.stringify({ urls: ['https://example.com/'.repeat(50)] }));
    expect((await failure(whole.subarray(0, whole.length - 4).toString('base64'))).message).toContain('does not inflate');
    expect((await failure(deflated(Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d])))).message).toContain('not UTF-8');
    expect((await failure(deflated('{"columns": [1, 2'))).message).toContain('not JSON');
    expect((await failure(''))).toBeInstanceOf(CodedError);
  });
});
