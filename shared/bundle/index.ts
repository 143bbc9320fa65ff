export * from './format';
export { openBundle, validateBundle, readRows, type OpenedBundle, type RowBatch, type ValidationCheckpoint, type ValidationReport } from './read';
export { BundleWriter, memorySink, type BundleSink } from './write';
export { bytesSource, readZipDirectory, type ByteSource } from './zip-read';
export { Sha256, sha256Hex } from './sha256';
export { bytesToBase64, base64ToBytes } from './base64';
