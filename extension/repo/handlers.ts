/**
 * Repo tools in the background: forwards repo ids, check ids and patch text to the native host
 * (never a path or a command line) and records every apply, revert and check run as a job.
 * A check's job id is returned at once; its output accumulates in the job row as it streams, so
 * any page can follow it with a live query.
 */
import { CHECK_LIVE_OUTPUT_CHARS } from '../../shared/commands/repo';
import { CodedError, type AppError, type Result } from '../../shared/errors';
import { sha256Text } from '../../shared/sha256-text';
import type { CommandHandlers } from '../commands/router';
import type { HydraDb } from '../db';
import type { HostConnection } from '../host';
import { appendJobLog, createJob, failJob, finishJob, startJob } from '../jobs';

export type RepoHandlers = Pick<CommandHandlers, 'repo.list' | 'repo.preview' | 'repo.apply' | 'repo.revert' | 'repo.ledger' | 'repo.check' | 'repo.cancelCheck'>;

function unwrap<T>(reply: Result<T>): T {
  if (!reply.ok) throw new CodedError(reply.error.code, reply.error.message, reply.error.details);
  return reply.result;
}

/**
 * How long the host connection stays open after a preview, waiting for the approval (the usual
 * idle close is a minute). Longer than reading a large diff takes; bounded because the open
 * connection also keeps the service worker alive.
 */
export const PREVIEW_HOLD_MS = 15 * 60_000;

/** Long operations have no request timeout: a check may run for its whole configured timeout. */
const NO_TIMEOUT = { timeoutMs: 0 };

export function repoCommandHandlers(db: HydraDb, host: HostConnection): RepoHandlers {
  // Running checks of this worker. Only in memory on purpose: if the worker dies, the host
  // connection (and with it the check) dies too, and the job is marked interrupted at restart.
  const running = new Map<string, AbortController>();
  return {
    'repo.list': async () => unwrap(await host.request('repo.list', {})),
    'repo.preview': async ({ repoId, patch }) => {
      const preview = unwrap(await host.request('repo.apply', { repoId, patch, dryRun: true }));
      // The user reads the diff now, often for minutes: keep the host (and the preview it holds) until the approval.
      host.keepOpenFor(PREVIEW_HOLD_MS);
      return preview;
    },
    'repo.ledger': async ({ repoId }) => {
      const { entries } = unwrap(await host.request('repo.ledger', { repoId }));
      return { entries: [...entries].reverse() };
    },
    'repo.apply': async ({ repoId, patch }) => {
      // The hash the host gives the text it parsed (the UTF-8 bytes, untrimmed).
      const patchSha256 = await sha256Text(patch);
      const job = await createJob(db, { type: 'patch_apply', params: { repoId, patchChars: patch.length, patchSha256 }, total: 1 });
      await startJob(db, job.id);
      // The host still holds the preview's parse (and plan) unless it restarted since (the
      // connection closes after a minute idle): name the patch by its hash, and send the text
      // only when the host asks for it.
      let reply = await host.request('repo.apply', { repoId, patchSha256, dryRun: false }, NO_TIMEOUT);
      if (!reply.ok && reply.error.code === 'PATCH_NOT_PREVIEWED') reply = await host.request('repo.apply', { repoId, patch, dryRun: false }, NO_TIMEOUT);
      host.keepOpenFor(0);
      if (!reply.ok) {
        await failJob(db, job.id, reply.error);
        throw new CodedError(reply.error.code, reply.error.message);
      }
      await appendJobLog(db, job.id, `applied change ${reply.result.changeId ?? '?'}: ${reply.result.files} files, +${reply.result.linesAdded} −${reply.result.linesRemoved}`);
      await finishJob(db, job.id, { changeId: reply.result.changeId, files: reply.result.files, linesAdded: reply.result.linesAdded, linesRemoved: reply.result.linesRemoved, bytes: reply.result.bytes });
      return { jobId: job.id, apply: reply.result };
    },
    'repo.revert': async ({ repoId, changeId }) => {
      const job = await createJob(db, { type: 'patch_revert', params: { repoId, changeId }, total: 1 });
      await startJob(db, job.id);
      const reply = await host.request('repo.revert', { repoId, changeId }, NO_TIMEOUT);
      if (!reply.ok) {
        await failJob(db, job.id, reply.error);
        throw new CodedError(reply.error.code, reply.error.message);
      }
      await finishJob(db, job.id, { changeId: reply.result.changeId, revertOf: changeId, files: reply.result.files.length });
      return { jobId: job.id, entry: reply.result };
    },
    'repo.check': async ({ repoId, checkId }) => {
      const job = await createJob(db, { type: 'check_run', params: { repoId, checkId }, total: null });
      await startJob(db, job.id);
      const controller = new AbortController();
      running.set(job.id, controller);
      void runCheckJob(db, host, job.id, repoId, checkId, controller.signal).finally(() => running.delete(job.id));
      return { jobId: job.id };
    },
    'repo.cancelCheck': ({ jobId }) => {
      const controller = running.get(jobId);
      controller?.abort();
      return { cancelled: controller !== undefined };
    },
  };
}

async function runCheckJob(db: HydraDb, host: HostConnection, jobId: string, repoId: string, checkId: string, signal: AbortSignal): Promise<void> {
  let output = '';
  let outputChars = 0;
  // Writes are chained so that chunks land in order and never overlap the final write.
  let writes: Promise<unknown> = Promise.resolve();
  try {
    const reply = await host.request(
      'repo.check',
      { repoId, checkId },
      {
        timeoutMs: 0,
        signal,
        onEvent: (event, data) => {
          if (event !== 'output' || !data || typeof (data as { text?: unknown }).text !== 'string') return;
          const text = (data as { text: string }).text;
          outputChars += text.length;
          output = (output + text).slice(-CHECK_LIVE_OUTPUT_CHARS);
          const snapshot = { live: true as const, output, outputChars };
          writes = writes.then(() => db.jobs.update(jobId, { result: snapshot, progress: { done: outputChars, total: null, rate: null } }));
        },
      },
    );
    await writes;
    if (!reply.ok) {
      await failJob(db, jobId, reply.error);
      return;
    }
    const result = reply.result;
    const passed = result.exitCode === 0 && !result.timedOut;
    await appendJobLog(db, jobId, `check ${checkId}: ${result.timedOut ? 'timed out' : `exit ${result.exitCode ?? result.signal}`} in ${result.durationMs} ms`);
    if (passed) await finishJob(db, jobId, result);
    else {
      await db.jobs.update(jobId, { result });
      const error: AppError = { code: 'CHECK_FAILED', message: result.timedOut ? `Check ${checkId} timed out and was killed` : `Check ${checkId} exited with ${result.exitCode ?? result.signal}` };
      await failJob(db, jobId, error);
    }
  } catch (error) {
    await writes.catch(() => undefined);
    await failJob(db, jobId, { code: 'INTERNAL_ERROR', message: (error as Error).message });
  }
}
