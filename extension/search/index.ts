export { Indexer, INDEX_META_KEY, type VerifyReport } from './indexer';
export { journalMiddleware, visitUrlKey } from './journal';
export { searchCommandHandlers } from './handlers';
export { searchQuery, searchQuestion, related, hydrate, type VectorSearch } from './service';
