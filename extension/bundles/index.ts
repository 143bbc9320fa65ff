export { bundleCommandHandlers } from './handlers';
export { bundleJobTypes } from './jobs';
export { resumeBundleImport, importRows, openRowSource, previewSource, type RowSource } from './import';
export { writeScope, exportFileName } from './export';
export { BUNDLE_CACHE, stagedKey, type BundleHost } from './files';
