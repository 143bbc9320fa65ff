/**
 * The host killed with SIGKILL in the middle of its work, over the protocol as the extension
 * drives it:
 *  - during a 200-file patch apply: after a new host starts (every repo call recovers first) the
 *    tree is byte-identical to before or to the fully applied patch, and the ledger agrees;
 *  - during a history stream: a new host streams the whole file again, every visit exactly once,
 *    and no private copy of the History file is left behind by the killed host.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROTOCOL_VERSION } from '../../../shared/version';
import { writeLargeChromiumHistory } from '../../fixtures/make-history';
import { runCli } from '../../support/cli';
import { HostProcess } from '../../support/host-process';
import { generateLargeChange, hashTree, makeRepoFixture, writeTree } from '../../support/repo-fixture';
import { randomSource, type Scenario } from '../report';

const hello = { protocolVersion: PROTOCOL_VERSION };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const hostKillDuringApply: Scenario = {
  name: 'host SIGKILL during patch apply',
  needs: 'host',
  async run({ smoke, seed, log }) {
    const random = randomSource(seed);
    const runs = smoke ? 2 : 20;
    const change = generateLargeChange(200, 25);
    const fixture = makeRepoFixture(change.before, (root) => ({ main: { root, budgets: { maxFiles: 1000, maxLines: 1_000_000, maxBytes: 100_000_000 } } }));
    const reference = mkdtempSync(join(tmpdir(), 'hf-stress-ref-'));
    writeTree(reference, change.after);
    const before = hashTree(fixture.root);
    const after = hashTree(reference);
    rmSync(reference, { recursive: true, force: true });
    const journal = join(fixture.home, 'data', 'repo', 'main', 'journal.json');
    let consistent = 0;
    let between = 0;
    let failures = 0;
    let ledgerMismatch = 0;
    const outcomes = { unchanged: 0, applied: 0, killedInsideJournal: 0 };
    try {
      // Calibrate: how long one apply takes from request to reply on this machine now.
      let host = new HostProcess({ home: fixture.home });
      await host.request('h', 'hello', hello);
      let started = performance.now();
      await host.request('cal', 'repo.apply', { repoId: 'main', patch: change.patch, dryRun: true }, 60_000);
      const applyMs = performance.now() - started;
      host.child.kill('SIGKILL');
      await host.exited;
      for (let run = 0; run < runs; run++) {
        writeTree(fixture.root, change.before);
        host = new HostProcess({ home: fixture.home });
        await host.request('h', 'hello', hello);
        // Half the kills at a random time in the whole apply, half once the journal exists.
        // The kill may land while the (large) request is still being written: EPIPE is expected then.
        host.send({ id: `apply-${run}`, method: 'repo.apply', params: { repoId: 'main', patch: change.patch } }).catch(() => undefined);
        started = performance.now();
        if (run % 2 === 0) await sleep(random.next() * applyMs * 1.5);
        else {
          while (!existsSync(journal) && host.child.exitCode === null && performance.now() - started < 20_000) await sleep(1);
          await sleep(random.next() * applyMs * 0.5);
        }
        if (existsSync(journal)) outcomes.killedInsideJournal++;
        host.child.kill('SIGKILL');
        await host.exited;
        const next = new HostProcess({ home: fixture.home });
        try {
          const ledger = await next.request('l', 'repo.ledger', { repoId: 'main' }, 30_000);
          if (!ledger.ok || existsSync(journal)) {
            failures++;
            log(`run ${run}: the next host did not recover: ${JSON.stringify(ledger.error)}`);
            continue;
          }
          const hash = hashTree(fixture.root);
          const entries = (ledger.result as { entries: unknown[] }).entries.length;
          if (hash === before) outcomes.unchanged++;
          else if (hash === after) outcomes.applied++;
          if (hash === before || hash === after) consistent++;
          else {
            between++;
            log(`run ${run}: the tree is neither before nor after the patch`);
          }
          // The ledger holds the change exactly when the tree shows it.
          if (entries !== (hash === after ? 1 : 0)) ledgerMismatch++;
          // The next run starts from the original tree with an empty ledger.
          const changes = join(fixture.home, 'data', 'repo', 'main', 'changes');
          for (const name of readdirSync(changes)) rmSync(join(changes, name), { recursive: true, force: true });
        } finally {
          next.child.kill('SIGKILL');
          await next.exited;
        }
      }
    } finally {
      fixture.cleanup();
    }
    return {
      runs,
      rowsExpected: runs,
      rowsFound: consistent,
      duplicates: 0,
      lost: between,
      failures: failures + ledgerMismatch,
      notes: [`${runs} kills during a 200-file, 5,000-hunk apply; ${outcomes.killedInsideJournal} while the journal existed; ${outcomes.unchanged} rolled back, ${outcomes.applied} complete`, `trees unchanged or fully applied after recovery: ${consistent}; in between: ${between}; ledger disagreeing with the tree: ${ledgerMismatch}`],
    };
  },
};

export const hostKillDuringHistoryStream: Scenario = {
  name: 'host SIGKILL during history stream',
  needs: 'host',
  async run({ smoke, seed, log }) {
    const random = randomSource(seed + 1);
    const runs = smoke ? 1 : 10;
    const visits = smoke ? 20_000 : 100_000;
    const base = mkdtempSync(join(tmpdir(), 'hf-stress-history-'));
    const files = join(base, 'files');
    mkdirSync(files);
    writeLargeChromiumHistory(join(files, 'History'), { visits, urls: Math.ceil(visits / 5) });
    // The hosts share one home; the file is in a folder allowed there, named by folder id and name.
    const home = join(base, 'home');
    const allowed = runCli(['folders', 'add', files], { HYDRAFLOW_HOME: home });
    if (allowed.status !== 0) throw new Error(allowed.stderr || allowed.stdout);
    const file = { folderId: (JSON.parse(allowed.stdout) as { folders: { id: string }[] }).folders.at(-1)!.id, name: 'History' };
    // Private copies go to the host's own folder: inspect it between hosts.
    const hostTmp = join(home, 'data', 'history-copies');
    const copies = () => (existsSync(hostTmp) ? readdirSync(hostTmp).filter((name) => name.startsWith('hydraflow-history-')).length : 0);
    let complete = 0;
    let duplicates = 0;
    let lost = 0;
    let failures = 0;
    let leftovers = 0;
    try {
      for (let run = 0; run < runs; run++) {
        rmSync(hostTmp, { recursive: true, force: true });
        const host = new HostProcess({ home });
        await host.request('h', 'hello', hello);
        host.send({ id: 'read', method: 'history.read', params: { file, after: null, limit: 100_000 } }).catch(() => undefined);
        await host.waitFor((frame) => frame.event === 'items' || 'ok' in frame, 30_000);
        await sleep(random.next() * 200);
        host.child.kill('SIGKILL');
        await host.exited;
        const killedCopies = copies();
        // The next host reads the whole file again, page after page, as the import job does.
        const next = new HostProcess({ home });
        try {
          const seen = new Set<string>();
          let doubled = 0;
          let after: unknown = null;
          for (let page = 0; ; page++) {
            const reply = await next.request(`p${page}`, 'history.read', { file, after, limit: 50_000 }, 60_000);
            if (!reply.ok) throw new Error(JSON.stringify(reply.error));
            for (const frame of next.frames.filter((f) => f.id === `p${page}` && f.event === 'items')) {
              for (const visit of (frame.data as { visits: { url: string; visitedAt: number }[] }).visits) {
                const key = `${visit.url}@${visit.visitedAt}`;
                if (seen.has(key)) doubled++;
                seen.add(key);
              }
            }
            next.frames.length = 0;
            const result = reply.result as { done: boolean; position: unknown; read: number };
            after = result.position;
            if (result.done || result.read === 0) break;
          }
          const remaining = copies();
          if (remaining > 0) leftovers++;
          duplicates += doubled;
          if (seen.size === visits) complete++;
          else lost += visits - seen.size;
          log(`run ${run}: killed host left ${killedCopies} copy(ies); after the next read ${remaining} remain; ${seen.size} distinct visits`);
        } catch (error) {
          failures++;
          log(`run ${run}: the next host failed: ${(error as Error).message}`);
        } finally {
          // Not stop(): it would delete the shared home.
          next.child.stdin.end();
          await next.exited;
        }
      }
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
    return {
      runs,
      rowsExpected: runs * visits,
      rowsFound: complete * visits,
      duplicates,
      lost,
      failures: failures + leftovers,
      notes: [`${runs} kills while streaming a ${visits}-visit History; each time a new host streamed every visit exactly once`, `runs that left a private History copy behind after the next read: ${leftovers}`],
    };
  },
};
