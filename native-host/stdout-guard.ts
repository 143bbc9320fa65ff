/**
 * In serve mode stdout belongs to the framing layer: one stray byte there kills the browser's
 * port. installStdoutGuard() keeps the real stdout writer for the framer and reroutes every other
 * write to stdout (console.log, a dependency's print) to stderr. Called before anything else runs.
 */
type Write = typeof process.stdout.write;

export function installStdoutGuard(): (bytes: Uint8Array) => void {
  const realWrite = process.stdout.write.bind(process.stdout) as (bytes: Uint8Array) => boolean;
  const toStderr = process.stderr.write.bind(process.stderr) as (...args: unknown[]) => boolean;
  process.stdout.write = ((...args: unknown[]) => toStderr(...args)) as Write;
  for (const level of ['log', 'info', 'debug'] as const) {
    console[level] = (...args: unknown[]) => console.error(...args);
  }
  return (bytes) => {
    realWrite(bytes);
  };
}
