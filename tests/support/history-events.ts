/**
 * The visits of a `history.read` items event as a test or bench sees it in Node, whatever its
 * encoding (objects, columns, deflated columns), decoded synchronously: node:zlib inflates what
 * the extension inflates with DecompressionStream (shared/history/inflate.ts), so a deflated event
 * that differs from its columns shows up in every test that reads the stream.
 */
import { inflateRawSync } from 'node:zlib';
import { visitsOfColumns } from '../../shared/history/columns';
import type { HistoryVisit } from '../../shared/history/visit';
import { historyItemsEvent, historyVisitColumns, type HistoryVisitColumns } from '../../shared/protocol/history';

/** The columns of a deflated event (checked as the extension checks them). */
export function inflatedColumns(deflated: string): HistoryVisitColumns {
  return historyVisitColumns.parse(JSON.parse(inflateRawSync(Buffer.from(deflated, 'base64')).toString('utf8')));
}

export function eventVisits(data: unknown): HistoryVisit[] {
  const items = historyItemsEvent.parse(data);
  if ('deflated' in items) return visitsOfColumns(inflatedColumns(items.deflated));
  return 'columns' in items ? visitsOfColumns(items.columns) : items.visits;
}
