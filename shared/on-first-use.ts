/**
 * A value built the first time it is asked for, then kept. The service worker (and the host's
 * CLI) import every command and method declaration at start-up; building their zod schemas there
 * cost ~100 ms of every cold start, so declarations hand their schemas over as functions and the
 * define helpers (`defineCommand`, `defineMethod`) build each one on its first use.
 */
export function onFirstUse<T>(build: () => T): () => T {
  let built = false;
  let value: T;
  return () => {
    if (!built) {
      value = build();
      built = true;
    }
    return value;
  };
}
