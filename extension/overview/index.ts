export { getOverview, recount, refreshSizes, SIZES_SETTING } from './overview';
export { overviewCommandHandlers } from './handlers';
