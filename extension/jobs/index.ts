export { createJob, startJob, reportProgress, appendJobLog, finishJob, failJob, recoverInterruptedJobs, type NewJob, type JobResumer } from './ledger';
