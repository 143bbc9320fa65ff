/**
 * The jobs ledger's list/cancel/retry/prune, and the overview: its numbers equal direct counts of
 * every store.
 */
import { afterEach, describe, expect, it } from 'vitest';
import Dexie from 'dexie';
import { createDatabase, type HydraDb } from '../../../extension/db';
import { dispatchCommand, type CommandHandlers } from '../../../extension/commands/router';
import { createJob, failJob, finishJob, jobCommandHandlers, recoverInterruptedJobs, replayed, replaying, startJob, type JobControls } from '../../../extension/jobs';
import { REPLAY_DEATHS } from '../../../extension/jobs/ledger';
import { getOverview, overviewCommandHandlers } from '../../../extension/overview';
import { addVisits, makeVisit } from '../../../extension/history/visits';
import { threadForTab } from '../../../extension/threads/store';
import { createTask, updateTask } from '../../../extension/tasks/tasks';
import { visitDayOf } from '../../../extension/db';
import { TASK_STATUSES, JOB_STATUSES } from '../../../shared/schemas/statuses';
import { storedVisitCount, storedVisits } from '../../support/visits';

let db: HydraDb;
let n = 0;
async function fresh(): Promise<HydraDb> {
  db = createDatabase(`hydraflow-jobs-test-${n++}`);
  await db.open();
  return db;
}
afterEach(async () => {
  db.close();
  await Dexie.delete(db.name);
});

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 24, 12);

function handlers(controls: JobControls = {}) {
  return { ...jobCommandHandlers(db, controls), ...overviewCommandHandlers(db, null) } as unknown as CommandHandlers;
}
const call = (method: string, params: unknown, controls?: JobControls) => dispatchCommand(handlers(controls), { type: 'hydraflow/command', method, params }, { senderTabId: null, caller: 'extension-page' });

async function job(type: 'history_import' | 'prune' | 'patch_apply' | 'bundle_import', status: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled', createdAt: number, finishedAt: number | null = null) {
  const created = await createJob(db, { type }, createdAt);
  if (status !== 'queued') await startJob(db, created.id, createdAt);
  if (status === 'succeeded') await finishJob(db, created.id, {}, finishedAt ?? createdAt);
  if (status === 'failed' || status === 'cancelled') await failJob(db, created.id, { code: status === 'failed' ? 'IO_ERROR' : 'CANCELLED', message: status }, finishedAt ?? createdAt);
  return created.id;
}

describe('jobs ledger', () => {
  it('lists newest first with status, type and date filters, and refuses bad filters with a code', async () => {
    await fresh();
    const a = await job('history_import', 'succeeded', NOW - 3 * DAY);
    const b = await job('prune', 'failed', NOW - 2 * DAY);
    const c = await job('history_import', 'running', NOW - DAY);
    const all = await call('jobs.list', {});
    expect(all).toMatchObject({ ok: true, result: { matched: 3 } });
    expect((all as { result: { jobs: { id: string }[] } }).result.jobs.map((j) => j.id)).toEqual([c, b, a]);
    expect(await call('jobs.list', { statuses: ['succeeded', 'running'], types: ['history_import'] })).toMatchObject({ ok: true, result: { matched: 2 } });
    expect(await call('jobs.list', { from: NOW - 2.5 * DAY, to: NOW - 1.5 * DAY })).toMatchObject({ ok: true, result: { matched: 1, jobs: [{ id: b }] } });
    expect(await call('jobs.list', { statuses: ['exploded'] })).toMatchObject({ ok: false, error: { code: 'INVALID_COMMAND' } });
    expect(await call('jobs.list', { from: NOW, to: NOW - DAY })).toMatchObject({ ok: false, error: { code: 'INVALID_COMMAND' } });
    expect(await call('jobs.get', { jobId: 'nope' })).toMatchObject({ ok: false, error: { code: 'JOB_NOT_FOUND' } });
  });

  it('cancels through the capability, or directly when nobody runs the job; refuses finished ones', async () => {
    await fresh();
    const running = await job('history_import', 'running', NOW);
    const orphan = await job('prune', 'running', NOW);
    const done = await job('prune', 'succeeded', NOW);
    const stopped: string[] = [];
    const controls: JobControls = {
      history_import: {
        cancel: async (j) => {
          stopped.push(j.id);
          await failJob(db, j.id, { code: 'CANCELLED', message: 'stopped by its runner' });
          return true;
        },
      },
    };
    expect(await call('jobs.cancel', { jobId: running }, controls)).toMatchObject({ ok: true, result: { cancelled: true } });
    expect(stopped).toEqual([running]);
    expect(await call('jobs.cancel', { jobId: orphan }, controls)).toMatchObject({ ok: false, error: { code: 'JOB_NOT_CANCELLABLE' } });
    const queued = await job('patch_apply', 'queued', NOW);
    expect(await call('jobs.cancel', { jobId: queued }, controls)).toMatchObject({ ok: true, result: { cancelled: true } });
    expect((await db.jobs.get(queued))!.status).toBe('cancelled');
    expect(await call('jobs.cancel', { jobId: done }, controls)).toMatchObject({ ok: false, error: { code: 'JOB_NOT_CANCELLABLE' } });
  });

  it('retries failed jobs as new related jobs, and refuses what cannot be retried', async () => {
    await fresh();
    const failed = await job('history_import', 'failed', NOW);
    const ok = await job('history_import', 'succeeded', NOW);
    const patch = await job('patch_apply', 'failed', NOW);
    const controls: JobControls = { history_import: { retry: async () => (await createJob(db, { type: 'history_import' })).id } };
    const reply = await call('jobs.retry', { jobId: failed }, controls);
    expect(reply.ok).toBe(true);
    const newId = (reply as { result: { jobId: string } }).result.jobId;
    expect((await db.jobs.get(newId))!.relatedIds).toEqual([failed]);
    expect(await call('jobs.retry', { jobId: ok }, controls)).toMatchObject({ ok: false, error: { code: 'JOB_NOT_RETRYABLE' } });
    expect(await call('jobs.retry', { jobId: patch }, controls)).toMatchObject({ ok: false, error: { code: 'JOB_NOT_RETRYABLE' } });
  });

  it('prunes only finished jobs of the chosen statuses older than the cut-off, and its counts match', async () => {
    await fresh();
    const now = Date.now();
    for (let i = 0; i < 5; i++) await job('prune', 'succeeded', now - 40 * DAY, now - 40 * DAY);
    for (let i = 0; i < 2; i++) await job('prune', 'succeeded', now - 5 * DAY, now - 5 * DAY);
    for (let i = 0; i < 3; i++) await job('prune', 'failed', now - 40 * DAY, now - 40 * DAY);
    await job('history_import', 'running', now - 90 * DAY);
    await job('history_import', 'queued', now - 90 * DAY);
    const before = await db.jobs.count();
    const reply = await call('jobs.prune', {});
    expect(reply).toMatchObject({ ok: true, result: { removed: 5, byStatus: { succeeded: 5 }, before, after: before - 5 } });
    expect(await db.jobs.count()).toBe(before - 5);
    expect(await call('jobs.prune', { statuses: ['failed', 'succeeded'], olderThanDays: 1 })).toMatchObject({ ok: true, result: { removed: 5, byStatus: { failed: 3, succeeded: 2 } } });
    expect(await db.jobs.where('status').anyOf('running', 'queued').count()).toBe(2);
    expect(await call('jobs.prune', { statuses: ['running'] })).toMatchObject({ ok: false, error: { code: 'INVALID_COMMAND' } });
  });

  it('never leaves a job running after a restart: resumable ones resume, the rest are interrupted', async () => {
    await fresh();
    const resumable = await job('history_import', 'running', NOW);
    await db.jobs.update(resumable, { cursor: { at: 5 } });
    const stuck = await job('prune', 'running', NOW);
    const resumed: string[] = [];
    await recoverInterruptedJobs(db, { history_import: (j) => void resumed.push(j.id) });
    expect(resumed).toEqual([resumable]);
    expect((await db.jobs.get(stuck))!).toMatchObject({ status: 'failed', error: { code: 'JOB_INTERRUPTED' } });
    const overview = (await getOverview(db)).overview;
    expect(overview.health.interruptedJobs).toBe(1);
  });

  it('fails a job that killed its worker twice at the same cursor (JOB_POISONED), never a third run', async () => {
    await fresh();
    const poison = await job('bundle_import', 'running', NOW);
    await db.jobs.update(poison, { cursor: { component: 0, row: 0 } });
    const progressing = await job('bundle_import', 'running', NOW);
    await db.jobs.update(progressing, { cursor: { component: 0, row: 0 } });
    const resumed: string[] = [];
    const resumers = { bundle_import: (j: { id: string }) => void resumed.push(j.id) };
    await recoverInterruptedJobs(db, resumers);
    expect(resumed.sort()).toEqual([poison, progressing].sort());
    // The second job commits a batch before its worker dies again; the first does not.
    await db.jobs.update(progressing, { cursor: { component: 0, row: 10_000 } });
    await recoverInterruptedJobs(db, resumers);
    expect(resumed.filter((id) => id === poison)).toHaveLength(1);
    expect(resumed.filter((id) => id === progressing)).toHaveLength(2);
    expect(await db.jobs.get(poison)).toMatchObject({ status: 'failed', error: { code: 'JOB_POISONED' } });
    expect(await db.jobs.get(progressing)).toMatchObject({ status: 'running', deaths: { count: 1 } });
    // Later starts leave the failed job alone.
    await recoverInterruptedJobs(db, resumers);
    expect(resumed.filter((id) => id === poison)).toHaveLength(1);
  });

  it('counts a death while a resumed job redid work before its cursor apart, up to REPLAY_DEATHS, and a death in new work as before', async () => {
    await fresh();
    const cursor = { component: 7, row: 40_000 };
    const replayingJob = await job('bundle_import', 'running', NOW);
    await db.jobs.update(replayingJob, { cursor });
    const resumers = { bundle_import: () => undefined };
    // Each worker dies while the job reads its file again up to the cursor: not the job's new work.
    for (let death = 1; death < REPLAY_DEATHS; death++) {
      await replaying(db, replayingJob, cursor);
      await recoverInterruptedJobs(db, resumers);
      expect(await db.jobs.get(replayingJob), `death ${death}`).toMatchObject({ status: 'running', deaths: { count: 0, replays: death } });
    }
    // It reaches the cursor, begins new work and dies there: counted as before.
    await replaying(db, replayingJob, cursor);
    await replayed(db, replayingJob);
    await recoverInterruptedJobs(db, resumers);
    expect(await db.jobs.get(replayingJob)).toMatchObject({ status: 'running', deaths: { count: 1 } });
    await recoverInterruptedJobs(db, resumers);
    expect(await db.jobs.get(replayingJob)).toMatchObject({ status: 'failed', error: { code: 'JOB_POISONED' } });
    // A replay that never ends is failed too.
    const endless = await job('bundle_import', 'running', NOW);
    await db.jobs.update(endless, { cursor });
    for (let death = 1; death <= REPLAY_DEATHS; death++) {
      await replaying(db, endless, cursor);
      await recoverInterruptedJobs(db, resumers);
    }
    expect(await db.jobs.get(endless)).toMatchObject({ status: 'failed', error: { code: 'JOB_POISONED' }, deaths: { replays: REPLAY_DEATHS } });
  });
});

describe('overview', () => {
  it('equals direct counts of every store, with visits per day and tasks and jobs by status', async () => {
    await fresh();
    const now = Date.now();
    await addVisits(db, Array.from({ length: 50 }, (_, i) => makeVisit({ url: `https://s${i % 4}.example/${i}`, title: '', visitedAt: now - (i % 5) * DAY - i, transition: 'link', source: 'live' })));
    await addVisits(db, [makeVisit({ url: 'https://old.example/', title: '', visitedAt: now - 200 * DAY, transition: 'link', source: 'chrome' })]);
    const { thread } = await threadForTab(db, { tabId: 1, url: 'https://s0.example/0', title: 'T' });
    await db.tabs.put({ tabId: 1, windowId: 1, index: 0, url: 'https://s0.example/0', urlKey: 'k', title: 'T', active: 1, open: 1, threadId: thread.id, openedAt: now, updatedAt: now });
    await db.tabs.put({ tabId: 2, windowId: 1, index: 1, url: 'https://s1.example/', urlKey: 'k2', title: 'U', active: 0, open: 1, threadId: null, openedAt: now, updatedAt: now });
    await db.tabs.put({ tabId: 3, windowId: 1, index: 2, url: '', urlKey: '', title: '', active: 0, open: 0, threadId: null, openedAt: now, updatedAt: now });
    const task = await createTask(db, { threadId: thread.id, title: 'Read it', description: '', priority: 'normal', dueAt: null });
    await updateTask(db, task.id, { status: 'completed' });
    await createTask(db, { threadId: thread.id, title: 'Summarize', description: '', priority: 'high', dueAt: null });
    await job('prune', 'failed', now - 1000, now - 1000);
    await job('prune', 'succeeded', now - 1000, now - 1000);

    expect(await call('overview.refreshSizes', {})).toMatchObject({ ok: true, result: { hostMeasured: false } });
    const reply = await call('overview.get', {});
    expect(reply.ok).toBe(true);
    const o = (reply as { result: Awaited<ReturnType<typeof getOverview>>['overview'] }).result;
    expect(o.visits.total).toBe(await storedVisitCount(db));
    expect(o.visits.lastVisitAt).toBe(Math.max(...(await storedVisits(db)).map((v) => v.visitedAt)));
    expect(o.threads).toBe(await db.threads.count());
    expect(o.messages).toBe(await db.messages.count());
    expect(o.pages).toBe(await db.pages.count());
    expect(o.memories).toBe(await db.memories.count());
    expect(o.tabSnapshots).toBe(await db.tabSnapshots.count());
    expect(o.taskEvents).toBe(await db.taskEvents.count());
    expect(o.tabs).toEqual({ open: 2, bound: 1 });
    for (const status of TASK_STATUSES) expect(o.tasks[status], status).toBe(await db.tasks.where('status').equals(status).count());
    for (const status of JOB_STATUSES) expect(o.jobs[status], status).toBe(await db.jobs.where('status').equals(status).count());
    expect(o.health.jobsFailedLastDay).toBe(1);
    // Byte estimates: measured (with their time) from sampled rows, proportional to the rows stored.
    expect(o.storage.storesMeasuredAt).toBeGreaterThan(0);
    expect(o.storage.stores!.visits).toBeGreaterThan(50 * 100);
    expect(o.storage.stores!.pages).toBe(0);
    // 90 days, oldest first, ending today; the 200-day-old visit is outside the chart.
    expect(o.visitsPerDay).toHaveLength(90);
    expect(o.visitsPerDay.at(-1)!.day).toBe(visitDayOf(now));
    const visits = await storedVisits(db);
    for (const { day, count } of o.visitsPerDay) expect(count, `day ${day}`).toBe(visits.filter((v) => visitDayOf(v.visitedAt) === day).length);
    expect(o.visitsPerDay.reduce((sum, d) => sum + d.count, 0)).toBe(50);
  });
});
