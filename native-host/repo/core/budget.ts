/**
 * Change budgets (pure). The figures come from the parsed patch as applied in memory — files
 * touched, lines added + removed, bytes written — never from the caller.
 */
import { CodedError } from '../../../shared/errors';

export interface Budgets {
  maxFiles: number;
  maxLines: number;
  maxBytes: number;
}

export const DEFAULT_BUDGETS: Budgets = { maxFiles: 50, maxLines: 4000, maxBytes: 1_048_576 };

export interface ChangeFigures {
  files: number;
  linesAdded: number;
  linesRemoved: number;
  bytes: number;
}

export function sumFigures(items: Iterable<{ linesAdded: number; linesRemoved: number; bytes: number }>): ChangeFigures {
  const total: ChangeFigures = { files: 0, linesAdded: 0, linesRemoved: 0, bytes: 0 };
  for (const item of items) {
    total.files++;
    total.linesAdded += item.linesAdded;
    total.linesRemoved += item.linesRemoved;
    total.bytes += item.bytes;
  }
  return total;
}

/** Throws the first exceeded budget's code (files, then lines, then bytes). */
export function enforceBudgets(figures: ChangeFigures, budgets: Budgets): void {
  if (figures.files > budgets.maxFiles) throw new CodedError('BUDGET_FILES', `The patch touches ${figures.files} files; the budget is ${budgets.maxFiles}`, { figures, budgets });
  const lines = figures.linesAdded + figures.linesRemoved;
  if (lines > budgets.maxLines) throw new CodedError('BUDGET_LINES', `The patch adds and removes ${lines} lines; the budget is ${budgets.maxLines}`, { figures, budgets });
  if (figures.bytes > budgets.maxBytes) throw new CodedError('BUDGET_BYTES', `The patch writes ${figures.bytes} bytes; the budget is ${budgets.maxBytes}`, { figures, budgets });
}

/** Number of lines in a text (a last line without "\n" counts). */
export function lineCount(text: string): number {
  if (text === '') return 0;
  let count = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) count++;
  return text.endsWith('\n') ? count : count + 1;
}

/** Whether figures are within every budget (enforceBudgets would not throw). */
export function withinBudgets(figures: ChangeFigures, budgets: Budgets): boolean {
  return figures.files <= budgets.maxFiles && figures.linesAdded + figures.linesRemoved <= budgets.maxLines && figures.bytes <= budgets.maxBytes;
}
