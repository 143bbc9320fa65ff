export { sendCommand } from './client';
export { dispatchCommand, COMMAND_MESSAGE_TYPE, type CommandHandlers, type CommandHandler, type CommandContext } from './router';
