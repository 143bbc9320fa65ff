/**
 * Jobs in words (extension/ui/jobs/describe.ts): the subject a job is about, progress in the
 * work's unit, results as sentences — never "0 / 1" for a finished patch or a bare "429" for a
 * check's output. chrome.i18n is the browser's: here it reads the same messages.json.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '../../../shared/schemas/entities';

const messages = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', '..', 'public/_locales/en/messages.json'), 'utf8')) as Record<string, { message: string }>;

beforeAll(() => {
  // The browser API's behaviour: the message with $1…$9 replaced by the substitutions.
  (globalThis as unknown as { chrome: unknown }).chrome = {
    i18n: { getMessage: (key: string, substitutions: string[] = []) => messages[key]?.message.replace(/\$(\d)/g, (_, n: string) => substitutions[Number(n) - 1] ?? '') ?? '' },
  };
});

function job(change: Partial<Job>): Job {
  return { id: 'j1', type: 'prune', status: 'succeeded', createdAt: 0, startedAt: 0, finishedAt: 1, progress: { done: 0, total: null, rate: null }, params: {}, result: null, error: null, parentId: null, relatedIds: [], cursor: null, logTail: [], origin: 'extension', ...change } as Job;
}

describe('jobs in words', async () => {
  const { jobProgress, jobResult, jobSubject } = await import('../../../extension/ui/jobs/describe');

  it('names what a job is about: profile and browser, file, scope, repository and check, query', () => {
    expect(jobSubject(job({ type: 'history_import', params: { kind: 'host', target: { profileId: 'chromium:Default' }, sourceKey: 'x', full: false } }))).toBe('Chromium, profile Default');
    expect(jobSubject(job({ type: 'history_import', params: { kind: 'takeout', fileName: 'BrowserHistory.json' } }))).toBe('file BrowserHistory.json');
    expect(jobSubject(job({ type: 'bundle_import', params: { file: { kind: 'host', path: '/home/u/bundles/a.hydraflow' } } }))).toBe('file a.hydraflow');
    expect(jobSubject(job({ type: 'bundle_export', params: { scope: { kind: 'threads', threadIds: ['a', 'b'] } } }))).toBe('2 threads');
    expect(jobSubject(job({ type: 'check_run', params: { repoId: 'site', checkId: 'test' } }))).toBe('test in repository site');
    expect(jobSubject(job({ type: 'page_refresh', params: { scope: { kind: 'query', query: 'owls' } } }))).toBe('pages matching “owls”');
  });

  it('gives progress in the work’s unit, and none for one-step work like a patch', () => {
    expect(jobProgress(job({ type: 'patch_apply', status: 'succeeded', progress: { done: 0, total: 1, rate: null } }))).toBeNull();
    expect(jobProgress(job({ type: 'check_run', status: 'running', progress: { done: 429, total: null, rate: null } }))).toBe('429 characters of output so far');
    expect(jobProgress(job({ type: 'history_import', status: 'running', progress: { done: 1200, total: 5000, rate: 800 } }))).toBe('1,200 of 5,000 visits · 800 a second');
  });

  it('says results as sentences', () => {
    expect(jobResult(job({ type: 'patch_apply', result: { changeId: 'c1', files: ['a', 'b'], linesAdded: 4, linesRemoved: 2, bytes: 10 } }))).toBe('Changed 2 files: +4 −2 lines.');
    expect(jobResult(job({ type: 'history_import', result: { read: 11, added: 9, duplicates: 2, invalid: 0 } }))).toBe('Read 11 visits: 9 added, 2 already there, 0 invalid.');
    expect(jobResult(job({ type: 'index_rebuild', result: { indexed: 12, removed: 0 } }))).toBe('Done: 12 indexed, 0 removed.');
    expect(jobResult(job({ type: 'check_run', status: 'failed', result: { exitCode: 1 } }))).toBeNull();
  });
});
