export { bundleCommandHandlers, bundleJobControls } from './handlers';
export { resumeBundleImport, importRows, openRowSource, previewSource, type RowSource } from './import';
export { writeScope, exportFileName } from './export';
export { BUNDLE_CACHE, discardStaged, stagedBlob, stagedKey, type BundleHost } from './files';
