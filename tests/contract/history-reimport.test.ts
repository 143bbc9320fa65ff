/**
 * A re-import through the real host process: the extension's import job (Dexie on
 * fake-indexeddb) talks to the built host over stdio, frame by frame, as the browser does. After a
 * first import the History file changes as a browser changes it — a visit synced into an old day,
 * a visit on a new day, a visit deleted — and the re-import asks for, and the host streams, only
 * the visits of those days; the stored visits are the union of both versions of the file.
 */
import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type HydraDb } from '../../extension/db';
import { startHostImport, type HistoryHost } from '../../extension/history';
import type { AppError, Result } from '../../shared/errors';
import { changeChromiumHistory, MULTI_DAY_VISITS, writeChromiumHistory } from '../fixtures/make-history';
import { runCli } from '../support/cli';
import { eventVisits } from '../support/history-events';
import { HostProcess } from '../support/host-process';
import { storedVisits } from '../support/visits';

let fake: string;
let host: HostProcess;
let db: HydraDb;
let folderId: string;
const historyPath = () => join(fake, 'files', 'History');

beforeAll(async () => {
  fake = mkdtempSync(join(tmpdir(), 'hf-reimport-'));
  mkdirSync(join(fake, 'files'));
  writeChromiumHistory(historyPath(), MULTI_DAY_VISITS);
  host = new HostProcess({ env: { HOME: fake } });
  const allowed = runCli(['folders', 'add', join(fake, 'files')], { HYDRAFLOW_HOME: host.home });
  expect(allowed.status, allowed.stderr).toBe(0);
  folderId = (JSON.parse(allowed.stdout) as { folders: { id: string; isDefault: boolean }[] }).folders.find((f) => !f.isDefault)!.id;
  db = createDatabase('hydraflow-reimport-contract');
  await db.open();
});
afterAll(async () => {
  db.close();
  await Dexie.delete('hydraflow-reimport-contract');
  await host.stop();
  rmSync(fake, { recursive: true, force: true });
});

/** The import's HistoryHost over the real host's stdio: each request's events, then its reply. */
let requests = 0;
function stdioHost(): HistoryHost & { reads: { days?: unknown }[]; streamed: string[]; methods: string[] } {
  const reads: { days?: unknown }[] = [];
  const methods: string[] = [];
  const streamed: string[] = [];
  const request = async (method: string, params: Record<string, unknown>, options: { onEvent?: (event: string, data: unknown) => void } = {}): Promise<Result<unknown>> => {
    const id = `c${requests++}`;
    if (method === 'history.read') reads.push(params);
    methods.push(method);
    const reply = await host.request(id, method, params, 30_000);
    const parts: string[] = [];
    for (const frame of host.frames.filter((f) => f.id === id && f.event !== undefined)) {
      if (frame.event === 'part') parts.push((frame.data as { text: string }).text);
      else options.onEvent?.(frame.event!, frame.data);
      if (frame.event === 'items') {
        for (const visit of eventVisits(frame.data)) streamed.push(`${visit.url}@${visit.visitedAt}`);
      }
    }
    if (!reply.ok) return { ok: false, error: reply.error as AppError };
    return { ok: true, result: reply.parts ? JSON.parse(parts.join('')) : reply.result };
  };
  /** The real host's hello: its capabilities (the columns encoding) as the connection reports them. */
  const status = async () => {
    const hello = await host.request(`c${requests++}`, 'hello', { protocolVersion: 1 }, 30_000);
    return { state: 'connected', ...(hello.result as object) };
  };
  return { request, status, reads, streamed, methods } as unknown as HistoryHost & { reads: { days?: unknown }[]; streamed: string[]; methods: string[] };
}

async function settled(jobId: string): Promise<{ status: string; result: unknown }> {
  for (let i = 0; i < 600; i++) {
    const job = await db.jobs.get(jobId);
    if (job && job.status !== 'running' && job.status !== 'queued') return job;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('job did not settle');
}

const key = (url: string, iso: string) => `${url}@${Date.parse(iso)}`;
const day = (iso: string) => Math.floor(Date.parse(iso) / 86_400_000);

describe('re-import through the real host', () => {
  it('streams only the days that changed in the file, and stores the union of both versions', async () => {
    const target = { file: { folderId, name: 'History' } };
    const first = stdioHost();
    expect((await settled(await startHostImport(db, first, target, false))).result).toEqual({ read: 15, added: 15, duplicates: 0, invalid: 0 });
    // The host lists the columns encoding and the summary with a read: a first import asks for both, and no history.summary first.
    expect(first.reads).toMatchObject([{ encoding: 'columns', summary: true }]);
    expect(first.methods).not.toContain('history.summary');
    expect(first.streamed).toHaveLength(15);

    const unchanged = stdioHost();
    expect((await settled(await startHostImport(db, unchanged, target, false))).result).toEqual({ read: 0, added: 0, duplicates: 0, invalid: 0 });
    expect(unchanged.streamed).toEqual([]);

    const original = MULTI_DAY_VISITS.map((visit) => key(visit.url, visit.at));
    changeChromiumHistory(historyPath(), {
      add: [
        { url: 'https://synced.example/old-day', title: 'From another device', at: '2024-03-02T22:30:00.000Z', core: 'link' },
        { url: 'https://day1.example/page/0', title: 'Day 1, page 0', at: '2024-03-09T08:00:00.000Z', core: 'link' },
      ],
      removeAt: ['2024-03-04T12:00:00.000Z'],
    });
    const changed = stdioHost();
    const job = await settled(await startHostImport(db, changed, target, false));
    expect(changed.reads.map((params) => params.days)).toEqual([[[day('2024-03-02'), day('2024-03-03')], [day('2024-03-04'), day('2024-03-05')], [day('2024-03-09'), day('2024-03-10')]]]);
    // Exactly the file's visits of those days now: day 2 (three and the synced one), day 4 (two left), day 9.
    const inDays = (visit: string) => /@/.test(visit) && [day('2024-03-02'), day('2024-03-04'), day('2024-03-09')].includes(Math.floor(Number(visit.split('@').at(-1)) / 86_400_000));
    const fileNow = [...original.filter((visit) => visit !== key('https://day4.example/page/2', '2024-03-04T12:00:00.000Z')), key('https://synced.example/old-day', '2024-03-02T22:30:00.000Z'), key('https://day1.example/page/0', '2024-03-09T08:00:00.000Z')];
    expect(changed.streamed.sort()).toEqual(fileNow.filter(inDays).sort());
    expect(job.result).toEqual({ read: 7, added: 2, duplicates: 5, invalid: 0 });
    // The visit deleted from the file stays imported: the store holds the union of both versions.
    expect((await storedVisits(db)).map((visit) => `${visit.url}@${visit.visitedAt}`).sort()).toEqual([...new Set([...original, ...fileNow])].sort());

    const after = stdioHost();
    expect((await settled(await startHostImport(db, after, target, false))).result).toMatchObject({ read: 0, added: 0 });
    expect(after.streamed).toEqual([]);
  });

  it('treats what the extension sends as hostile: malformed day ranges, a path, an unknown profile are refused with codes', async () => {
    const file = { folderId, name: 'History' };
    for (const days of [[[5, 3]], [[1, 4], [2, 6]], [[-1, 2]], [['1', 2]], Array.from({ length: 4097 }, (_, i) => [2 * i, 2 * i + 1]), 'all']) {
      const reply = await host.request(`bad${requests++}`, 'history.read', { file, days });
      expect(reply.error?.code, JSON.stringify(days).slice(0, 60)).toBe('INVALID_PARAMS');
    }
    expect((await host.request(`bad${requests++}`, 'history.summary', { file, path: '/etc/passwd' })).error?.code).toBe('INVALID_PARAMS');
    expect((await host.request(`bad${requests++}`, 'history.summary', { profileId: 'chrome:Nope' })).error?.code).toBe('HISTORY_PROFILE_NOT_FOUND');
    expect((await host.request(`bad${requests++}`, 'history.summary', { file: { folderId, name: '../History' } })).error?.code).toBe('FILE_NAME_INVALID');
  });
});
