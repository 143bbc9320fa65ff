/**
 * The one way visits enter the database, whatever their source (live capture, a History file,
 * a bundle). The primary key `${urlKey}@${visitedAt}` makes a duplicate impossible; this module
 * also counts honestly how many rows were new.
 */
import Dexie from 'dexie';
import { makeVisit, visitId, type HistoryVisit } from '../../shared/history/visit';
import type { Visit } from '../../shared/schemas/entities';
import type { HydraDb } from '../db';

export type VisitInput = HistoryVisit;
export { makeVisit, visitId };

/**
 * Adds visits in one transaction, skipping those already stored (and repeats inside the batch).
 * Existing rows are never overwritten: the first source to record a visit keeps it. The unique
 * primary key does the dedupe: rows are added blind and the store refuses the ones it already
 * holds (each refusal is one counted duplicate), which avoids reading every key first.
 */
export async function addVisits(db: HydraDb, visits: Visit[]): Promise<{ added: number; duplicates: number }> {
  if (visits.length === 0) return { added: 0, duplicates: 0 };
  return db.transaction('rw', db.visits, async () => {
    const unique = new Map<string, Visit>();
    for (const visit of visits) if (!unique.has(visit.id)) unique.set(visit.id, visit);
    let refused = 0;
    try {
      await db.visits.bulkAdd([...unique.values()]);
    } catch (error) {
      if (!(error instanceof Dexie.BulkError)) throw error;
      const failures = Object.values(error.failuresByPos);
      // Anything but a key collision (quota, a bad row) is a real failure.
      const other = failures.find((failure) => failure.name !== 'ConstraintError');
      if (other) throw other;
      refused = failures.length;
    }
    const added = unique.size - refused;
    return { added, duplicates: visits.length - added };
  });
}
