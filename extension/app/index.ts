export { appCommandHandlers } from './handlers';
