export { repoCommandHandlers, type RepoHandlers } from './handlers';
export { repoJobTypes } from './jobs';
