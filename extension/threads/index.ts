export { threadCommandHandlers } from './handlers';
export { threadForTab, findThreadForTab, createThread, bindTab, unbindTab, listThreads, updateThread, deleteThread } from './store';
