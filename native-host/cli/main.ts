/**
 * hydraflow-host: started by a browser (first argument `chrome-extension://<id>/`) it serves the
 * native-messaging protocol; otherwise it is a CLI over the same functions. Subcommands are
 * registered per capability in `subcommands` below.
 * Each subcommand and the browser-serving path are imported when used: bundled into one file
 * (scripts/build-host.mjs), a dynamically imported module's top-level code runs only when it is
 * first imported, so a cold `repo apply` does not evaluate the bundle, history, install and
 * protocol code it never calls (docs/performance.md).
 */
import { err } from '../../shared/errors';
import { HOST_VERSION } from '../version';
import { EXIT, printError, processIo, type CliCommand } from './io';

const subcommands: Record<string, () => Promise<CliCommand>> = {
  install: async () => (await import('./install-commands')).installCommand,
  uninstall: async () => (await import('./install-commands')).uninstallCommand,
  doctor: async () => (await import('./install-commands')).doctorCommand,
  repo: async () => (await import('./repo')).repoCommand,
  history: async () => (await import('./history')).historyCommand,
  bundle: async () => (await import('./bundle')).bundleCommand,
  folders: async () => (await import('./folders')).foldersCommand,
};

const USAGE = `Usage: hydraflow-host <command> [options]

Commands:
  install   [--browser chrome|chromium|edge|brave|vivaldi|all] [--user-data-dir DIR] [--extension-id ID]... [--json]
            (no --browser: every browser found, and the --user-data-dir profile of every browser running now)
  uninstall [--browser …] [--user-data-dir DIR] [--json]   (the launcher goes with the last manifest naming it)
  doctor    [--browser …] [--user-data-dir DIR] [--json]
  repo      add|check-add|budget|list|apply|revert|ledger|check … (hydraflow-host repo --help)
  folders   add PATH | remove PATH | list   (folders the extension may use besides the bundle folder)
  history   profiles [--json] | export --file PATH [--since ISO-8601] [--format ndjson] [--source BROWSER]
  bundle    inspect FILE | from-history --file PATH --out FILE [--source BROWSER] | merge IN... --out FILE
  --version
When a browser starts it with its extension origin, it serves the native-messaging protocol.`;

export async function main(argv: string[]): Promise<number> {
  const first = argv[0] ?? '';
  if (first.startsWith('chrome-extension://')) return (await import('./serve-browser')).serveBrowser(first);
  if (first === '--version' || first === '-v') {
    processIo.out(HOST_VERSION);
    return EXIT.ok;
  }
  if (first === '' || first === 'help' || first === '--help' || first === '-h') {
    processIo.out(USAGE);
    return first === '' ? EXIT.usage : EXIT.ok;
  }
  const load = Object.hasOwn(subcommands, first) ? subcommands[first] : undefined;
  if (!load) {
    printError(processIo, err('USAGE', `Unknown command "${first}". Run hydraflow-host --help.`).error);
    return EXIT.usage;
  }
  return (await load())(argv.slice(1), processIo);
}
