import type { CommandHandlers } from '../commands/router';
import type { HydraDb } from '../db';
import type { searchCommands } from '../../shared/commands/search';
import { embeddingStatus, type VectorSearch } from './embeddings';
import type { Indexer } from './indexer';
import { related, searchQuery } from './service';

export function searchCommandHandlers(db: HydraDb, indexer: Indexer, vectors: () => VectorSearch | null): Pick<CommandHandlers, keyof typeof searchCommands> {
  return {
    'search.query': (params) => searchQuery(db, indexer, params, vectors()),
    'search.related': (params) => related(db, indexer, { ...(params.url ? { url: params.url } : {}), ...(params.threadId ? { threadId: params.threadId } : {}), limit: params.limit }, vectors()),
    'search.status': async () => ({ ...(await indexer.status()), embeddings: await embeddingStatus(db) }),
    'search.rebuild': () => indexer.startJob('index_rebuild'),
    'search.verify': (params) => indexer.startJob('index_verify', { repair: params.repair }),
    'search.compact': () => indexer.startJob('index_compact'),
  };
}
