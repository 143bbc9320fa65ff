import type { z } from 'zod';

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
  params: P;
  result: R;
  summary: string;
  /** The contexts allowed to call it; the router refuses every other sender before parsing params. */
  callers: readonly CommandCaller[];
}

export function defineCommand<P extends z.ZodType, R extends z.ZodType>(spec: CommandSpec<P, R>): CommandSpec<P, R> {
  return spec;
}
