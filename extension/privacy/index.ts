export { deleteHistory, resolveFilter, UNLINKED_THREAD_TITLE, type ResolvedFilter } from './delete';
export { privacyCommandHandlers, runDeleteJob, startDeleteJob } from './handlers';
export { privacyJobTypes } from './jobs';
export { anyRule, getRetention, prunePageVersions, RETENTION_ALARM, runRetention, setRetention } from './retention';
export { forgetTab, wipeAll } from './wipe';
