export { refreshCommandHandlers, workerRefreshDeps } from './handlers';
export { refreshJobTypes } from './jobs';
export { startRefresh, cancelRefresh } from './start';
export { runRefresh, type RefreshDeps, type RefreshJobParams, type RefreshResult, type RefreshPageReport } from './runner';
