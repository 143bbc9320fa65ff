/**
 * How UI pages talk to the background: typed commands in, Result values out. UI pages never write
 * to the database themselves; every change is a command.
 */
import { browser } from 'wxt/browser';
import type { CommandName, CommandParams, CommandResult } from '../../shared/commands';
import { err, type Result } from '../../shared/errors';
import { COMMAND_MESSAGE_TYPE } from './message';

export async function sendCommand<C extends CommandName>(method: C, params: CommandParams<C>): Promise<Result<CommandResult<C>>> {
  try {
    const reply = (await browser.runtime.sendMessage({ type: COMMAND_MESSAGE_TYPE, method, params })) as Result<CommandResult<C>> | undefined;
    if (!reply || typeof reply !== 'object' || !('ok' in reply)) return err('INTERNAL_ERROR', 'The background did not answer');
    return reply;
  } catch (error) {
    return err('INTERNAL_ERROR', `Could not reach the background: ${(error as Error).message}`);
  }
}
