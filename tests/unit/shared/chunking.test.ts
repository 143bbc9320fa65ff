import { describe, expect, it } from 'vitest';
import { jsonByteLength, PartAssembler, planReply, splitText } from '../../../shared/protocol/chunking';
import { encodeFrame } from '../../../native-host/core/frame-decoder';
import { MAX_OUTBOUND_FRAME_BYTES } from '../../../shared/protocol/limits';

describe('chunked replies', () => {
  it('sends a small result as one reply', () => {
    const plan = planReply('a', 1, { n: 1 });
    expect(plan.parts).toEqual([]);
    expect(plan.reply).toEqual({ id: 'a', ok: true, protocolVersion: 1, result: { n: 1 } });
  });

  it('splits a 5 MB result with unicode and control characters into frames under 1 MiB and rebuilds it exactly', () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => ({ i, title: `Ünïcödé 𝄞 "quoted" \n\t\u0001 <b>${i}</b>`, url: `https://example.com/${'x'.repeat(150)}/${i}` }));
    const plan = planReply(42, 1, rows);
    expect(plan.parts.length).toBeGreaterThan(5);
    for (const frame of [...plan.parts, plan.reply]) expect(encodeFrame(frame).length).toBeLessThanOrEqual(MAX_OUTBOUND_FRAME_BYTES);
    expect(plan.reply).toMatchObject({ id: 42, ok: true, parts: plan.parts.length });
    const assembler = new PartAssembler();
    for (const part of [...plan.parts].reverse()) assembler.add(part.data.seq, part.data.text);
    expect(assembler.finish(plan.parts.length)).toEqual({ ok: true, value: rows });
  });

  it('never cuts a surrogate pair and keeps each slice under the byte budget', () => {
    const text = '𝄞'.repeat(10_000) + '\u0000'.repeat(5000);
    const slices = splitText(text, 4096);
    expect(slices.join('')).toBe(text);
    for (const slice of slices) {
      expect(jsonByteLength(slice)).toBeLessThanOrEqual(4096);
      expect(/^[\uDC00-\uDFFF]/.test(slice)).toBe(false);
    }
  });

  it('reports a missing part instead of returning a wrong result', () => {
    const assembler = new PartAssembler();
    assembler.add(0, '[1,');
    assembler.add(2, '3]');
    expect(assembler.finish(3)).toMatchObject({ ok: false });
  });
});
