export { addVisits, makeVisit, visitId, type VisitInput } from './visits';
export { historyCommandHandlers } from './handlers';
export { historyJobTypes } from './jobs';
export { resumeHistoryImport, runHostImport, startHostImport, startTakeoutImport, cancelImport, forgetImportedSources, sourceCursorKey, sourceSummaryKey, type HistoryHost, type HistoryImportParams } from './import';
export { importExclusions, rememberDeletion, type ImportExclusion } from './exclusions';
