/** How resumable jobs size their steps (extension/jobs/steps.ts): the poison rule needs a small first step. */
import { describe, expect, it } from 'vitest';
import { GROWN_STEP_MS, STEP_MS, growingStepSizer, stepSizer } from '../../../extension/jobs';

describe('step sizers', () => {
  it('a step sizer doubles while steps are quick, halves when slow, within [1, max]', () => {
    const sizer = stepSizer(4, 16);
    sizer.took(STEP_MS / 4);
    expect(sizer.size).toBe(8);
    sizer.took(STEP_MS / 4);
    sizer.took(STEP_MS / 4);
    expect(sizer.size).toBe(16);
    sizer.took(STEP_MS * 3);
    expect(sizer.size).toBe(8);
    sizer.took(STEP_MS);
    expect(sizer.size).toBe(8);
  });

  it('a growing sizer keeps its first size until a step has committed, then aims at GROWN_STEP_MS from its second size', () => {
    const sizer = growingStepSizer(2, 100, 1000);
    expect(sizer.size).toBe(2);
    // However slow or quick the first step was, the second starts at the grown size.
    sizer.took(GROWN_STEP_MS * 10);
    expect(sizer.size).toBe(100);
    // A step under STEP_MS * 2 but well under GROWN_STEP_MS / 2 grows: the later steps aim at the longer time.
    sizer.took(STEP_MS);
    expect(sizer.size).toBe(200);
    sizer.took(GROWN_STEP_MS * 3);
    expect(sizer.size).toBe(100);
    for (let i = 0; i < 10; i++) sizer.took(1);
    expect(sizer.size).toBe(1000);
  });
});
