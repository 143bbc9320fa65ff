export { embedTexts, EMBED_BATCH, QUERY_TIMEOUT_MS } from './client';
export { embeddingCommandHandlers } from './handlers';
export { embeddingJobTypes } from './jobs';
export { cancelEmbedJob, periodicRunNeeded, resumeEmbedJob, runEmbedJob, startEmbedJob, type EmbedJobOptions, type EmbedJobResult } from './job';
export { embeddingStatus, relatedByVector, vectorHits, vectorSearch, type VectorHit, type VectorSearch } from './query';
export { forgetVectors, getEmbeddingSettings, saveEmbeddingSettings, SETTINGS_KEY as EMBEDDINGS_SETTINGS_KEY } from './store';
export { EMBED_ALARM, registerEmbedAlarm, workerEmbedOptions } from './worker';
export { fuseHybrid, RRF_K, type FusedHit } from '../../../shared/search/vectors';
