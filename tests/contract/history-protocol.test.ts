/**
 * history.read / history.profiles through the real host process: paging with `after` covers every
 * visit exactly once, events stay under the frame budget, a missing profile is a coded error.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { visitsOfColumns } from '../../shared/history/columns';
import { inflatedColumns } from '../support/history-events';
import type { HistoryVisit } from '../../shared/history/visit';
import { HISTORY_READ_COLUMNS, HISTORY_READ_DEFLATE, HISTORY_READ_SUMMARY, historyItemsEvent } from '../../shared/protocol/history';
import { runCli } from '../support/cli';
import { HostProcess, type HostFrame } from '../support/host-process';
import { writeChromiumHistory, writeLargeChromiumHistory } from '../fixtures/make-history';

let fake: string;
let host: HostProcess;
let filesFolder: string;

beforeAll(() => {
  fake = mkdtempSync(join(tmpdir(), 'hf-fakehome-'));
  mkdirSync(join(fake, 'config', 'vivaldi', 'Default'), { recursive: true });
  writeChromiumHistory(join(fake, 'config', 'vivaldi', 'Default', 'History'));
  mkdirSync(join(fake, 'files'));
  writeLargeChromiumHistory(join(fake, 'files', 'Large'), { visits: 5000, urls: 700 });
  host = new HostProcess({ env: { XDG_CONFIG_HOME: join(fake, 'config'), HOME: fake } });
  // A file outside the browser profiles is read only from a folder the user allowed on the host.
  const allowed = runCli(['folders', 'add', join(fake, 'files')], { HYDRAFLOW_HOME: host.home });
  expect(allowed.status, allowed.stderr).toBe(0);
  filesFolder = (JSON.parse(allowed.stdout) as { folders: { id: string; isDefault: boolean }[] }).folders.find((f) => !f.isDefault)!.id;
});
afterAll(async () => {
  await host.stop();
  rmSync(fake, { recursive: true, force: true });
});

function eventsOf(id: string, event: string): HostFrame[] {
  return host.frames.filter((frame) => frame.id === id && frame.event === event);
}

describe('history protocol', () => {
  it('lists a Vivaldi profile found under the config dir', async () => {
    const reply = await host.request('p1', 'history.profiles', {});
    expect(reply.ok, JSON.stringify(reply)).toBe(true);
    const profiles = (reply.result as { profiles: { id: string; browser: string; name: string; historySize: number }[] }).profiles;
    expect(profiles.map((p) => [p.id, p.browser, p.name])).toEqual([['vivaldi:Default', 'vivaldi', 'Default']]);
    expect(profiles[0]!.historySize).toBeGreaterThan(0);
  });

  it('pages through a large file with `after`, every visit exactly once, in events under 512 KiB', async () => {
    const seen: string[] = [];
    let after: unknown = null;
    for (let page = 0; ; page++) {
      const id = `r${page}`;
      const reply = await host.request(id, 'history.read', { file: { folderId: filesFolder, name: 'Large' }, after, limit: 1200 }, 30_000);
      expect(reply.ok, JSON.stringify(reply.error)).toBe(true);
      const result = reply.result as { read: number; done: boolean; position: unknown; source: string };
      expect(result.source).toBe('chromium');
      for (const frame of eventsOf(id, 'items')) {
        expect(JSON.stringify(frame).length).toBeLessThan(512 * 1024);
        for (const visit of (frame.data as { visits: { url: string; visitedAt: number }[] }).visits) seen.push(`${visit.url}@${visit.visitedAt}`);
      }
      after = result.position;
      if (result.done) break;
      expect(page).toBeLessThan(10);
    }
    expect(seen.length).toBe(5000);
    expect(new Set(seen).size).toBe(5000);
  });

  it('lists the columns encoding in hello; asked for it, sends the same visits in the same order as objects, in checked events under 512 KiB', async () => {
    const hello = await host.request('h1', 'hello', { protocolVersion: 1 });
    expect((hello.result as { capabilities: string[] }).capabilities).toContain(HISTORY_READ_COLUMNS);
    /** Every visit of the Large file, paged as the import pages it, and the events' shapes. */
    const readAll = async (prefix: string, encoding: 'columns' | undefined) => {
      const visits: HistoryVisit[] = [];
      let pairs = 0;
      let after: unknown = null;
      for (let page = 0; ; page++) {
        const id = `${prefix}${page}`;
        const reply = await host.request(id, 'history.read', { file: { folderId: filesFolder, name: 'Large' }, after, limit: 1200, ...(encoding ? { encoding } : {}) }, 30_000);
        expect(reply.ok, JSON.stringify(reply.error)).toBe(true);
        for (const frame of eventsOf(id, 'items')) {
          expect(JSON.stringify(frame).length).toBeLessThan(512 * 1024);
          const items = historyItemsEvent.parse(frame.data);
          if (encoding) {
            expect('columns' in items).toBe(true);
            if ('columns' in items) {
              visits.push(...visitsOfColumns(items.columns));
              pairs += items.columns.urls.length;
            }
          } else {
            // Without `encoding` the host sends what every version sent: one object per visit.
            expect('visits' in items).toBe(true);
            if ('visits' in items) visits.push(...items.visits);
          }
        }
        const result = reply.result as { done: boolean; position: unknown };
        after = result.position;
        if (result.done) break;
      }
      return { visits, pairs };
    };
    const objects = await readAll('o', undefined);
    const columns = await readAll('c', 'columns');
    expect(objects.visits.length).toBe(5000);
    expect(columns.visits).toEqual(objects.visits);
    // 700 URLs visited in turn, pages of 1200 visits (one event each): an event names each of its URLs once.
    expect(columns.pairs).toBe(4 * 700 + 200);
  });

  it('lists deflating in hello; asked for it, sends the columns it would send plain, deflated, in events several times smaller; refuses it without columns', async () => {
    const hello = await host.request('d0', 'hello', { protocolVersion: 1 });
    expect((hello.result as { capabilities: string[] }).capabilities).toContain(HISTORY_READ_DEFLATE);
    const page = async (id: string, compression: 'deflate-raw' | undefined) => {
      const reply = await host.request(id, 'history.read', { file: { folderId: filesFolder, name: 'Large' }, limit: 2400, encoding: 'columns', ...(compression ? { compression } : {}) }, 30_000);
      expect(reply.ok, JSON.stringify(reply.error)).toBe(true);
      return eventsOf(id, 'items').map((frame) => frame.data as { columns?: unknown; deflated?: string; position: unknown; invalid: number });
    };
    const plain = await page('d1', undefined);
    const deflated = await page('d2', 'deflate-raw');
    expect(deflated.length).toBe(plain.length);
    deflated.forEach((event, i) => {
      expect(event).not.toHaveProperty('columns');
      // What the extension inflates (shared/history/inflate.ts does it with DecompressionStream).
      expect(inflatedColumns(event.deflated!)).toEqual(plain[i]!.columns);
      expect([event.position, event.invalid]).toEqual([plain[i]!.position, plain[i]!.invalid]);
      expect(JSON.stringify(event).length).toBeLessThan(JSON.stringify(plain[i]).length / 3);
    });
    const without = await host.request('d3', 'history.read', { file: { folderId: filesFolder, name: 'Large' }, limit: 10, compression: 'deflate-raw' });
    expect(without.error?.code).toBe('INVALID_PARAMS');
    const unknown = await host.request('d4', 'history.read', { file: { folderId: filesFolder, name: 'Large' }, limit: 10, encoding: 'columns', compression: 'gzip' });
    expect(unknown.error?.code).toBe('INVALID_PARAMS');
  });

  it('with `summary: true`, ends a page with the summary history.summary gives of the same file', async () => {
    const hello = await host.request('s0', 'hello', { protocolVersion: 1 });
    expect((hello.result as { capabilities: string[] }).capabilities).toContain(HISTORY_READ_SUMMARY);
    const page = await host.request('s1', 'history.read', { file: { folderId: filesFolder, name: 'Large' }, limit: 1200, encoding: 'columns', summary: true }, 30_000);
    expect(page.ok, JSON.stringify(page.error)).toBe(true);
    const summary = await host.request('s2', 'history.summary', { file: { folderId: filesFolder, name: 'Large' } }, 30_000);
    expect((page.result as { summary: unknown }).summary).toEqual({ summary: (summary.result as { summary: unknown }).summary, visits: 5000 });
    expect((page.result as { read: number }).read).toBe(1200);
    const without = await host.request('s3', 'history.read', { file: { folderId: filesFolder, name: 'Large' }, limit: 10 }, 30_000);
    expect(without.result).not.toHaveProperty('summary');
  });

  it('refuses a params field it does not know with INVALID_PARAMS (what a host older than `encoding` answers to it: why the extension asks only a host that lists the encoding)', async () => {
    const reply = await host.request('x1', 'history.read', { file: { folderId: filesFolder, name: 'Large' }, limit: 10, encodingOfTomorrow: 'columns' });
    expect(reply.error?.code).toBe('INVALID_PARAMS');
    const unknown = await host.request('x2', 'history.read', { file: { folderId: filesFolder, name: 'Large' }, limit: 10, encoding: 'rows' });
    expect(unknown.error?.code).toBe('INVALID_PARAMS');
  });

  it('reads a profile by id and refuses an unknown one with HISTORY_PROFILE_NOT_FOUND', async () => {
    const reply = await host.request('v1', 'history.read', { profileId: 'vivaldi:Default' });
    expect(reply.result).toMatchObject({ kind: 'chromium', source: 'vivaldi', read: 11, invalid: 0, done: true });
    const missing = await host.request('v2', 'history.read', { profileId: 'chrome:Nope' });
    expect(missing.error?.code).toBe('HISTORY_PROFILE_NOT_FOUND');
  });
});
