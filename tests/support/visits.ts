/** Every stored visit (chunks and any legacy rows), as rows, in id order: what tests compare. */
import type { Visit } from '../../shared/schemas/entities';
import type { HydraDb } from '../../extension/db';
import { walkVisits } from '../../extension/visits';

export async function storedVisits(db: HydraDb): Promise<Visit[]> {
  const out: Visit[] = [];
  for await (const batch of walkVisits(db)) out.push(...batch);
  return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export async function storedVisitCount(db: HydraDb): Promise<number> {
  return (await storedVisits(db)).length;
}
