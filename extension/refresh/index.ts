export { refreshCommandHandlers, workerRefreshDeps } from './handlers';
export { startRefresh, cancelRefresh } from './start';
export { runRefresh, type RefreshDeps, type RefreshJobParams, type RefreshResult, type RefreshPageReport } from './runner';
