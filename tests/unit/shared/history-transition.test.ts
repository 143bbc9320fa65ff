import { describe, expect, it } from 'vitest';
import { takeoutVisits } from '../../../shared/history/takeout';
import { decodeChromeTransition, encodeChromeTransition, firefoxVisitTypeToTransition, takeoutTransition } from '../../../shared/history/transition';

describe('Chromium transition decoding', () => {
  it('takes the core type from the low byte and lists the qualifiers', () => {
    // 0x30000001 = TYPED | CHAIN_START | CHAIN_END; 0x01000000|0x30000000 = back/forward link.
    expect(decodeChromeTransition(0x3000_0001)).toEqual({ core: 'typed', qualifiers: ['chain_start', 'chain_end'], redirect: false });
    expect(decodeChromeTransition(0x3100_0000)).toEqual({ core: 'link', qualifiers: ['forward_back', 'chain_start', 'chain_end'], redirect: false });
    expect(decodeChromeTransition(8).core).toBe('reload');
    expect(decodeChromeTransition(10).core).toBe('keyword_generated');
  });

  it('decodes negative (signed int32) values as redirects, from number or BigInt', () => {
    // SERVER_REDIRECT | CHAIN_END | LINK as SQLite hands it back: -1610612736.
    expect(decodeChromeTransition(-1_610_612_736)).toEqual({ core: 'link', qualifiers: ['chain_end', 'server_redirect'], redirect: true });
    expect(decodeChromeTransition(-1_610_612_736n).redirect).toBe(true);
    expect(decodeChromeTransition(0x4000_0000).qualifiers).toEqual(['client_redirect']);
  });

  it('falls back to link for a core type newer than this code', () => {
    expect(decodeChromeTransition(0xfe).core).toBe('link');
  });

  it('round-trips through encodeChromeTransition as a signed int32', () => {
    const value = encodeChromeTransition('form_submit', ['server_redirect', 'chain_end']);
    expect(value).toBeLessThan(0);
    expect(decodeChromeTransition(value)).toMatchObject({ core: 'form_submit', redirect: true });
  });
});

describe('Firefox and Takeout transitions', () => {
  it('maps Firefox visit types', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 42, null].map((t) => firefoxVisitTypeToTransition(t))).toEqual([
      'link', 'typed', 'auto_bookmark', 'auto_subframe', 'link', 'link', 'link', 'manual_subframe', 'reload', 'link', 'link',
    ]);
  });

  it('maps Takeout page_transition names case-insensitively', () => {
    expect(takeoutTransition('AUTO_TOPLEVEL')).toBe('auto_toplevel');
    expect(takeoutTransition('something_new')).toBe('link');
    expect(takeoutTransition(undefined)).toBe('link');
  });

  it('maps a Takeout file to ordered visits and counts invalid entries', () => {
    const mapped = takeoutVisits({
      'Browser History': [
        { url: 'https://b.example/', title: 'B', time_usec: 2_000_000_999, page_transition: 'LINK' },
        { url: 'https://a.example/', time_usec: '1000000000', page_transition: 'TYPED' },
        { url: '', time_usec: 1 },
        { title: 'no url', time_usec: 1 },
      ],
    });
    expect(mapped).toEqual({
      visits: [
        { url: 'https://a.example/', title: '', visitedAt: 1_000_000, transition: 'typed', source: 'takeout' },
        { url: 'https://b.example/', title: 'B', visitedAt: 2_000_000, transition: 'link', source: 'takeout' },
      ],
      invalid: 2,
    });
    expect(takeoutVisits({ other: [] })).toBeNull();
  });
});
