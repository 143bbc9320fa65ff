import { describe, expect, it } from 'vitest';
import { diffHunks, diffLines } from '../../../shared/pages/diff';
import { parseRobots, policyForStatus, robotsAllows } from '../../../shared/refresh/robots';
import { normalizeScope, pageMatchesQuery, queryWords } from '../../../shared/refresh/scope';
import { followableLinks, metaNofollow } from '../../../shared/refresh/links';
import { refreshSummary, sinceLabel, EMPTY_COUNTS } from '../../../shared/refresh/summary';

/** Applies a diff to the old text: the new text must come out (the diff is a valid edit script). */
function apply(lines: ReturnType<typeof diffLines>['lines']) {
  return {
    old: lines.filter((l) => l.op !== 'add').map((l) => l.text),
    new: lines.filter((l) => l.op !== 'remove').map((l) => l.text),
  };
}

describe('line diff', () => {
  it('marks one changed line as removed then added, the rest equal', () => {
    const diff = diffLines('a\nb\nc', 'a\nB\nc');
    expect(diff.lines.map((l) => `${l.op[0]}${l.text}`)).toEqual(['ea', 'rb', 'aB', 'ec']);
    expect(diff).toMatchObject({ added: 1, removed: 1, exact: true });
    expect(diff.lines[2]).toMatchObject({ oldLine: null, newLine: 2 });
  });

  it('finds a minimal script (LCS) for insertions and deletions in the middle', () => {
    const diff = diffLines('a\nb\nc\nd\ne\nf', 'a\nc\nd\nx\ne\nf\ng');
    expect(diff.added + diff.removed).toBe(3); // -b, +x, +g
    expect(apply(diff.lines)).toEqual({ old: ['a', 'b', 'c', 'd', 'e', 'f'], new: ['a', 'c', 'd', 'x', 'e', 'f', 'g'] });
  });

  it('is a valid edit script for random texts and minimal against a brute-force LCS', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const lcs = (a: string[], b: string[]) => {
      const t = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
      for (let i = 1; i <= a.length; i++) for (let j = 1; j <= b.length; j++) t[i]![j] = a[i - 1] === b[j - 1] ? t[i - 1]![j - 1]! + 1 : Math.max(t[i - 1]![j]!, t[i]![j - 1]!);
      return t[a.length]![b.length]!;
    };
    for (let round = 0; round < 200; round++) {
      const a = Array.from({ length: Math.floor(rand() * 12) }, () => 'abcd'[Math.floor(rand() * 4)]!);
      const b = Array.from({ length: Math.floor(rand() * 12) }, () => 'abcd'[Math.floor(rand() * 4)]!);
      const diff = diffLines(a.join('\n'), b.join('\n'));
      expect(apply(diff.lines)).toEqual({ old: a, new: b });
      expect(diff.lines.filter((l) => l.op === 'equal').length).toBe(lcs(a, b));
    }
  });

  it('handles empty texts and identical texts', () => {
    expect(diffLines('', '').lines).toEqual([]);
    expect(diffLines('', 'x\ny')).toMatchObject({ added: 2, removed: 0 });
    expect(diffLines('x\ny', '')).toMatchObject({ added: 0, removed: 2 });
    expect(diffLines('same\ntext', 'same\ntext')).toMatchObject({ added: 0, removed: 0 });
  });

  it('gives up on alignment past the edit budget but stays a valid script', () => {
    const a = Array.from({ length: 50 }, (_, i) => `old ${i}`).join('\n');
    const b = Array.from({ length: 50 }, (_, i) => `new ${i}`).join('\n');
    const diff = diffLines(`top\n${a}\nbottom`, `top\n${b}\nbottom`, 10);
    expect(diff.exact).toBe(false);
    expect(diff).toMatchObject({ added: 50, removed: 50 });
    expect(diff.lines[0]).toMatchObject({ op: 'equal', text: 'top' });
    expect(diff.lines.at(-1)).toMatchObject({ op: 'equal', text: 'bottom' });
  });

  it('groups changes into hunks with context, merging nearby changes', () => {
    const old = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`);
    const next = [...old];
    next[4] = 'changed 5';
    next[7] = 'changed 8';
    next[25] = 'changed 26';
    const hunks = diffHunks(diffLines(old.join('\n'), next.join('\n')).lines, 2);
    expect(hunks).toHaveLength(2);
    expect(hunks[0]).toMatchObject({ oldStart: 3, newStart: 3 });
    expect(hunks[0]!.lines.map((l) => l.text)).toEqual(['line 3', 'line 4', 'line 5', 'changed 5', 'line 6', 'line 7', 'line 8', 'changed 8', 'line 9', 'line 10']);
    expect(hunks[1]!.lines[0]!.text).toBe('line 24');
    expect(hunks[1]).toMatchObject({ oldStart: 24, newStart: 24 });
  });
});

describe('robots.txt', () => {
  const text = `
# comment
User-agent: Googlebot
Disallow: /

User-agent: *
Disallow: /private/
Allow: /private/open
Disallow: /*.pdf$
Crawl-delay: 2

User-agent: HydraFlow/0.1
User-agent: other
Disallow: /no-hydra
Allow: /p
Disallow: /page
`;

  it('uses the group naming our token, merged, ignoring the version; longest match wins', () => {
    const policy = parseRobots(text, 'HydraFlow');
    expect(robotsAllows(policy, '/no-hydra/x')).toBe(false);
    expect(robotsAllows(policy, '/private/x')).toBe(true); // the * group does not apply to us
    expect(robotsAllows(policy, '/page')).toBe(false); // /page (5) beats /p (2)
    expect(robotsAllows(policy, '/post')).toBe(true);
    expect(policy.crawlDelaySeconds).toBeNull();
  });

  it('falls back to the * group; Allow wins ties; * and $ patterns', () => {
    const policy = parseRobots(text, 'SomeBot');
    expect(robotsAllows(policy, '/private/secret')).toBe(false);
    expect(robotsAllows(policy, '/private/open/doc')).toBe(true);
    expect(robotsAllows(policy, '/files/a.pdf')).toBe(false);
    expect(robotsAllows(policy, '/files/a.pdf?x=1')).toBe(true);
    expect(robotsAllows(policy, '/')).toBe(true);
    expect(policy.crawlDelaySeconds).toBe(2);
    const tie = parseRobots('User-agent: *\nDisallow: /a\nAllow: /a\n', 'x');
    expect(robotsAllows(tie, '/a')).toBe(true);
  });

  it('an empty Disallow allows all; no group allows all; robots.txt itself is always allowed', () => {
    expect(robotsAllows(parseRobots('User-agent: *\nDisallow:\n', 'x'), '/anything')).toBe(true);
    expect(robotsAllows(parseRobots('Disallow: /\n', 'x'), '/anything')).toBe(true);
    expect(robotsAllows(parseRobots('User-agent: *\nDisallow: /\n', 'x'), '/robots.txt')).toBe(true);
    expect(robotsAllows(parseRobots('User-agent: *\nDisallow: /\n', 'x'), '/anything')).toBe(false);
  });

  it('compares percent-encoding the same way on both sides', () => {
    const policy = parseRobots('User-agent: *\nDisallow: /a~b\n', 'x');
    expect(robotsAllows(policy, '/a%7Eb/c')).toBe(false);
  });

  it('4xx allows all, 5xx and unreachable disallow all (RFC 9309)', () => {
    expect(robotsAllows(policyForStatus(404, '', 'x'), '/a')).toBe(true);
    expect(robotsAllows(policyForStatus(503, '', 'x'), '/a')).toBe(false);
    expect(robotsAllows(policyForStatus(null, '', 'x'), '/a')).toBe(false);
    expect(robotsAllows(policyForStatus(200, 'User-agent: *\nDisallow: /a', 'x'), '/a')).toBe(false);
  });
});

describe('refresh scope normalization', () => {
  it('makes word order, case, punctuation and repeats irrelevant to a query', () => {
    expect(queryWords('  Rust, ASYNC  rust! ')).toEqual(['async', 'rust']);
    expect(normalizeScope({ kind: 'query', query: 'Async Rust' }).key).toBe(normalizeScope({ kind: 'query', query: 'rust  async!' }).key);
    expect(normalizeScope({ kind: 'query', query: 'rust' }).key).not.toBe(normalizeScope({ kind: 'query', query: 'rust async' }).key);
  });

  it('normalizes, dedupes and sorts domains; refuses invalid ones', () => {
    expect(normalizeScope({ kind: 'domains', domains: ['B.example', 'a.example.', 'b.example'] })).toEqual({ scope: { kind: 'domains', domains: ['a.example', 'b.example'] }, key: 'domains:a.example,b.example' });
    expect(() => normalizeScope({ kind: 'domains', domains: ['not a domain'] })).toThrow(/not a domain/);
    expect(() => normalizeScope({ kind: 'query', query: '!!!' })).toThrow();
  });

  it('matches a page only when every word is in its title, URL or text', () => {
    const page = { title: 'Async in Rust', url: 'https://x.example/tokio', text: 'Futures and executors' };
    expect(pageMatchesQuery(queryWords('rust tokio'), page)).toBe(true);
    expect(pageMatchesQuery(queryWords('rust python'), page)).toBe(false);
  });
});

describe('links a refresh follows', () => {
  it('keeps same-site http(s) links, normalized, once, in order', () => {
    const links = [
      { href: '/b#part', rel: '' },
      { href: 'https://www.site.example/c', rel: '' },
      { href: 'b', rel: '' },
      { href: 'https://other.example/x', rel: '' },
      { href: 'mailto:a@site.example', rel: '' },
      { href: 'javascript:alert(1)', rel: '' },
      { href: '/file.pdf', rel: '' },
      { href: '/sponsored', rel: 'sponsored nofollow' },
      { href: '#top', rel: '' },
      { href: 'http://[bad', rel: '' },
    ];
    expect(followableLinks('https://site.example/a', links)).toEqual(['https://site.example/b', 'https://www.site.example/c']);
  });

  it('follows nothing from a nofollow page', () => {
    expect(followableLinks('https://site.example/a', [{ href: '/b', rel: '' }], { nofollow: true })).toEqual([]);
    expect(metaNofollow('noindex, nofollow')).toBe(true);
    expect(metaNofollow('none')).toBe(true);
    expect(metaNofollow('index,follow')).toBe(false);
    expect(metaNofollow(null)).toBe(false);
  });
});

describe('refresh summary', () => {
  const DAY = 86_400_000;
  it('dates the change from the oldest previous version', () => {
    expect(sinceLabel(0, DAY / 2)).toBe('earlier today');
    expect(sinceLabel(0, DAY * 1.5)).toBe('yesterday');
    expect(sinceLabel(0, DAY * 3)).toBe('3 days ago');
    expect(sinceLabel(0, DAY * 8)).toBe('last week');
    expect(sinceLabel(0, DAY * 21)).toBe('3 weeks ago');
    expect(sinceLabel(0, DAY * 90)).toBe('3 months ago');
    const now = 100 * DAY;
    const text = refreshSummary({ ...EMPTY_COUNTS, fetched: 5, changed: 3, unchanged: 1, failed: 1 }, [
      { title: 'A', url: 'https://a/', previousAt: now - 9 * DAY },
      { title: '', url: 'https://b/', previousAt: now - 2 * DAY },
      { title: 'C', url: 'https://c/', previousAt: now - DAY },
    ], now);
    expect(text.split('\n')[0]).toBe('Page refresh: 3 pages changed since last week. 1 unchanged, 1 failed.');
    expect(text).toContain('• https://b/ — https://b/');
    expect(refreshSummary({ ...EMPTY_COUNTS, fetched: 1, unchanged: 1 }, [], now)).toBe('Page refresh: No saved page changed (1 page checked). 1 unchanged.');
  });
});
