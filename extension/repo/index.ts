export { repoCommandHandlers } from './handlers';
