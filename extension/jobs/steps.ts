/**
 * How big a resumable job's steps are. A job commits its cursor with each step, and recovery fails
 * a job whose worker died twice at one cursor (ledger.ts, JOB_POISONED); a worker can be stopped
 * at any moment (idle, memory pressure), so a step must end well within the life a restarted
 * worker can count on. A step sizer keeps each step near STEP_MS: the first one small (a resumed
 * job commits progress moments after the worker starts), then doubled while steps are quick and
 * halved when slow. Only a step that truly cannot finish then looks like poison.
 */

/** What one step (one transaction with its cursor) should take. */
export const STEP_MS = 200;

export interface StepSizer {
  /** Items for the next step. */
  readonly size: number;
  /** Reports how long the last step took. */
  took(ms: number): void;
}

/** `stepMs`: the time steps aim at (STEP_MS unless a job's later steps may be longer: its first after a start is what must be short). */
export function stepSizer(first: number, max: number, stepMs = STEP_MS): StepSizer {
  let size = Math.min(first, max);
  return {
    get size() {
      return size;
    },
    took(ms: number) {
      if (ms < stepMs / 2) size = Math.min(max, size * 2);
      else if (ms > stepMs * 2) size = Math.max(1, Math.floor(size / 2));
    },
  };
}
