export { HostConnection, createNativeHostConnection, type PortLike, type RequestOptions } from './connection';
export { hostCommandHandlers } from './handlers';
