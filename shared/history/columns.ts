/**
 * The `columns` encoding of a `history.read` items event (shared/protocol/history.ts,
 * historyVisitColumns): the host builds it with `VisitColumnsBuilder`, the extension turns it back
 * into visits (`visitsOfColumns`) or straight into stored rows (`rowsOfColumns`, without a visit
 * object in between). Pure: no I/O. Columns reaching these readers have passed the schema.
 */
import type { Visit } from '../schemas/entities';
import type { Transition, VisitSource } from '../schemas/statuses';
import type { HistoryVisitColumns } from '../protocol/history';
import { visitId, type HistoryVisit, type UrlDerivation } from './visit';

/** Upper bound of the JSON bytes a visit adds to columns besides its pair: three numbers and their commas. */
const VISIT_BYTES = 40;
/** Upper bound of a new pair's JSON bytes: every character may take 3 bytes, plus quotes and commas. */
const pairBytes = (url: string, title: string) => (url.length + title.length) * 3 + 8;

/** Collects one event's visits (all of one source, in time order) as columns. */
export class VisitColumnsBuilder {
  private readonly pairs = new Map<string, number>();
  private readonly transitionIndex = new Map<Transition, number>();
  private columns: HistoryVisitColumns;
  private last = 0;
  /** Upper bound of the columns' JSON size so far (bytes). */
  bytes = 0;

  constructor(readonly source: VisitSource) {
    this.columns = this.empty();
  }

  get size(): number {
    return this.columns.page.length;
  }

  /** Adds a visit (of the builder's source); returns the bytes it added to the bound. */
  add(visit: { url: string; title: string; visitedAt: number; transition: Transition; source?: VisitSource }): number {
    if (visit.source !== undefined && visit.source !== this.source) throw new Error(`a ${visit.source} visit in columns of ${this.source} visits`);
    const c = this.columns;
    // Pairs are found by URL; the rare URL seen with another title (Takeout) gets a pair of its own.
    let key = visit.url;
    let page = this.pairs.get(key);
    if (page !== undefined && c.titles[page] !== visit.title) {
      key = `${visit.url}\u0000${visit.title}`;
      page = this.pairs.get(key);
    }
    let added = VISIT_BYTES;
    if (page === undefined) {
      page = c.urls.push(visit.url) - 1;
      c.titles.push(visit.title);
      this.pairs.set(key, page);
      added += pairBytes(visit.url, visit.title);
    }
    let transition = this.transitionIndex.get(visit.transition);
    if (transition === undefined) {
      transition = c.transitions.push(visit.transition) - 1;
      this.transitionIndex.set(visit.transition, transition);
    }
    c.at.push(c.page.length === 0 ? visit.visitedAt : visit.visitedAt - this.last);
    this.last = visit.visitedAt;
    c.page.push(page);
    c.transition.push(transition);
    this.bytes += added;
    return added;
  }

  /** The columns collected so far; the builder starts empty again. */
  take(): HistoryVisitColumns {
    const out = this.columns;
    this.columns = this.empty();
    this.pairs.clear();
    this.transitionIndex.clear();
    this.bytes = 0;
    return out;
  }

  private empty(): HistoryVisitColumns {
    return { source: this.source, urls: [], titles: [], transitions: [], page: [], transition: [], at: [] };
  }
}

/** The columns' visits as objects, in order (what the `objects` encoding carries). */
export function visitsOfColumns(columns: HistoryVisitColumns): HistoryVisit[] {
  const out: HistoryVisit[] = new Array(columns.page.length);
  let visitedAt = 0;
  for (let i = 0; i < out.length; i++) {
    const page = columns.page[i]!;
    visitedAt = i === 0 ? columns.at[0]! : visitedAt + columns.at[i]!;
    out[i] = { url: columns.urls[page]!, title: columns.titles[page]!, visitedAt, transition: columns.transitions[columns.transition[i]!]!, source: columns.source };
  }
  return out;
}

/** The stored rows of the columns' visits, in order: each pair's URL derived once (`derive` remembers across events). */
export function rowsOfColumns(columns: HistoryVisitColumns, derive: (url: string) => UrlDerivation): Visit[] {
  const derived = columns.urls.map(derive);
  const out: Visit[] = new Array(columns.page.length);
  let visitedAt = 0;
  for (let i = 0; i < out.length; i++) {
    const page = columns.page[i]!;
    const { key, hostRev } = derived[page]!;
    visitedAt = i === 0 ? columns.at[0]! : visitedAt + columns.at[i]!;
    out[i] = {
      id: visitId(key, visitedAt),
      url: columns.urls[page]!,
      urlKey: key,
      hostRev,
      title: columns.titles[page]!,
      visitedAt,
      transition: columns.transitions[columns.transition[i]!]!,
      source: columns.source,
    };
  }
  return out;
}
