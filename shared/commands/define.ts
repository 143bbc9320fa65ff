import type { z } from 'zod';
import { onFirstUse } from '../on-first-use';

/**
 * Who may send a command to the background, told apart by the message's sender:
 *   - 'extension-page': one of our own pages (popup, side panel, options, offscreen), whose
 *     origin is `chrome-extension://<our id>`;
 *   - 'content-script': a script of ours running in a web page's tab (an isolated world, such as
 *     the injected Readability), whose origin is the web page's. A page we do not control can
 *     steer it, so it gets only what it must have.
 */
export const COMMAND_CALLERS = ['extension-page', 'content-script'] as const;
export type CommandCaller = (typeof COMMAND_CALLERS)[number];

/** The usual declaration: our own pages only. */
export const OWN_PAGES: readonly CommandCaller[] = ['extension-page'];

/** One background command (UI page → service worker): params and result schemas, and who may call it. */
export interface CommandSpec<P extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
  /** Built on first read (see `defineCommand`). */
  readonly params: P;
  readonly result: R;
  summary: string;
  /** The contexts allowed to call it; the router refuses every other sender before parsing params. */
  callers: readonly CommandCaller[];
}

/** A command as declared: its schemas as functions that build them, so importing the table builds none. */
export interface CommandDeclaration<P extends z.ZodType, R extends z.ZodType> {
  params: () => P;
  result: () => R;
  summary: string;
  callers: readonly CommandCaller[];
}

/**
 * Declares a command. Its schemas are built the first time they are read and kept: the service
 * worker imports every declaration at start-up, and building them all there was most of a cold
 * start (docs/performance.md). A test counts the schemas built while the background's modules load.
 */
export function defineCommand<P extends z.ZodType, R extends z.ZodType>(declaration: CommandDeclaration<P, R>): CommandSpec<P, R> {
  const params = onFirstUse(declaration.params);
  const result = onFirstUse(declaration.result);
  return {
    summary: declaration.summary,
    callers: declaration.callers,
    get params() {
      return params();
    },
    get result() {
      return result();
    },
  };
}
