/**
 * The job types, each registered by the capability that runs it, from its own folder
 * (`extension/<capability>/jobs.ts`): the schema of the `params` it writes on the job row, how
 * this worker stops a running one, how it starts the same work again (`retry`: the capability's
 * run, from the parsed params) and how it picks one up after a worker restart (`resume`).
 * `extension/background/main.ts` only assembles the registrations; a job's params are never cast,
 * they are parsed with the schema of their type.
 */
import type { z } from 'zod';
import { CodedError } from '../../shared/errors';
import type { Job } from '../../shared/schemas/entities';
import type { JobType } from '../../shared/schemas/statuses';
import type { JobControl, JobControls } from './control';
import type { JobResumer } from './ledger';

export interface JobTypeSpec<S extends z.ZodType> {
  /** The `params` the capability writes when it creates a job of this type. */
  params: S;
  /** Stops the job if this worker runs it; false when nothing here runs it. */
  cancel?: (job: Job) => Promise<boolean> | boolean;
  /** Starts the same work again from the job's params; returns the new job's id. */
  retry?: (params: z.infer<S>, job: Job) => Promise<string>;
  /** Continues a job a dead worker left, from its cursor (called only when it has one). */
  resume?: JobResumer;
}

export interface JobTypeRegistration {
  type: JobType;
  control: JobControl;
  resume: JobResumer | null;
}

export function defineJobType<S extends z.ZodType>(type: JobType, spec: JobTypeSpec<S>): JobTypeRegistration {
  const { retry, cancel } = spec;
  const control: JobControl = {};
  if (cancel) control.cancel = cancel;
  if (retry) {
    control.retry = (job) => {
      const params = spec.params.safeParse(job.params);
      if (!params.success) throw new CodedError('JOB_NOT_RETRYABLE', `This ${type} job's parameters cannot be read; start it anew`);
      return retry(params.data, job);
    };
  }
  return { type, control, resume: spec.resume ?? null };
}

/** The ledger's view of every registered type: controls for jobs.cancel / jobs.retry, resumers for start-up recovery. */
export function assembleJobTypes(registrations: readonly JobTypeRegistration[]): { controls: JobControls; resumers: Partial<Record<JobType, JobResumer>> } {
  const controls: JobControls = {};
  const resumers: Partial<Record<JobType, JobResumer>> = {};
  for (const { type, control, resume } of registrations) {
    if (controls[type]) throw new Error(`Job type ${type} is registered twice`);
    controls[type] = control;
    if (resume) resumers[type] = resume;
  }
  return { controls, resumers };
}
