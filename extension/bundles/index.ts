export { bundleCommandHandlers } from './handlers';
export { bundleJobTypes } from './jobs';
export { resumeBundleImport, importRows, openRowSource, previewSource } from './import';
export type { RowSource } from './row-source';
export { writeScope, exportFileName } from './export';
export { BUNDLE_CACHE, discardStaged, stagePickedFile, stagedBlob, stagedKey, type BundleHost } from './files';
export { sweepImportLeftovers } from './sweep';
