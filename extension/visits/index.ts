export {
  addVisits,
  clearVisits,
  countVisitsWhere,
  DELETE_START,
  deleteVisitsById,
  deleteVisitsWhere,
  legacyHolds,
  newestVisitAt,
  newestVisits,
  observeVisits,
  parseVisitId,
  setVisitTitle,
  storedVisitIds,
  visitAt,
  visitsInRange,
  visitsOfUrls,
  visitTables,
  walkVisits,
  type DeleteOptions,
  type DeleteTiming,
  type VisitDeleteCursor,
  type VisitFacts,
  type VisitObserver,
  type VisitSelection,
} from './store';
export { CHUNK_VISITS, decodeChunk, encodeChunk, withoutVisits, type VisitChunk } from './chunk';
export { freeMovedLegacy, legacyWork, migrateBatch, startVisitMigration } from './migrate';
export { visitJobTypes } from './jobs';
