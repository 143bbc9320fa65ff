/**
 * A real `pouchdb-server --in-memory` (devDependency; speaks CouchDB's replication protocol) on
 * 127.0.0.1 and a free port, run in a temp folder (it writes its config and log to its working
 * directory). The sync tests, stress and bench start their own.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = join(import.meta.dirname, '..', '..', 'node_modules', 'pouchdb-server', 'bin', 'pouchdb-server');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface CouchServer {
  url: string;
  /** Every document of a database, with bodies (deleted ones excluded), as the server holds them. */
  allDocs(database: string): Promise<Record<string, unknown>[]>;
  stop(): Promise<void>;
}

export async function startPouchServer(): Promise<CouchServer> {
  const dir = mkdtempSync(join(tmpdir(), 'hf-pouchdb-'));
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [BIN, '--in-memory', '--host', '127.0.0.1', '--port', String(port), '--no-stdout-logs'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await fetch(url)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`pouchdb-server did not start on ${url}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    async allDocs(database) {
      const reply = (await (await fetch(`${url}/${database}/_all_docs?include_docs=true`)).json()) as { rows: { doc: Record<string, unknown> }[] };
      return reply.rows.map((row) => row.doc);
    },
    async stop() {
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
