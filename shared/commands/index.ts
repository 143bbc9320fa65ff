/**
 * Every background command, by name. Each capability declares its commands in its own file, named
 * like their prefix (`chat.*` in chat.ts), and is listed here once; the background router must
 * handle every entry (compile error otherwise).
 */
import type { z } from 'zod';
import { appCommands } from './app';
import { bundleCommands } from './bundles';
import { captureCommands } from './capture';
import { chatCommands } from './chat';
import { embeddingCommands } from './embeddings';
import { historyCommands } from './history';
import { hostCommands } from './host';
import { jobCommands } from './jobs';
import { memoryCommands } from './memories';
import { overviewCommands } from './overview';
import { pageCommands } from './pages';
import { privacyCommands } from './privacy';
import { refreshCommands } from './refresh';
import { repoCommands } from './repo';
import { searchCommands } from './search';
import { syncCommands } from './sync';
import { taskCommands } from './tasks';
import { threadCommands } from './threads';

export const commands = {
  ...appCommands,
  ...hostCommands,
  ...repoCommands,
  ...historyCommands,
  ...threadCommands,
  ...chatCommands,
  ...taskCommands,
  ...memoryCommands,
  ...captureCommands,
  ...jobCommands,
  ...overviewCommands,
  ...privacyCommands,
  ...pageCommands,
  ...refreshCommands,
  ...bundleCommands,
  ...searchCommands,
  ...embeddingCommands,
  ...syncCommands,
};

export type Commands = typeof commands;
export type CommandName = keyof Commands;
export type CommandParams<C extends CommandName> = z.input<Commands[C]['params']>;
export type CommandResult<C extends CommandName> = z.infer<Commands[C]['result']>;

export function isCommandName(name: string): name is CommandName {
  return Object.hasOwn(commands, name);
}

export { defineCommand, type CommandSpec } from './define';
