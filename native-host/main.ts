/**
 * Entry point of the host's code (dist/host/hydraflow-host.code.js, run by hydraflow-host.mjs:
 * native-host/entry.ts).
 * A CLI command ends the process as soon as its output is out (process.exit): tearing down a heap
 * that is about to vanish anyway costs a cold `repo apply` ~8 ms of CPU (docs/performance.md).
 * Output still queued (a slow pipe on some systems) is waited for by Node's natural exit instead.
 */
import { main } from './cli/main';

const args = process.argv.slice(2);
const servesBrowser = (args[0] ?? '').startsWith('chrome-extension://');

main(args).then(
  (code) => {
    process.exitCode = code;
    if (!servesBrowser && process.stdout.writableLength === 0 && process.stderr.writableLength === 0) process.exit(code);
  },
  (error: unknown) => {
    process.stderr.write(`${JSON.stringify({ ok: false, error: { code: 'INTERNAL_ERROR', message: String((error as Error)?.stack ?? error) } })}\n`);
    process.exitCode = 1;
  },
);
