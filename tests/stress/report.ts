/**
 * What every stress scenario reports, and the table `npm run stress` ends with. A scenario counts
 * what it expected to find, what it found, and every duplicate, loss and failure; `mustBeZero`
 * names the columns that have to be zero for the scenario to pass.
 */
export interface ScenarioReport {
  scenario: string;
  /** Iterations (kills, fuzz frames, bursts…) the scenario performed. */
  runs: number;
  rowsExpected: number;
  rowsFound: number;
  duplicates: number;
  lost: number;
  failures: number;
  /** What was done and verified, for the log and docs/reliability.md. */
  notes: string[];
  ms: number;
}

export interface ScenarioOptions {
  /** One kill / a short burst per scenario: the version `npm test` runs. */
  smoke: boolean;
  /** Reproducible randomness: every scenario derives its choices from this seed. */
  seed: number;
  log: (message: string) => void;
}

export interface Scenario {
  name: string;
  /** What it drives: the host alone (contract smoke) or the extension in Chromium (e2e smoke). */
  needs: 'host' | 'browser';
  /** False for a scenario the smoke run in `npm test` leaves to `npm run stress` (it says why in its header). */
  inSmoke?: boolean;
  run(options: ScenarioOptions): Promise<Omit<ScenarioReport, 'scenario' | 'ms'>>;
}

/** A report passes when nothing was lost, doubled or failed, and every expected row was found. */
export function passed(report: ScenarioReport): boolean {
  return report.duplicates === 0 && report.lost === 0 && report.failures === 0 && report.rowsFound === report.rowsExpected;
}

export function formatTable(reports: ScenarioReport[]): string {
  const header = ['scenario', 'runs', 'rows expected', 'rows found', 'duplicates', 'lost', 'failures', 'seconds', 'result'];
  const rows = reports.map((r) => [r.scenario, r.runs, r.rowsExpected, r.rowsFound, r.duplicates, r.lost, r.failures, (r.ms / 1000).toFixed(1), passed(r) ? 'ok' : 'FAIL'].map(String));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

/** Mulberry32: small, fast, seedable; good enough to pick fuzz inputs and kill times. */
export function randomSource(seed: number): { next(): number; int(max: number): number; pick<T>(items: readonly T[]): T } {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (max) => Math.floor(next() * max), pick: (items) => items[Math.floor(next() * items.length)]! };
}
