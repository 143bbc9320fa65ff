export {
  addVisits,
  clearVisits,
  countVisitsWhere,
  deleteVisitsById,
  deleteVisitsWhere,
  legacyHolds,
  newestVisitAt,
  newestVisits,
  parseVisitId,
  setVisitTitle,
  storedVisitIds,
  visitAt,
  visitsOfUrls,
  visitTables,
  walkVisits,
  type VisitFacts,
  type VisitSelection,
} from './store';
export { CHUNK_VISITS, decodeChunk, encodeChunk, withoutVisits, type VisitChunk } from './chunk';
export { migrateBatch, startVisitMigration } from './migrate';
export { visitJobTypes } from './jobs';
