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

/**
 * What a job's steps after its first aim at when the first step after a start is what must be
 * short: a kill redoes at most one step, and fewer, larger steps cost less (the visit migration and
 * the domain delete).
 */
export const GROWN_STEP_MS = 1000;

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

/**
 * Steps of `first` items until one has committed (a restarted worker commits progress within
 * moments: the poison rule), then sized to about `stepMs` from `grownFirst` items up to `max`.
 */
export function growingStepSizer(first: number, grownFirst: number, max: number, stepMs = GROWN_STEP_MS): StepSizer {
  let sizer = stepSizer(first, first);
  let grown = false;
  return {
    get size() {
      return sizer.size;
    },
    took(ms: number) {
      if (grown) sizer.took(ms);
      else {
        grown = true;
        sizer = stepSizer(grownFirst, max, stepMs);
      }
    },
  };
}
