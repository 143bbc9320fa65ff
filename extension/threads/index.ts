export { threadCommandHandlers } from './handlers';
export { threadForTab, createThread, bindTab, unbindTab, listThreads, updateThread, deleteThread } from './store';
