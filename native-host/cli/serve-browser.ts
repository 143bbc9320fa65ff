/**
 * The host as a browser starts it (`hydraflow-host chrome-extension://<id>/`): recovers any
 * change a killed host left half-written, then serves the native-messaging protocol on
 * stdin/stdout until the browser closes it. Imported by cli/main.ts only on that path.
 */
import { createHandlers } from '../commands';
import { currentPaths, currentPlatform } from '../host-env';
import { createLogger } from '../logger';
import { recoverAll } from '../repo/service';
import { DEFAULT_FRAME_STALL_MS, serve } from '../server';
import { installStdoutGuard } from '../stdout-guard';
import { HOST_VERSION } from '../version';
import { EXIT } from './io';

export async function serveBrowser(origin: string): Promise<number> {
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
    for (const item of await recoverAll({ configFile: paths.configFile, dataDir: paths.dataDir })) log.info('repo recovery', item);
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
