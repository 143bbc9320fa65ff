// Rewrites the error-code table in docs/protocol.md from shared/errors.ts (run with `npx tsx`).
// The table is append-only like the codes; tests/unit/docs/docs.test.ts checks they agree.
import { readFileSync, writeFileSync } from 'node:fs';
import { ERRORS } from '../shared/errors';

const file = 'docs/protocol.md';
const text = readFileSync(file, 'utf8');
const rows = Object.entries(ERRORS)
  .sort(([, a], [, b]) => a.n - b.n)
  .map(([code, { n, message }]) => `| ${n} | \`${code}\` | ${message} |`);
const table = ['<!-- errors:start -->', '| n | code | meaning |', '| --- | --- | --- |', ...rows, ''].join('\n');
const start = text.indexOf('<!-- errors:start -->');
const end = text.indexOf('<!-- errors:end -->');
writeFileSync(file, text.slice(0, start) + table + text.slice(end));
