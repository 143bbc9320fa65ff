/**
 * Other tools' exports: detected by content, mapped into our entities, imported through the same
 * path as bundles (Dexie on fake-indexeddb), and importing the same file twice adds nothing.
 */
import Dexie from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { importRows, openRowSource } from '../../../extension/bundles';
import { createDatabase, type HydraDb } from '../../../extension/db';
import { mapForeign } from '../../../shared/bundle/foreign';
import { bytesSource } from '../../../shared/bundle/zip-read';
import type { Message, TabSnapshot, Thread, Visit } from '../../../shared/schemas/entities';
import { browserexportJsonl, oneTabExport, pageAssistBackup, sessionBuddyBackup, tabSessionManagerExport } from '../../fixtures/foreign';
import { storedVisits } from '../../support/visits';

let db: HydraDb | null = null;
let n = 0;
afterEach(async () => {
  if (!db) return;
  db.close();
  await Dexie.delete(db.name);
  db = null;
});

async function importTwice(text: string) {
  db = createDatabase(`foreign-${n++}`);
  const bytes = new TextEncoder().encode(text);
  const first = await importRows(db, await openRowSource(bytesSource(bytes)), { component: 0, row: 0, report: null });
  const second = await importRows(db, await openRowSource(bytesSource(bytes)), { component: 0, row: 0, report: null });
  const stored = { threads: await db.threads.toArray(), messages: await db.messages.toArray(), tabSnapshots: await db.tabSnapshots.toArray(), visits: await storedVisits(db) };
  return { first, second, stored };
}

function addedNothing(report: Record<string, { added: number }>): void {
  for (const [component, counts] of Object.entries(report)) expect(counts.added, component).toBe(0);
}

describe('imports from other tools', () => {
  it('Tab Session Manager: sessions become threads, tabs become snapshots, lastAccessed becomes visits', async () => {
    const mapped = mapForeign(tabSessionManagerExport())!;
    expect(mapped.format).toBe('tab-session-manager');
    const { first, second, stored } = await importTwice(tabSessionManagerExport());
    expect(first.threads).toEqual({ rows: 2, added: 2, present: 0, invalid: 0 });
    expect(first.tabSnapshots).toEqual({ rows: 4, added: 4, present: 0, invalid: 1 });
    expect(first.visits).toEqual({ rows: 3, added: 3, present: 0, invalid: 0 });
    const research = stored.threads.find((t: Thread) => t.title.startsWith('Research session'))!;
    expect(research.title).toBe('Research session #work #reading');
    expect(stored.tabSnapshots.filter((s: TabSnapshot) => s.threadId === research.id).map((s) => s.title).sort()).toEqual(['Guide', 'Research <b>notes</b>', 'Straße 🦊']);
    expect(stored.visits.map((v: Visit) => v.source)).toEqual(['import', 'import', 'import']);
    addedNothing(second);
  });

  it('OneTab: each blank-line group becomes a thread of its tabs (title may contain " | ")', async () => {
    expect(mapForeign(oneTabExport())!.format).toBe('onetab');
    const { first, second, stored } = await importTwice(oneTabExport());
    expect(first.threads).toEqual({ rows: 2, added: 2, present: 0, invalid: 0 });
    // chrome://extensions/ is not a web URL: counted invalid, not stored.
    expect(first.tabSnapshots).toMatchObject({ added: 4, invalid: 1 });
    expect(stored.tabSnapshots.map((s: TabSnapshot) => s.title)).toContain('Example | with a pipe in the title');
    expect(stored.visits).toEqual([]);
    addedNothing(second);
  });

  it('OneTab: a file with 3 bad lines out of 20 imports the other 17 and counts the 3 invalid', async () => {
    const good = Array.from({ length: 17 }, (_, i) => (i === 5 ? `https://example.com/page-${i} | ` : `https://example.com/page-${i} | Page ${i}`));
    const bad = ['just some words, no link', 'https://exa mple.com/ | Space in the host', 'http:// | No host'];
    const lines = [...good.slice(0, 6), bad[0]!, ...good.slice(6, 12), bad[1]!, '', ...good.slice(12), bad[2]!];
    expect(lines.filter((line) => line).length).toBe(20);
    const text = lines.join('\n');
    expect(mapForeign(text)!.format).toBe('onetab');
    const { first, stored } = await importTwice(text);
    expect(first.tabSnapshots).toMatchObject({ added: 17, invalid: 3 });
    expect(stored.tabSnapshots).toHaveLength(17);
    // The line with an empty title is one of the 17.
    expect(stored.tabSnapshots.map((s: TabSnapshot) => s.url)).toContain('https://example.com/page-5');
  });

  it('Tab Session Manager: an unnamed session gets a title from its date, not only its tags', () => {
    const date = Date.UTC(2024, 4, 3, 9, 30);
    const sessions = [{ id: 's-1', name: '', date, tag: ['winClose'], windows: { 1: { 7: { url: 'https://example.com/', title: 'Example' } } } }];
    const mapped = mapForeign(JSON.stringify(sessions))!;
    expect((mapped.rows.threads as Thread[])[0]!.title).toBe('Tab Session Manager session of 2024-05-03 09:30 UTC #winClose');
  });

  it('Session Buddy backup (nxs.json.v1, with BOM): sessions and windows become threads with snapshots', async () => {
    expect(mapForeign(sessionBuddyBackup())!.format).toBe('session-buddy');
    const { first, second, stored } = await importTwice(sessionBuddyBackup());
    expect(first.threads).toEqual({ rows: 2, added: 2, present: 0, invalid: 0 });
    expect(first.tabSnapshots).toEqual({ rows: 4, added: 4, present: 0, invalid: 1 });
    const saved = stored.threads.find((t: Thread) => t.title === 'Saved for later')!;
    expect(saved.createdAt).toBe(Date.parse('2024-06-30T08:00:00.000Z'));
    addedNothing(second);
  });

  it('browserexport / promnesia JSONL: visits with seconds-since-epoch times, duplicates and bad URLs counted', async () => {
    expect(mapForeign(browserexportJsonl())!.format).toBe('browserexport');
    const { first, second, stored } = await importTwice(browserexportJsonl());
    expect(first.visits).toEqual({ rows: 3, added: 3, present: 0, invalid: 1 });
    expect(stored.visits.map((v: Visit) => v.visitedAt).sort()).toEqual([1_700_000_000_250, 1_700_000_060_000, 1_700_000_120_500]);
    expect(stored.visits.find((v: Visit) => v.visitedAt === 1_700_000_120_500)!.title).toBe('A video');
    addedNothing(second);
  });

  it('browserexport JSON list (merge --json) is read like its JSONL form', () => {
    const list = `[${browserexportJsonl().trim().split('\n').join(',')}]`;
    expect(mapForeign(list)).toEqual(mapForeign(browserexportJsonl()));
  });

  it('Page Assist backup: chats become threads with their messages, roles and model kept', async () => {
    expect(mapForeign(pageAssistBackup())!.format).toBe('page-assist');
    const { first, second, stored } = await importTwice(pageAssistBackup());
    expect(first.threads).toEqual({ rows: 2, added: 2, present: 0, invalid: 0 });
    expect(first.messages).toEqual({ rows: 2, added: 2, present: 0, invalid: 1 });
    const reply = stored.messages.find((m: Message) => m.role === 'assistant')!;
    expect(reply).toMatchObject({ content: 'It says **hello**.', model: 'llama3:8b', status: 'complete' });
    expect(stored.threads.find((t: Thread) => t.title === 'Empty chat')!.pinned).toBe(1);
    addedNothing(second);
  });

  it('refuses text that is no known export with BUNDLE_FOREIGN_UNRECOGNIZED', async () => {
    for (const text of ['{"hello": "world"}', 'just some notes\nand more', '[1, 2, 3]']) {
      expect(mapForeign(text)).toBeNull();
      await expect(openRowSource(bytesSource(new TextEncoder().encode(text)))).rejects.toMatchObject({ code: 'BUNDLE_FOREIGN_UNRECOGNIZED' });
    }
  });
});
