export { createJob, startJob, reportProgress, appendJobLog, finishJob, failJob, recoverInterruptedJobs, createdByThisWorker, replaying, replayed, type NewJob, type JobResumer } from './ledger';
export { cancelJob, getJob, listJobs, pruneJobs, retryJob, type JobControl, type JobControls } from './control';
export { jobCommandHandlers } from './handlers';
export { assembleJobTypes, defineJobType, type JobTypeRegistration, type JobTypeSpec } from './registry';
export { GROWN_STEP_MS, STEP_MS, growingStepSizer, stepSizer, type StepSizer } from './steps';
export { keepingWorkerAlive } from './keep-alive';
