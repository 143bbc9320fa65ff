export { Indexer, INDEX_META_KEY, type VerifyReport } from './indexer';
export { journalMiddleware, visitUrlKey } from './journal';
export { searchCommandHandlers } from './handlers';
export { searchJobTypes } from './jobs';
export { searchQuery, searchQuestion, related, hydrate } from './service';
export type { VectorSearch } from './embeddings';
