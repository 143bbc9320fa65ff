/**
 * Keeps the service worker alive while `work` runs: Chrome stops a worker 30 s after its last
 * event or extension API call, whatever IndexedDB or network work it is doing, so a long job (a
 * large visit move, a sync) makes a cheap API call every 10 s. A no-op outside a browser.
 */
export async function keepingWorkerAlive<T>(work: () => Promise<T>): Promise<T> {
  const ping = () => void globalThis.chrome?.runtime?.getPlatformInfo?.().catch(() => undefined);
  ping();
  const timer = setInterval(ping, 10_000);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
