/**
 * Line diff of two page texts (Myers' O(ND) algorithm on lines), and hunks with context for
 * display. Pure: the side panel and the background both use it. The common prefix and suffix are
 * trimmed first; past MAX_EDITS edits the diff gives up on alignment and reports the middle as
 * removed-then-added (`exact: false`), so a page rewritten from scratch never costs quadratic memory.
 */

export type DiffOp = 'equal' | 'add' | 'remove';

export interface DiffLine {
  op: DiffOp;
  text: string;
  /** 1-based line number in the old text (equal and remove lines). */
  oldLine: number | null;
  /** 1-based line number in the new text (equal and add lines). */
  newLine: number | null;
}

export interface LineDiff {
  lines: DiffLine[];
  added: number;
  removed: number;
  /** False when the edit budget ran out and the changed middle is shown as one block. */
  exact: boolean;
}

export const MAX_EDITS = 4000;

export function splitLines(text: string): string[] {
  if (text === '') return [];
  return text.replace(/\r\n?/g, '\n').split('\n');
}

/** The edit script between a and b as a list of ops over the middle (after prefix/suffix trim), or null past maxEdits. */
function myers(a: readonly string[], b: readonly string[], maxEdits: number): DiffOp[] | null {
  const n = a.length;
  const m = b.length;
  const max = Math.min(n + m, maxEdits);
  const offset = max + 1;
  let v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  for (let d = 0; d <= max; d++) {
    trace.push(v.slice());
    const next = v.slice();
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!) ? v[offset + k + 1]! : v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      next[offset + k] = x;
      if (x >= n && y >= m) return backtrack(trace, d, n, m, offset);
    }
    v = next;
  }
  return null;
}

function backtrack(trace: Int32Array[], depth: number, n: number, m: number, offset: number): DiffOp[] {
  const ops: DiffOp[] = [];
  let x = n;
  let y = m;
  for (let d = depth; d > 0; d--) {
    const v = trace[d]!;
    const k = x - y;
    const prevK = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!) ? k + 1 : k - 1;
    const prevX = v[offset + prevK]!;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      ops.push('equal');
      x--;
      y--;
    }
    if (x === prevX) {
      ops.push('add');
      y--;
    } else {
      ops.push('remove');
      x--;
    }
  }
  while (x > 0 && y > 0) {
    ops.push('equal');
    x--;
    y--;
  }
  return ops.reverse();
}

/** Line diff of two texts: every line of both, in order, marked equal, removed or added. */
export function diffLines(oldText: string, newText: string, maxEdits = MAX_EDITS): LineDiff {
  const a = splitLines(oldText);
  const b = splitLines(newText);
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const midA = a.slice(start, endA);
  const midB = b.slice(start, endB);
  let ops = myers(midA, midB, maxEdits);
  const exact = ops !== null;
  ops ??= [...midA.map(() => 'remove' as const), ...midB.map(() => 'add' as const)];

  const lines: DiffLine[] = [];
  let i = 0;
  let j = 0;
  const push = (op: DiffOp) => {
    if (op === 'equal') lines.push({ op, text: a[i]!, oldLine: ++i, newLine: ++j });
    else if (op === 'remove') lines.push({ op, text: a[i]!, oldLine: ++i, newLine: null });
    else lines.push({ op, text: b[j]!, oldLine: null, newLine: ++j });
  };
  for (let p = 0; p < start; p++) push('equal');
  for (const op of ops) push(op);
  while (i < a.length) push('equal');
  return { lines, added: lines.filter((l) => l.op === 'add').length, removed: lines.filter((l) => l.op === 'remove').length, exact };
}

export interface DiffHunk {
  oldStart: number;
  newStart: number;
  lines: DiffLine[];
}

/** Groups changed lines into hunks with `context` equal lines around each change (as in a unified diff). */
export function diffHunks(lines: readonly DiffLine[], context = 3): DiffHunk[] {
  const ranges: [number, number][] = [];
  lines.forEach((line, index) => {
    if (line.op === 'equal') return;
    const from = Math.max(0, index - context);
    const to = Math.min(lines.length - 1, index + context);
    const last = ranges[ranges.length - 1];
    if (last && from <= last[1] + 1) last[1] = to;
    else ranges.push([from, to]);
  });
  return ranges.map(([from, to]) => {
    const slice = lines.slice(from, to + 1);
    let oldBefore = 0;
    let newBefore = 0;
    for (let p = 0; p < from; p++) {
      if (lines[p]!.oldLine !== null) oldBefore = lines[p]!.oldLine!;
      if (lines[p]!.newLine !== null) newBefore = lines[p]!.newLine!;
    }
    return { oldStart: oldBefore + 1, newStart: newBefore + 1, lines: slice };
  });
}
