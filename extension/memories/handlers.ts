import type { CommandHandlers } from '../commands/router';
import type { HydraDb } from '../db';
import type { memoryCommands } from '../../shared/commands/memories';
import { createMemory, forgetMemory, updateMemory } from './memories';

export function memoryCommandHandlers(db: HydraDb): Pick<CommandHandlers, keyof typeof memoryCommands> {
  return {
    'memories.create': (params) => createMemory(db, params),
    'memories.update': async ({ memoryId, ...change }) => ({ memory: await updateMemory(db, memoryId, change) }),
    'memories.forget': async (params) => ({ forgotten: await forgetMemory(db, params.memoryId) }),
  };
}
