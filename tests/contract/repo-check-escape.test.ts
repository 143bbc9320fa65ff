/**
 * A check whose descendant leaves the process group (`setsid`) and keeps stdout open cannot hold
 * the reply: with timeoutSec 2 the host answers within 5 s, timed out; cancelled, it answers
 * within 3 s. The escaped processes (found by the run token in their environment) are killed too.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostProcess } from '../support/host-process';
import { makeRepoFixture, type RepoFixture } from '../support/repo-fixture';

let fixture: RepoFixture;
let host: HostProcess;
/** A sleep length no other process uses: finds the escaped processes in /proc by their argv. */
const marker = `300.${process.pid}${Date.now() % 100_000}`;

/** Pids of live processes whose command line carries `marker`. */
function escapedAlive(): number[] {
  const found: number[] = [];
  for (const pid of readdirSafe('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker) && !readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').startsWith('Z')) found.push(Number(pid));
    } catch {
      // gone
    }
  }
  return found;
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

beforeAll(() => {
  fixture = makeRepoFixture({ 'a.txt': 'x\n' });
  const config = JSON.parse(readFileSync(fixture.configFile, 'utf8')) as { repos: { main: Record<string, unknown> } };
  // The main process starts `setsid sh -c '…; sleep 300.N'` with stdout inherited, lets it leave
  // the group (so the group kill cannot reach it), then exits; the escaped shell and its sleep hold stdout.
  const argv = ['sh', '-c', `setsid sh -c 'echo started; sleep ${marker}' & sleep 0.5`];
  config.repos.main.checks = { escape: { argv, timeoutSec: 2 }, escapeLong: { argv, timeoutSec: 120 } };
  writeFileSync(fixture.configFile, JSON.stringify(config));
  host = new HostProcess({ home: fixture.home, env: { HYDRAFLOW_HOME: fixture.home } });
});
afterAll(async () => {
  for (const pid of escapedAlive()) process.kill(pid, 'SIGKILL');
  await host.stop();
  fixture.cleanup();
});

describe('a check whose descendant escaped the process group', () => {
  it('times out at 2 s and answers within 5 s; the escaped process is killed', async () => {
    const started = Date.now();
    const reply = await host.request('t', 'repo.check', { repoId: 'main', checkId: 'escape' }, 20_000);
    const took = Date.now() - started;
    expect(reply.ok, JSON.stringify(reply.error)).toBe(true);
    expect(reply.result).toMatchObject({ timedOut: true, output: expect.stringContaining('started') });
    expect(took).toBeGreaterThanOrEqual(1900);
    expect(took).toBeLessThan(5000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(escapedAlive()).toEqual([]);
  });

  it('cancelled, it answers within 3 s with CANCELLED', async () => {
    const done = host.request('c', 'repo.check', { repoId: 'main', checkId: 'escapeLong' }, 20_000);
    await host.waitFor((frame) => frame.id === 'c' && frame.event === 'output', 10_000);
    const cancelledAt = Date.now();
    expect((await host.request('x', 'cancel', { requestId: 'c' })).result).toEqual({ cancelled: true });
    const reply = await done;
    expect(reply.error?.code).toBe('CANCELLED');
    expect(Date.now() - cancelledAt).toBeLessThan(3000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(escapedAlive()).toEqual([]);
  });
});
