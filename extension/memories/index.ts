export { memoryCommandHandlers } from './handlers';
export { createMemory, updateMemory, forgetMemory, recallContextMemories, textHash } from './memories';
