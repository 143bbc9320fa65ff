export { countHistory, deleteHistory, resolveFilter, UNLINKED_THREAD_TITLE, type ResolvedFilter } from './delete';
export { privacyCommandHandlers, runDeleteJob, startDeleteJob } from './handlers';
export { privacyJobTypes } from './jobs';
export { anyRule, getRetention, prunePageVersions, RETENTION_ALARM, runRetention, setRetention } from './retention';
export { forgetTab, keepThroughWipe, wipeAll, type WipeKeeper } from './wipe';
