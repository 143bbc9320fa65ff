/** Entry point of the bundled host program (dist/host/hydraflow-host.mjs). */
import { main } from './cli/main';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${JSON.stringify({ ok: false, error: { code: 'INTERNAL_ERROR', message: String((error as Error)?.stack ?? error) } })}\n`);
    process.exitCode = 1;
  },
);
