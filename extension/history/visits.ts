/**
 * The one way visits enter the database, whatever their source (live capture, a History file,
 * a bundle): `addVisits` (extension/visits/store.ts) dedupes on (URL key, visitedAt) exactly and
 * counts honestly how many were new.
 */
import { makeVisit, visitId, type HistoryVisit } from '../../shared/history/visit';

export type VisitInput = HistoryVisit;
export { makeVisit, visitId };
export { addVisits } from '../visits';
