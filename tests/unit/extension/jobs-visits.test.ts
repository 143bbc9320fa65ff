import { afterEach, describe, expect, it } from 'vitest';
import Dexie from 'dexie';
import { createDatabase, type HydraDb } from '../../../extension/db';
import { addVisits, makeVisit } from '../../../extension/history';
import { createdByThisWorker, createJob, failJob, finishJob, recoverInterruptedJobs, reportProgress, startJob } from '../../../extension/jobs';
import { storedVisitCount, storedVisits } from '../../support/visits';

let db: HydraDb;
let n = 0;
async function fresh(): Promise<HydraDb> {
  db = createDatabase(`hydraflow-core-test-${n++}`);
  await db.open();
  return db;
}
afterEach(async () => {
  db.close();
  await Dexie.delete(db.name);
});

describe('visits', () => {
  it('stores each (normalized URL, visitedAt) once, from any source, and counts honestly', async () => {
    await fresh();
    const a = makeVisit({ url: 'https://Example.com/a#x', title: 'A', visitedAt: 1000, transition: 'link', source: 'live' });
    const sameFromFile = makeVisit({ url: 'https://example.com/a', title: 'A (file)', visitedAt: 1000, transition: 'typed', source: 'chrome' });
    const b = makeVisit({ url: 'https://example.com/a', title: 'A', visitedAt: 2000, transition: 'reload', source: 'chrome' });
    expect(await addVisits(db, [a])).toEqual({ added: 1, duplicates: 0 });
    expect(await addVisits(db, [sameFromFile, b, b])).toEqual({ added: 1, duplicates: 2 });
    expect(await storedVisitCount(db)).toBe(2);
    expect((await storedVisits(db)).find((v) => v.id === a.id)!.title).toBe('A');
    expect(a.hostRev).toBe('com.example');
  });
});

describe('jobs ledger', () => {
  it('moves a job through queued → running → succeeded with progress and rate', async () => {
    await fresh();
    const job = await createJob(db, { type: 'history_import', total: 100 }, 1000);
    expect(job.status).toBe('queued');
    await startJob(db, job.id, 2000);
    await reportProgress(db, job.id, { done: 50, cursor: { offset: 50 } }, 4000);
    expect(await db.jobs.get(job.id)).toMatchObject({ status: 'running', progress: { done: 50, total: 100, rate: 25 }, cursor: { offset: 50 } });
    await finishJob(db, job.id, { added: 100 }, 5000);
    expect(await db.jobs.get(job.id)).toMatchObject({ status: 'succeeded', finishedAt: 5000, result: { added: 100 }, cursor: null });
  });

  it('start-up recovery, which runs after the commands that woke the worker, leaves the jobs they started alone', async () => {
    await fresh();
    // A job of the dead worker: its row, as that worker left it (this worker never created it).
    const template = await createJob(db, { type: 'history_import' });
    const leftover = { ...template, id: 'job-of-a-dead-worker', status: 'running' as const, startedAt: 1, cursor: { offset: 5 } };
    await db.jobs.add(leftover);
    const deadNoCursor = { ...template, id: 'dead-no-cursor', status: 'running' as const, startedAt: 1 };
    await db.jobs.add(deadNoCursor);
    await db.jobs.delete(template.id);
    // The command that woke this worker started an import, which has its cursor already.
    const mine = await createJob(db, { type: 'history_import' });
    await startJob(db, mine.id);
    await reportProgress(db, mine.id, { done: 1, cursor: { offset: 1 } });
    expect(createdByThisWorker(mine.id)).toBe(true);
    expect(createdByThisWorker(leftover.id)).toBe(false);

    const picked: string[] = [];
    const outcome = await recoverInterruptedJobs(db, { history_import: (job) => picked.push(job.id) }, { alive: createdByThisWorker });
    expect(picked, 'resumed once, by its runner only').toEqual([leftover.id]);
    expect(outcome.interrupted).toEqual([deadNoCursor.id]);
    expect(await db.jobs.get(mine.id)).toMatchObject({ status: 'running', error: null, cursor: { offset: 1 } });
  });

  it('after a restart, resumes jobs that can resume and marks the rest interrupted — none stays running', async () => {
    await fresh();
    const resumable = await createJob(db, { type: 'history_import' });
    await startJob(db, resumable.id);
    await reportProgress(db, resumable.id, { done: 10, cursor: { offset: 10 } });
    const noCursor = await createJob(db, { type: 'history_import' });
    await startJob(db, noCursor.id);
    const other = await createJob(db, { type: 'bundle_export' });
    const done = await createJob(db, { type: 'bundle_export' });
    await failJob(db, done.id, { code: 'CANCELLED', message: 'stopped' });

    const picked: string[] = [];
    const outcome = await recoverInterruptedJobs(db, { history_import: (job) => picked.push(job.id) });
    expect(picked).toEqual([resumable.id]);
    expect(outcome.interrupted.sort()).toEqual([noCursor.id, other.id].sort());
    expect(await db.jobs.get(noCursor.id)).toMatchObject({ status: 'failed', error: { code: 'JOB_INTERRUPTED' } });
    expect(await db.jobs.get(done.id)).toMatchObject({ status: 'cancelled' });
  });
});
