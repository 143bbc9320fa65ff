/**
 * hydraflow-host: started by a browser (first argument `chrome-extension://<id>/`) it serves the
 * native-messaging protocol; otherwise it is a CLI over the same functions. Subcommands are
 * registered per capability in `subcommands` below.
 */
import { err } from '../../shared/errors';
import { createHandlers } from '../commands';
import { currentPaths, currentPlatform } from '../host-env';
import { createLogger } from '../logger';
import { DEFAULT_FRAME_STALL_MS, serve } from '../server';
import { installStdoutGuard } from '../stdout-guard';
import { HOST_VERSION } from '../version';
import { bundleCommand } from './bundle';
import { historyCommand } from './history';
import { doctorCommand, installCommand, uninstallCommand } from './install-commands';
import { EXIT, printError, processIo, type CliCommand } from './io';
import { recoverAll } from '../repo/service';
import { repoCommand } from './repo';

const subcommands: Record<string, CliCommand> = {
  install: installCommand,
  uninstall: uninstallCommand,
  doctor: doctorCommand,
  repo: repoCommand,
  history: historyCommand,
  bundle: bundleCommand,
};

const USAGE = `Usage: hydraflow-host <command> [options]

Commands:
  install   [--browser chrome|chromium|edge|brave|vivaldi|all] [--user-data-dir DIR] [--extension-id ID]... [--json]
            (no --browser: every browser found, and the --user-data-dir profile of every browser running now)
  uninstall [--browser …] [--user-data-dir DIR] [--json]   (the launcher goes with the last manifest naming it)
  doctor    [--browser …] [--user-data-dir DIR] [--json]
  repo      add|check-add|list|apply|revert|ledger|check … (hydraflow-host repo --help)
  history   profiles [--json] | export --file PATH [--since ISO-8601] [--format ndjson] [--source BROWSER]
  bundle    inspect FILE | from-history --file PATH --out FILE [--source BROWSER] | merge IN... --out FILE
  --version
When a browser starts it with its extension origin, it serves the native-messaging protocol.`;

export async function main(argv: string[]): Promise<number> {
  const first = argv[0] ?? '';
  if (first.startsWith('chrome-extension://')) return serveBrowser(first);
  if (first === '--version' || first === '-v') {
    processIo.out(HOST_VERSION);
    return EXIT.ok;
  }
  if (first === '' || first === 'help' || first === '--help' || first === '-h') {
    processIo.out(USAGE);
    return first === '' ? EXIT.usage : EXIT.ok;
  }
  const command = subcommands[first];
  if (!command) {
    printError(processIo, err('USAGE', `Unknown command "${first}". Run hydraflow-host --help.`).error);
    return EXIT.usage;
  }
  return command(argv.slice(1), processIo);
}

async function serveBrowser(origin: string): Promise<number> {
  const writeFrame = installStdoutGuard();
  const paths = currentPaths();
  const log = createLogger({ logDir: paths.logDir, level: process.env.HYDRAFLOW_LOG_LEVEL === 'debug' ? 'debug' : 'info' });
  log.info('host started', { origin, version: HOST_VERSION, pid: process.pid });
  process.on('uncaughtException', (error) => {
    // The browser is gone (its end of stdout/stderr closed): logging to stderr would fail again
    // and re-enter this handler forever, so leave now.
    if ((error as NodeJS.ErrnoException).code === 'EPIPE') process.exit(0);
    log.error('uncaught exception', { message: error.message, stack: error.stack });
  });
  process.on('unhandledRejection', (reason) => log.error('unhandled rejection', { reason: String(reason) }));
  // A host killed mid-apply left a journal: finish or undo that change before serving anything.
  try {
    for (const item of await recoverAll(paths.dataDir)) log.info('repo recovery', item);
  } catch (error) {
    log.error('repo recovery failed', { message: (error as Error).message });
  }
  await serve({ input: process.stdin, write: writeFrame, handlers: createHandlers({ paths, log, platform: currentPlatform() }), log, frameStallMs: frameStallMs(process.env.HYDRAFLOW_FRAME_STALL_MS) });
  log.info('browser closed the connection; exiting');
  return EXIT.ok;
}

/** `HYDRAFLOW_FRAME_STALL_MS` shortens the truncated-frame timeout (the stress harness uses it). */
function frameStallMs(value: string | undefined): number {
  const parsed = Number(value);
  return Number.isInteger(parsed) && parsed >= 50 ? parsed : DEFAULT_FRAME_STALL_MS;
}
