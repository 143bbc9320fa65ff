/**
 * The side panel's first view. When the page can paint its tab's thread from its own read of the
 * database (early.ts), nothing else runs until that thread is on screen: with the service worker
 * stopped, Chromium starts a new extension process for the panel, and the worker, the page's
 * Dexie (~100 KB to compile, a second connection) and the sections loaded later would all start
 * in it at once, on a machine with two cores, and hold up the one read the user waits for. So they
 * wait for `afterFirstView()`: settled when the thread is shown (THREAD_SHOWN_MARK), when the
 * page's own read has nothing to paint (the background's answer is needed anyway, so there is
 * nothing to keep clear), or at the latest FIRST_VIEW_MAX_MS after the page started.
 *
 * The early script (a classic script: it cannot share this module's state) watches the same mark.
 */
export const THREAD_SHOWN_MARK = 'hydraflow:thread-shown';

/** The latest the rest of the page waits for the first view, in ms since the page's navigation. */
export const FIRST_VIEW_MAX_MS = 1_000;

let settle: () => void = () => undefined;
let settled: Promise<void> | null = null;

/** Resolves once the first view is settled (see above). */
export function afterFirstView(): Promise<void> {
  settled ??= new Promise<void>((resolve) => {
    settle = resolve;
    if (performance.getEntriesByName(THREAD_SHOWN_MARK).length > 0) resolve();
    setTimeout(resolve, Math.max(0, FIRST_VIEW_MAX_MS - performance.now()));
  });
  return settled;
}

/** The first view is settled without a thread from the page's own read (nothing to show, or the background's answer came first). */
export function firstViewSettled(): void {
  void afterFirstView();
  settle();
}

/** A thread's messages are on screen (once per page: the side-panel-open benchmark reads the mark). */
export function markThreadShown(): void {
  if (performance.getEntriesByName(THREAD_SHOWN_MARK).length === 0) performance.mark(THREAD_SHOWN_MARK);
  firstViewSettled();
}
