/**
 * `hydraflow-host history export` on generated fixtures (Chromium History, Firefox places.sqlite,
 * Takeout JSON), through the real CLI process: exact rows, errors as stable codes, a History file
 * held under an exclusive SQLite lock by another process, and no temp copy left behind.
 */
import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, statSync, openSync, readdirSync, rmSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli';
import { writeAllFixtures } from '../fixtures/make-history';

let dir: string;
let scratch: string;
let paths: { history: string; places: string; takeout: string };

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hf-history-'));
  scratch = mkdtempSync(join(tmpdir(), 'hf-history-tmp-'));
  paths = writeAllFixtures(dir);
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
});

/** Runs the CLI with its data in a scratch dir (TMPDIR too: no copy may go there), so leftover snapshot copies are visible. */
function exportRows(args: string[]): { status: number | null; rows: unknown[]; stderr: string } {
  const run = runCli(['history', 'export', ...args], { HYDRAFLOW_HOME: join(scratch, 'home'), TMPDIR: scratch });
  const rows = run.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as unknown);
  return { status: run.status, rows, stderr: run.stderr };
}

function leftoverCopies(): string[] {
  const copies = join(scratch, 'home', 'data', 'history-copies');
  // Copies go only to the host's private folder (0700), never to the shared temp dir.
  expect(readdirSync(scratch).filter((name) => name.startsWith('hydraflow-history-'))).toEqual([]);
  expect(statSync(copies).mode & 0o777).toBe(0o700);
  return readdirSync(copies);
}

const CHROMIUM_ROWS = [
  { url: 'https://example.com/', title: 'Example Domain', visitedAt: 1710072000000, transition: 'typed', source: 'chromium' },
  { url: 'https://example.com/', title: 'Example Domain', visitedAt: 1710072060000, transition: 'reload', source: 'chromium' },
  { url: 'https://xn--r8jz45g.jp/%E3%83%91%E3%82%B9?q=%E6%97%A5%E6%9C%AC%E8%AA%9E', title: '日本語のページ 🦊', visitedAt: 1710072120000, transition: 'link', source: 'chromium' },
  { url: 'https://docs.example.org/guide?section=2&lang=en#install', title: '<b>Guide</b> & <script>alert("x")</script>', visitedAt: 1710072180000, transition: 'link', source: 'chromium' },
  { url: 'http://short.example/a', title: '', visitedAt: 1710072240000, transition: 'link', source: 'chromium' },
  { url: 'https://short.example/a', title: '', visitedAt: 1710072240000, transition: 'link', source: 'chromium' },
  { url: 'https://www.target.example/article?id=7', title: 'Target article', visitedAt: 1710072240000, transition: 'link', source: 'chromium' },
  { url: 'https://docs.example.org/guide?section=2&lang=en#install', title: '<b>Guide</b> & <script>alert("x")</script>', visitedAt: 1710072300000, transition: 'link', source: 'chromium' },
  { url: 'https://search.example/results?q=hello+world', title: 'hello world - Search', visitedAt: 1710072360000, transition: 'form_submit', source: 'chromium' },
  { url: 'https://ads.example/frame', title: '', visitedAt: 1710072390000, transition: 'auto_subframe', source: 'chromium' },
  { url: 'https://search.example/results?q=typed', title: 'typed - Search', visitedAt: 1710144000000, transition: 'generated', source: 'chromium' },
];

describe('hydraflow-host history export', () => {
  it('exports every visit of a Chromium History file, exactly, and deletes its temp copy', () => {
    const run = exportRows(['--file', paths.history]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.rows).toEqual(CHROMIUM_ROWS);
    expect(leftoverCopies()).toEqual([]);
  });

  it('`history summary` prints what a re-import compares: visits per UTC day and their digest', () => {
    const run = runCli(['history', 'summary', '--file', paths.history, '--json'], { HYDRAFLOW_HOME: join(scratch, 'home'), TMPDIR: scratch });
    expect(run.status, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout) as { visits: number; summary: { kind: string; blockDays: number; blocks: [number, number, number][] } };
    expect(out.visits).toBe(11);
    expect(out.summary.kind).toBe('chromium');
    expect(out.summary.blocks.map(([block, count]) => [new Date(block * 86_400_000).toISOString().slice(0, 10), count])).toEqual([['2024-03-10', 10], ['2024-03-11', 1]]);
    const text = runCli(['history', 'summary', '--file', paths.history], { HYDRAFLOW_HOME: join(scratch, 'home'), TMPDIR: scratch });
    expect(text.stdout.split('\n')[1]).toBe(`2024-03-10\t10\t${out.summary.blocks[0]![2]}`);
  });

  it('names the browser given by --source, and filters with --since (inclusive)', () => {
    const run = exportRows(['--file', paths.history, '--since', '2024-03-10T12:05:00Z', '--source', 'brave', '--format', 'ndjson']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.rows).toEqual(CHROMIUM_ROWS.slice(7).map((row) => ({ ...row, source: 'brave' })));
  });

  it('exports a Firefox places.sqlite with visit types mapped to core transitions', () => {
    const run = exportRows(['--file', paths.places]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.rows).toEqual([
      { url: 'https://www.mozilla.org/en-US/', title: 'Mozilla', visitedAt: 1714554000000, transition: 'typed', source: 'firefox' },
      { url: 'https://developer.mozilla.org/en-US/docs/Web?topic=css#grid', title: 'MDN <Web> Docs', visitedAt: 1714554060000, transition: 'link', source: 'firefox' },
      { url: 'https://www.mozilla.org/en-US/', title: 'Mozilla', visitedAt: 1714554120000, transition: 'reload', source: 'firefox' },
      { url: 'https://bookmarked.example/', title: '', visitedAt: 1714554180000, transition: 'auto_bookmark', source: 'firefox' },
      { url: 'https://old.example/', title: 'Moved', visitedAt: 1714554240000, transition: 'link', source: 'firefox' },
      { url: 'https://ünïcödé.example/straße', title: 'Straße', visitedAt: 1714554300000, transition: 'link', source: 'firefox' },
    ]);
  });

  it('exports a Takeout BrowserHistory.json in time order, skipping entries without a URL', () => {
    const run = exportRows(['--file', paths.takeout]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.rows).toEqual([
      { url: 'https://café.example/menu#drinks', title: 'Café — Ünïcode', visitedAt: 1699999999000, transition: 'typed', source: 'takeout' },
      { url: 'https://www.google.com/search?q=hydra', title: 'Google <Search>', visitedAt: 1700000000123, transition: 'link', source: 'takeout' },
      { url: 'https://www.google.com/search?q=hydra', title: 'Google <Search>', visitedAt: 1700000060000, transition: 'reload', source: 'takeout' },
      { url: 'https://accounts.example/login?next=%2F', title: 'Login', visitedAt: 1700000120000, transition: 'form_submit', source: 'takeout' },
    ]);
  });

  it('reads a History file while another process holds an exclusive SQLite lock on it', async () => {
    const locked = join(dir, 'LockedHistory');
    copyFileSync(paths.history, locked);
    const holder: ChildProcess = spawn(
      process.execPath,
      ['-e', `const D=require('better-sqlite3');const db=new D(${JSON.stringify(locked)});db.pragma('locking_mode = EXCLUSIVE');db.exec('BEGIN EXCLUSIVE');db.prepare("UPDATE meta SET value='x' WHERE key='mmap_status'").run();process.stdout.write('locked\\n');setInterval(()=>{},1000);`],
      { cwd: join(import.meta.dirname, '..', '..'), stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('locked') && resolve());
        holder.on('exit', (code) => reject(new Error(`lock holder exited ${code}`)));
      });
      // The lock is real: opening the original directly fails.
      const direct = new Database(locked, { readonly: true, timeout: 100 });
      expect(() => direct.prepare('SELECT count(*) FROM visits').get()).toThrow(/locked|busy/i);
      direct.close();
      const run = exportRows(['--file', locked]);
      expect(run.status, run.stderr).toBe(0);
      expect(run.rows).toEqual(CHROMIUM_ROWS);
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('fails with HISTORY_FILE_NOT_FOUND for a missing file', () => {
    const run = exportRows(['--file', join(dir, 'nope', 'History')]);
    expect(run.status).toBe(1);
    expect(JSON.parse(run.stderr.trim())).toMatchObject({ ok: false, error: { code: 'HISTORY_FILE_NOT_FOUND' } });
    expect(run.rows).toEqual([]);
  });

  it('fails with HISTORY_NOT_A_DATABASE for a text file and for an SQLite file without history tables', () => {
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'hello, not a database\n');
    const other = join(dir, 'other.sqlite');
    const db = new Database(other);
    db.exec('CREATE TABLE things (id INTEGER PRIMARY KEY)');
    db.close();
    const otherJson = join(dir, 'other.json');
    writeFileSync(otherJson, '{"Bookmarks": []}');
    for (const file of [text, other, otherJson]) {
      const run = exportRows(['--file', file]);
      expect(run.status, file).toBe(1);
      expect(JSON.parse(run.stderr.trim()), file).toMatchObject({ ok: false, error: { code: 'HISTORY_NOT_A_DATABASE' } });
    }
    expect(leftoverCopies()).toEqual([]);
  });

  it('fails with HISTORY_FILE_CORRUPT for a damaged History and a truncated Takeout file', () => {
    const damaged = join(dir, 'DamagedHistory');
    copyFileSync(paths.history, damaged);
    const fd = openSync(damaged, 'r+');
    // Garbage over the first page's b-tree (the schema table), keeping the 100-byte file header.
    writeSync(fd, Buffer.alloc(3000, 0xa5), 0, 3000, 100);
    closeSync(fd);
    const truncated = join(dir, 'Truncated.json');
    writeFileSync(truncated, '{"Browser History": [{"url": "https://a.example/", "time_');
    for (const file of [damaged, truncated]) {
      const run = exportRows(['--file', file]);
      expect(run.status, file).toBe(1);
      expect(JSON.parse(run.stderr.trim().split('\n').pop()!), file).toMatchObject({ ok: false, error: { code: 'HISTORY_FILE_CORRUPT' } });
    }
    expect(leftoverCopies()).toEqual([]);
  });

  it('lists profiles with display names from Local State, as JSON', () => {
    const fakeHome = join(scratch, 'fake-home');
    const edge = join(fakeHome, '.config', 'microsoft-edge');
    mkdirSync(join(edge, 'Profile 3'), { recursive: true });
    copyFileSync(paths.history, join(edge, 'Profile 3', 'History'));
    writeFileSync(join(edge, 'Local State'), JSON.stringify({ profile: { info_cache: { 'Profile 3': { name: 'Travail' } } } }));
    const run = runCli(['history', 'profiles', '--json'], { HYDRAFLOW_HOME: join(scratch, 'home'), HOME: fakeHome, XDG_CONFIG_HOME: '' });
    expect(run.status, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout) as { ok: boolean; profiles: { id: string; name: string; historySize: number; historyPath: string }[] };
    expect(out.profiles.map((p) => [p.id, p.name, p.historySize, p.historyPath])).toEqual([['edge:Profile 3', 'Travail', statSync(paths.history).size, join(edge, 'Profile 3', 'History')]]);
  });

  it('rejects usage errors with USAGE and exit code 2', () => {
    const run = runCli(['history', 'export', '--since', 'yesterday', '--file', paths.history]);
    expect(run.status).toBe(2);
    expect(JSON.parse(run.stderr.trim())).toMatchObject({ error: { code: 'USAGE' } });
  });
});
