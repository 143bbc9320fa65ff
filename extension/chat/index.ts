export { chatCommandHandlers } from './handlers';
export { sendChat, stopReply, addNote, getModelSettings, setModelSettings, recoverInterruptedReplies } from './service';
export { listModels, streamReply } from './endpoint';
