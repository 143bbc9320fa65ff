export { addVisits, makeVisit, visitId, type VisitInput } from './visits';
