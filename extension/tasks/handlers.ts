import type { CommandHandlers } from '../commands/router';
import type { HydraDb } from '../db';
import type { taskCommands } from '../../shared/commands/tasks';
import { createTask, taskEvents, updateTask } from './tasks';

export function taskCommandHandlers(db: HydraDb): Pick<CommandHandlers, keyof typeof taskCommands> {
  return {
    'tasks.create': async (params) => ({ task: await createTask(db, params) }),
    'tasks.update': ({ taskId, ...change }) => updateTask(db, taskId, change),
    'tasks.events': async (params) => ({ events: await taskEvents(db, params.taskId) }),
  };
}
