/**
 * The background's command router: every message from a UI page is parsed against the shared
 * command schemas before a handler sees it, and every outcome goes back as a Result value. A
 * handler that throws produces {ok: false, error} with its code, never an unhandled rejection.
 */
import { z } from 'zod';
import { CodedError, err, ok, toAppError, type Result } from '../../shared/errors';
import { commands, isCommandName, type CommandName, type CommandResult, type Commands } from '../../shared/commands';
import type { CommandCaller } from '../../shared/commands/define';
import { callerOf, type CommandSender } from './caller';

import { COMMAND_MESSAGE_TYPE } from './message';

export { COMMAND_MESSAGE_TYPE, callerOf, type CommandSender };

export const commandMessage = z.lazy(() => z.object({
  type: z.literal(COMMAND_MESSAGE_TYPE),
  method: z.string(),
  params: z.unknown().optional(),
}));

export interface CommandContext {
  /** The tab a content script sent from, when it did (UI pages have none). */
  senderTabId: number | null;
}

export type CommandHandler<C extends CommandName> = (
  params: z.infer<Commands[C]['params']>,
  ctx: CommandContext,
) => Promise<CommandResult<C>> | CommandResult<C>;

export type CommandHandlers = { [C in CommandName]: CommandHandler<C> };

/**
 * Parses and runs one command message. `caller` is who sent it (callerOf): a command refuses
 * every caller it does not declare with COMMAND_FORBIDDEN, before its params are even parsed.
 */
export async function dispatchCommand(handlers: CommandHandlers, message: unknown, ctx: CommandContext & { caller: CommandCaller | null }): Promise<Result<unknown>> {
  const envelope = commandMessage.safeParse(message);
  if (!envelope.success) return err('INVALID_REQUEST', 'Not a HydraFlow command message');
  const { method, params } = envelope.data;
  if (!isCommandName(method)) return err('UNKNOWN_COMMAND', `Unknown command "${method}"`);
  if (!ctx.caller || !commands[method].callers.includes(ctx.caller)) {
    return err('COMMAND_FORBIDDEN', `${method} is not open to ${ctx.caller ?? 'this sender'}`);
  }
  const parsed = commands[method].params.safeParse(params ?? {});
  if (!parsed.success) {
    const summary = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    return err('INVALID_COMMAND', `Invalid params for ${method}: ${summary}`, { issues: parsed.error.issues });
  }
  try {
    const handler = handlers[method] as CommandHandler<typeof method>;
    return ok(await handler(parsed.data as never, { senderTabId: ctx.senderTabId }));
  } catch (thrown) {
    if (!(thrown instanceof CodedError)) console.error(`[hydraflow] command ${method} failed`, thrown);
    return { ok: false, error: toAppError(thrown) };
  }
}
