/** The search box's pure model: grouping and ordering, keyboard order, query params, latest-only runner. */
import { describe, expect, it } from 'vitest';
import { err, ok, type Result } from '../../../shared/errors';
import { parseOptionsHash, hitHash, searchHash, threadHash } from '../../../shared/search/options-route';
import { createSearchRunner, dayToMs, displayUrl, flatHits, groupHits, moveSelection, NO_FILTERS, normalizeDomain, queryParams } from '../../../extension/ui/search/model';
import { makeHit } from '../../support/search-hits';

describe('grouping hits by kind', () => {
  it('orders groups by their best hit and keeps the ranked order inside each group', () => {
    const hits = [
      makeHit({ kind: 'message', key: 'm1', score: 9 }),
      makeHit({ kind: 'visit', key: 'v1', score: 7 }),
      makeHit({ kind: 'message', key: 'm2', score: 3 }),
      makeHit({ kind: 'page', key: 'p1', score: 8 }),
      makeHit({ kind: 'visit', key: 'v2', score: 6 }),
      // The task's best hit outranks the visit's, though it comes later in the reply.
      makeHit({ kind: 'task', key: 't1', score: 7.5 }),
    ];
    const groups = groupHits(hits);
    expect(groups.map((g) => [g.label, g.hits.map((h) => h.key)])).toEqual([
      ['kindMessage', ['m1', 'm2']],
      ['kindPage', ['p1']],
      ['kindTask', ['t1']],
      ['kindVisit', ['v1', 'v2']],
    ]);
    expect(flatHits(groups).map((h) => h.key)).toEqual(['m1', 'm2', 'p1', 't1', 'v1', 'v2']);
  });

  it('breaks score ties by the background\'s order', () => {
    const groups = groupHits([makeHit({ kind: 'memory', key: 'a', score: 2 }), makeHit({ kind: 'thread', key: 'b', score: 2 })]);
    expect(groups.map((g) => g.kind)).toEqual(['memory', 'thread']);
  });

  it('has no groups for no hits', () => {
    expect(groupHits([])).toEqual([]);
  });
});

describe('keyboard selection', () => {
  it('Down from nothing selects the first hit, Up the last; both wrap', () => {
    expect(moveSelection(-1, 3, 1)).toBe(0);
    expect(moveSelection(-1, 3, -1)).toBe(2);
    expect(moveSelection(2, 3, 1)).toBe(0);
    expect(moveSelection(0, 3, -1)).toBe(2);
    expect(moveSelection(1, 3, 1)).toBe(2);
    expect(moveSelection(0, 0, 1)).toBe(-1);
  });
});

describe('query params from the box and its filters', () => {
  it('sends nothing for blank text', () => {
    expect(queryParams('   ', NO_FILTERS)).toBeNull();
  });

  it('sends only the filters that are set, kinds in canonical order, and drops "every kind"', () => {
    expect(queryParams(' owl nest ', NO_FILTERS)).toEqual({ q: 'owl nest', limit: 40 });
    expect(queryParams('owl', { ...NO_FILTERS, kinds: ['task', 'visit'] })?.kinds).toEqual(['visit', 'task']);
    expect(queryParams('owl', { ...NO_FILTERS, kinds: ['visit', 'page', 'thread', 'message', 'task', 'memory'] })?.kinds).toBeUndefined();
  });

  it('turns local days into the day\'s first and last millisecond', () => {
    const params = queryParams('owl', { ...NO_FILTERS, from: '2026-03-01', to: '2026-03-02' });
    expect(params?.from).toBe(new Date(2026, 2, 1).getTime());
    expect(params?.to).toBe(new Date(2026, 2, 3).getTime() - 1);
    expect(dayToMs('2026-02-30')).toBeNull();
    expect(dayToMs('yesterday')).toBeNull();
  });

  it('reduces a pasted URL in the domain filter to its host', () => {
    expect(normalizeDomain('https://Docs.Example.com/path?q=1')).toBe('docs.example.com');
    expect(normalizeDomain('*.example.org.')).toBe('example.org');
    expect(normalizeDomain('example.com:8080')).toBe('example.com');
    expect(queryParams('owl', { ...NO_FILTERS, domain: '  ' })?.domain).toBeUndefined();
  });

  it('shows host and path, not the scheme', () => {
    expect(displayUrl('https://example.com/a/b?c=1')).toBe('example.com/a/b?c=1');
    expect(displayUrl('https://example.com/')).toBe('example.com');
    expect(displayUrl(`https://example.com/${'x'.repeat(200)}`)).toHaveLength(80);
  });
});

describe('latest-only search runner', () => {
  function harness() {
    const timers: { fn: () => void; ms: number }[] = [];
    const pending = new Map<string, (reply: Result<string>) => void>();
    const replies: [string, Result<string>][] = [];
    const runner = createSearchRunner<string, string>({
      delayMs: 80,
      run: (q) => new Promise((resolve) => pending.set(q, resolve)),
      onReply: (q, reply) => replies.push([q, reply]),
      schedule: (fn, ms) => {
        const timer = { fn, ms };
        timers.push(timer);
        return timer;
      },
      cancel: (timer) => timers.splice(timers.indexOf(timer as (typeof timers)[number]), 1),
    });
    return { runner, timers, pending, replies, flush: () => timers.splice(0).forEach((t) => t.fn()) };
  }
  const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

  it('debounces: keystrokes inside the delay send one request, for the last text', async () => {
    const h = harness();
    h.runner.request('o');
    h.runner.request('ow');
    h.runner.request('owl');
    expect(h.timers).toHaveLength(1);
    expect(h.timers[0]!.ms).toBe(80);
    h.flush();
    expect([...h.pending.keys()]).toEqual(['owl']);
  });

  it('drops a stale reply that arrives after a newer request was sent', async () => {
    const h = harness();
    h.runner.request('ow');
    h.flush();
    h.runner.request('owl');
    h.flush();
    h.pending.get('owl')!(ok('hits for owl'));
    h.pending.get('ow')!(ok('hits for ow'));
    await tick();
    expect(h.replies).toEqual([['owl', ok('hits for owl')]]);
  });

  it('drops a reply still on its way when the box is cleared, and passes errors through', async () => {
    const h = harness();
    h.runner.request('owl');
    h.flush();
    h.runner.request(null);
    h.pending.get('owl')!(ok('late'));
    await tick();
    expect(h.replies).toEqual([]);
    h.runner.request('!!', true);
    h.pending.get('!!')!(err('SEARCH_QUERY_EMPTY'));
    await tick();
    expect(h.replies.map(([q, r]) => [q, r.ok ? null : r.error.code])).toEqual([['!!', 'SEARCH_QUERY_EMPTY']]);
  });
});

describe('options page routes', () => {
  it('round-trips thread and search hashes, ids and queries with any characters', () => {
    expect(parseOptionsHash(threadHash('t 1&x', 'm#2'))).toEqual({ kind: 'thread', threadId: 't 1&x', focus: 'm#2' });
    expect(parseOptionsHash(searchHash('owls & "nests"'))).toEqual({ kind: 'search', q: 'owls & "nests"' });
    expect(parseOptionsHash('')).toEqual({ kind: 'home' });
    expect(parseOptionsHash('#history')).toEqual({ kind: 'page', page: 'history' });
    expect(parseOptionsHash('#search')).toEqual({ kind: 'search', q: '' });
    expect(parseOptionsHash('#nowhere')).toEqual({ kind: 'home' });
  });

  it('opens a message in its thread focused on it, a task on the task, a global memory as a search', () => {
    expect(parseOptionsHash(hitHash(makeHit({ kind: 'message', key: 'm1', threadId: 't1' })))).toEqual({ kind: 'thread', threadId: 't1', focus: 'm1' });
    expect(parseOptionsHash(hitHash(makeHit({ kind: 'task', key: 'k1', threadId: 't1', taskId: 'k1' })))).toEqual({ kind: 'thread', threadId: 't1', focus: 'k1' });
    expect(parseOptionsHash(hitHash(makeHit({ kind: 'thread', key: 't1', threadId: 't1' })))).toEqual({ kind: 'thread', threadId: 't1', focus: null });
    expect(parseOptionsHash(hitHash(makeHit({ kind: 'memory', key: 'g1', title: 'likes owls' })))).toEqual({ kind: 'search', q: 'likes owls' });
  });
});
