import { describe, expect, it } from 'vitest';
import { hostMatches, isBlocked, normalizeDomain } from '../../../shared/blocklist';
import { ReplyStreamReader } from '../../../shared/chat/stream';
import { contextMemories, currentStrength } from '../../../shared/memory';
import { DAY_MS } from '../../../shared/time';

describe('memory strength', () => {
  const base = { strength: 1, lastUsedAt: 0, pinned: 0 as const };
  it('decays by 0.9 per day since last use, continuously, and not when pinned', () => {
    expect(currentStrength(base, 0)).toBe(1);
    expect(currentStrength(base, DAY_MS)).toBeCloseTo(0.9, 12);
    expect(currentStrength(base, 3 * DAY_MS)).toBeCloseTo(0.729, 12);
    expect(currentStrength(base, DAY_MS / 2)).toBeCloseTo(Math.sqrt(0.9), 12);
    expect(currentStrength({ ...base, strength: 0.5 }, DAY_MS)).toBeCloseTo(0.45, 12);
    expect(currentStrength({ ...base, pinned: 1 }, 100 * DAY_MS)).toBe(1);
    expect(currentStrength(base, -DAY_MS)).toBe(1);
  });
  it('offers the thread’s and global memories, strongest first, dropping faded ones', () => {
    const m = (id: string, scope: 'thread' | 'global' | 'doc', threadId: string, lastUsedAt: number) => ({ id, scope, threadId, strength: 1, lastUsedAt, pinned: 0 as const });
    const chosen = contextMemories([m('old', 'global', '', 0), m('mine', 'thread', 't1', 9 * DAY_MS), m('other', 'thread', 't2', 10 * DAY_MS), m('doc', 'doc', '', 10 * DAY_MS), m('faded', 'global', '', -40 * DAY_MS)], 't1', 10 * DAY_MS);
    expect(chosen.map((x) => x.id)).toEqual(['mine', 'old']);
  });

  it('offers the doc memories of the thread’s pages only', () => {
    const doc = (id: string, page: string) => ({ id, scope: 'doc' as const, threadId: '', source: { kind: 'page' as const, id: page }, strength: 1, lastUsedAt: 0, pinned: 0 as const });
    const chosen = contextMemories([doc('here', 'key-a'), doc('elsewhere', 'key-b')], 't1', 0, 20, new Set(['key-a']));
    expect(chosen.map((x) => x.id)).toEqual(['here']);
  });
});

describe('capture blocklist', () => {
  it('matches the exact host, and subdomains only by whole labels, never substrings', () => {
    const rule = { domain: 'ample.com', subdomains: true };
    expect(hostMatches('ample.com', rule)).toBe(true);
    expect(hostMatches('www.ample.com', rule)).toBe(true);
    expect(hostMatches('example.com', rule)).toBe(false);
    expect(hostMatches('ample.com.evil.net', rule)).toBe(false);
    expect(hostMatches('www.ample.com', { domain: 'ample.com', subdomains: false })).toBe(false);
    expect(isBlocked('https://WWW.Ample.com./x', [rule])).toBe(true);
    expect(isBlocked('about:blank', [rule])).toBe(false);
  });
  it('normalizes domains and refuses what is not one with DOMAIN_INVALID', () => {
    expect(normalizeDomain(' Example.COM. ')).toBe('example.com');
    expect(normalizeDomain('bücher.de')).toBe('xn--bcher-kva.de');
    for (const bad of ['', 'http://x.com', 'a b.com', 'x.com/path', 'user@x.com', '-x.com', 'x..com']) {
      expect(() => normalizeDomain(bad), bad).toThrow(expect.objectContaining({ code: 'DOMAIN_INVALID' }));
    }
  });
});

describe('streamed reply readers', () => {
  it('reads OpenAI SSE deltas split anywhere, ignoring comments, until [DONE]', () => {
    const text = ': keep-alive\n\ndata: {"choices":[{"delta":{"role":"assistant"}}]}\n\ndata: {"choices":[{"delta":{"content":"Hel"}}]}\n\ndata: {"choices":[{"delta":{"content":"lo <b>"}}]}\r\n\r\ndata: [DONE]\n\ndata: {"choices":[{"delta":{"content":"after"}}]}\n';
    for (const size of [1, 3, 7, text.length]) {
      const reader = new ReplyStreamReader('openai');
      const out: string[] = [];
      for (let i = 0; i < text.length; i += size) out.push(...reader.push(text.slice(i, i + size)).deltas);
      out.push(...reader.end().deltas);
      expect(out.join(''), `chunks of ${size}`).toBe('Hello <b>');
      expect(reader.done).toBe(true);
    }
  });
  it('reads Ollama NDJSON, including a last line without newline', () => {
    const reader = new ReplyStreamReader('ollama');
    const first = reader.push('{"message":{"role":"assistant","content":"Hi"},"done":false}\n{"message":{"content":" there"},"do');
    expect(first.deltas).toEqual(['Hi']);
    const last = reader.push('ne":false}\n{"message":{"content":""},"done":true}');
    expect(last.deltas).toEqual([' there']);
    expect(reader.end()).toEqual({ deltas: [], done: true });
  });
  it('turns a non-JSON line and an error event into coded errors', () => {
    expect(() => new ReplyStreamReader('openai').push('data: {oops\n')).toThrow(expect.objectContaining({ code: 'MODEL_BAD_RESPONSE' }));
    expect(() => new ReplyStreamReader('openai').push('data: {"error":{"message":"overloaded"}}\n')).toThrow(expect.objectContaining({ code: 'MODEL_HTTP_ERROR' }));
    expect(() => new ReplyStreamReader('ollama').push('{"error":"model not found"}\n')).toThrow(expect.objectContaining({ code: 'MODEL_HTTP_ERROR' }));
  });
});
