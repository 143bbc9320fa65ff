export { pageCommandHandlers } from './handlers';
export { storePageVersion, latestVersion, diffVersions, pageMeta, type PageMeta, type StoredVersion } from './versions';
