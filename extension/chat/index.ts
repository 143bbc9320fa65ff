export { chatCommandHandlers } from './handlers';
export { sendChat, resendChat, prepareRequest, stopReply, addNote, getModelSettings, setModelSettings, recoverInterruptedReplies } from './service';
export { listModels, streamReply } from './endpoint';
export { contextWindow, assembleRequest, type ContextSources } from './context';
