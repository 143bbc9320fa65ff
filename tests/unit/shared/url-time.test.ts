import { describe, expect, it } from 'vitest';
import { hostOf, isCapturableUrl, isWebUrl, normalizeUrl, urlKey, urlKeyAndHost } from '../../../shared/url';
import { takeoutVisits } from '../../../shared/history/takeout';
import { isOpenableUrl } from '../../../shared/search/omnibox';
import { chromeTimeToUnixMs, unixMicrosToUnixMs, unixMsToChromeTime } from '../../../shared/time';
import { reverseHost } from '../../../shared/host-key';
import { hash53, stringKey } from '../../../shared/hash';
import { makeVisit, visitMaker } from '../../../shared/history/visit';

describe('URL normalization', () => {
  it('lowercases scheme and host, drops default ports, fragments and an empty query', () => {
    expect(normalizeUrl('HTTPS://Example.COM:443/Path?b=2&a=1#frag')).toBe('https://example.com/Path?b=2&a=1');
    expect(normalizeUrl('http://example.com:80/?')).toBe('http://example.com/');
    expect(normalizeUrl('https://例え.jp/パス')).toBe('https://xn--r8jz45g.jp/%E3%83%91%E3%82%B9');
    expect(normalizeUrl('not a url')).toBeNull();
  });

  it('gives the same key to URLs that differ only by fragment, and different keys otherwise', () => {
    expect(urlKey('https://a.test/x#one')).toBe(urlKey('https://A.test/x#two'));
    expect(urlKey('https://a.test/x?q=1')).not.toBe(urlKey('https://a.test/x?q=2'));
    expect(urlKey('https://a.test/x')).toHaveLength(22);
  });

  it('keys never change: they are stored (visit ids, URL keys)', () => {
    expect(stringKey('')).toBe('0wvjl67o8031aggevgbi2j');
    expect(stringKey('https://example.com/')).toBe('27zq9qssxwt1ekg867k4z1');
    expect(stringKey('https://xn--r8jz45g.jp/%E3%83%91%E3%82%B9')).toBe('10jnglhd8cs0v6n3io0e9k');
    expect(stringKey('ünïcödé \u{1F600}')).toBe('0b2rfrfwr6z1p60yo7seq8');
    expect(hash53('https://example.com/')).toBe(8124034103373485);
    // The base-36 digits of every lane value, against Number#toString(36), over many keys.
    for (let i = 0; i < 2000; i++) {
      const text = `https://site${i}.test/${'x'.repeat(i % 50)}`;
      const key = stringKey(text);
      expect(key).toHaveLength(22);
      expect(parseInt(key.slice(0, 11), 36)).toBe(hash53(text));
    }
  });

  it('an import\'s visit maker makes the same rows as makeVisit, remembering a bounded number of URLs', () => {
    const make = visitMaker(3);
    const urls = ['https://Example.com/a#x', ' https://b.example/ ', 'not a url', 'https://C.example./?', 'https://example.com/a#x'];
    for (let round = 0; round < 3; round++)
      for (const [i, url] of urls.entries()) {
        const input = { url, title: `t${i}`, visitedAt: 1_700_000_000_000 + round * 10 + i, transition: 'link' as const, source: 'chrome' as const };
        expect(make(input)).toEqual(makeVisit(input));
      }
  });

  it('keys are well distributed: 200k distinct URLs, no collision', () => {
    const keys = new Set<string>();
    for (let i = 0; i < 200_000; i++) keys.add(stringKey(`https://site${i % 97}.test/page/${i}?q=${i * 7}`));
    expect(keys.size).toBe(200_000);
  });

  it('reads hosts and refuses internal URLs for capture', () => {
    expect(hostOf('https://WWW.Example.com./a')).toBe('www.example.com');
    expect(hostOf('about:blank')).toBe('');
    expect(isCapturableUrl('chrome://settings')).toBe(false);
    expect(isCapturableUrl('https://example.com')).toBe(true);
  });

  it('reverses host labels so a domain and its subdomains share a prefix, and a substring does not', () => {
    expect(reverseHost('www.Example.com')).toBe('com.example.www');
    expect(reverseHost('example.com').startsWith(reverseHost('ample.com'))).toBe(false);
  });
});

describe('URL schemes: only http(s) is imported or shown as a link', () => {
  const others = ['javascript:alert(1)', 'JAVASCRIPT:alert(1)', ' javascript:alert(1)', 'data:text/html,<b>x</b>', 'file:///etc/passwd', 'chrome://settings/', 'about:blank', 'blob:https://a.example/x', 'view-source:https://a.example/', 'ftp://a.example/', 'https//missing-colon'];

  it('isWebUrl and isOpenableUrl accept http(s) only', () => {
    for (const url of ['https://example.com/', 'HTTP://EXAMPLE.COM/a?b#c']) expect([isWebUrl(url), isOpenableUrl(url)], url).toEqual([true, true]);
    for (const url of others) expect([isWebUrl(url), isOpenableUrl(url)], url).toEqual([false, false]);
  });

  it('a Takeout file counts visits of other schemes invalid', () => {
    const entry = (url: string) => ({ url, title: 't', time_usec: 1_700_000_000_000_000, page_transition: 'LINK' });
    const mapped = takeoutVisits({ 'Browser History': [entry('https://example.com/'), ...others.map(entry)] })!;
    expect(mapped.visits.map((v) => v.url)).toEqual(['https://example.com/']);
    expect(mapped.invalid).toBe(others.length);
  });
});

describe('time conversion', () => {
  it('converts Chrome microseconds since 1601 (beyond 2^53) to Unix ms exactly', () => {
    // 2024-03-01T12:34:56.789Z
    const unixMs = Date.UTC(2024, 2, 1, 12, 34, 56, 789);
    const chrome = BigInt(unixMs) * 1000n + 11_644_473_600_000_000n + 999n;
    expect(chrome > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
    expect(chromeTimeToUnixMs(chrome)).toBe(unixMs);
    expect(chromeTimeToUnixMs(chrome.toString())).toBe(unixMs);
    expect(chromeTimeToUnixMs(unixMsToChromeTime(unixMs))).toBe(unixMs);
    expect(chromeTimeToUnixMs(0n)).toBe(-11_644_473_600_000);
  });

  it('converts Unix microseconds (Firefox, Takeout) to ms', () => {
    expect(unixMicrosToUnixMs('1700000000123456')).toBe(1_700_000_000_123);
    expect(unixMicrosToUnixMs(-1500)).toBe(-2);
  });
});

describe('urlKeyAndHost', () => {
  it('answers as urlKey and hostOf do, with one parse, for every kind of text', () => {
    const texts = [
      'https://Example.COM./a?b=1#frag',
      'http://example.com:80/?',
      '  https://padded.example/x  ',
      '\u00a0https://nbsp.example/\u00a0',
      'https://ünïcödé.example/straße',
      'javascript:alert(1)',
      'data:text/html,<b>x</b>',
      'about:blank',
      'not a url',
      '',
      'https://[::1]:8080/path',
    ];
    for (const text of texts) expect(urlKeyAndHost(text), JSON.stringify(text)).toEqual({ key: urlKey(text), host: hostOf(text) });
  });
});
