export { taskCommandHandlers } from './handlers';
export { createTask, updateTask, taskEvents } from './tasks';
