/** The history capability's part of the options page: import, then browse. */
import { HistoryView } from './HistoryView';
import { ImportPanel } from './ImportPanel';

export function HistorySection() {
  return (
    <>
      <ImportPanel />
      <HistoryView />
    </>
  );
}
