export { memoryCommandHandlers } from './handlers';
export { createMemory, updateMemory, forgetMemory, textHash } from './memories';
