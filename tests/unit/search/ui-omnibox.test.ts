/** The omnibox keyword: suggestion XML that hostile titles cannot break, and where Enter goes. */
import { describe, expect, it } from 'vitest';
import { escapeOmniboxXml, markedXml, omniboxDescription, omniboxSuggestions, omniboxTarget } from '../../../shared/search/omnibox';
import { makeHit } from '../../support/search-hits';

/** A minimal well-formedness check: only our three element names, balanced, and no raw & or <. */
function assertWellFormed(xml: string): void {
  const stack: string[] = [];
  for (const match of xml.matchAll(/<(\/?)([^>]*)>/g)) {
    const [, closing, name] = match;
    expect(['match', 'url', 'dim']).toContain(name);
    if (closing) expect(stack.pop()).toBe(name);
    else stack.push(name!);
  }
  expect(stack).toEqual([]);
  expect(xml.replace(/<\/?(match|url|dim)>/g, '')).not.toMatch(/[<>"']|&(?!(amp|lt|gt|apos|quot);)/);
}

describe('omnibox suggestion XML', () => {
  it('escapes the five XML specials', () => {
    expect(escapeOmniboxXml(`a & b < c > d ' e " f`)).toBe('a &amp; b &lt; c &gt; d &apos; e &quot; f');
  });

  it('drops control characters XML 1.0 forbids (Chrome rejects the whole description otherwise)', () => {
    expect(escapeOmniboxXml('a\u0000b\u0007c\u001Fd\te\nf')).toBe('abcd\te\nf');
  });

  it('wraps marked ranges in <match> and escapes inside and outside them', () => {
    expect(markedXml('Tom & Jerry <3', [[0, 3], [6, 11]])).toBe('<match>Tom</match> &amp; <match>Jerry</match> &lt;3');
  });

  it('keeps a hostile title inert: no element of its own survives', () => {
    const title = `</match><url>javascript:alert(1)</url><img src=x onerror="alert('x')"> & <![CDATA[ ]]> <!-- -->`;
    const description = omniboxDescription(makeHit({ kind: 'visit', key: 'k', title, titleMarks: [[0, 8], [30, 45]], url: 'https://evil.example/?a=1&b=<2>"\'' }));
    assertWellFormed(description);
    expect(description).toContain('<url>https://evil.example/?a=1&amp;b=&lt;2&gt;&quot;&apos;</url>');
    expect(description).toContain('&lt;/match&gt;');
  });

  it('marks that split a character reference are clamped to text offsets, never to escaped output', () => {
    const description = omniboxDescription(makeHit({ kind: 'page', key: 'k', title: 'a&b', titleMarks: [[1, 2]], url: 'https://x.test/' }));
    expect(description).toContain('a<match>&amp;</match>b');
    assertWellFormed(description);
  });

  it('labels the kind and falls back to the URL for an untitled hit', () => {
    expect(omniboxDescription(makeHit({ kind: 'visit', key: 'k', title: '', url: 'https://a.test/x' }))).toBe('<dim>History</dim> https://a.test/x <url>https://a.test/x</url>');
    expect(omniboxDescription(makeHit({ kind: 'message', key: 'm1', title: 'Chat about owls', threadId: 't1' }))).toBe('<dim>Message</dim> Chat about owls');
  });

  it('bounds a giant title', () => {
    const description = omniboxDescription(makeHit({ kind: 'visit', key: 'k', title: '<'.repeat(100_000), url: 'https://a.test/' }));
    expect(description.length).toBeLessThan(1_200);
    assertWellFormed(description);
  });
});

describe('omnibox suggestions', () => {
  it('at most 8, one per URL or thread, skipping hits with neither and non-web URLs', () => {
    const hits = [
      makeHit({ kind: 'visit', key: 'v1', url: 'https://a.test/1' }),
      makeHit({ kind: 'page', key: 'v1', url: 'https://a.test/1' }),
      makeHit({ kind: 'message', key: 'm1', threadId: 't1' }),
      makeHit({ kind: 'thread', key: 't1', threadId: 't1' }),
      makeHit({ kind: 'memory', key: 'g1' }),
      makeHit({ kind: 'visit', key: 'js', url: 'javascript:alert(1)' }),
      ...Array.from({ length: 20 }, (_, i) => makeHit({ kind: 'visit', key: `x${i}`, url: `https://b.test/${i}` })),
    ];
    const suggestions = omniboxSuggestions(hits);
    expect(suggestions).toHaveLength(8);
    expect(suggestions.slice(0, 3).map((s) => s.content)).toEqual(['https://a.test/1', 'hf-thread:t1', 'https://b.test/0']);
    expect(new Set(suggestions.map((s) => s.content)).size).toBe(8);
  });
});

describe('omnibox Enter', () => {
  it('opens web URLs, threads by id, and searches anything else', () => {
    expect(omniboxTarget('https://a.test/x?y=1')).toEqual({ kind: 'url', url: 'https://a.test/x?y=1' });
    expect(omniboxTarget('hf-thread:0b6c-uuid')).toEqual({ kind: 'thread', threadId: '0b6c-uuid' });
    expect(omniboxTarget('  owls nesting ')).toEqual({ kind: 'search', q: 'owls nesting' });
  });

  it('never navigates to a script or data URL typed after the keyword', () => {
    expect(omniboxTarget('javascript:alert(1)')).toEqual({ kind: 'search', q: 'javascript:alert(1)' });
    expect(omniboxTarget('data:text/html,<script>1</script>')).toEqual({ kind: 'search', q: 'data:text/html,<script>1</script>' });
    expect(omniboxTarget('hf-thread:')).toEqual({ kind: 'search', q: 'hf-thread:' });
  });
});
