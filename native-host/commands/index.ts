/**
 * Every host capability's handlers, assembled into the one map the router needs. Each capability
 * lives in its own folder and is listed here once; `satisfies Handlers` makes a method declared in
 * shared/protocol without a handler a compile error.
 */
import { HOST_FEATURES } from '../../shared/protocol/history';
import { methods } from '../../shared/protocol/methods';
import type { HostEnv } from '../host-env';
import type { Handlers } from '../router';
import { bundleHandlers } from './bundle';
import { historyHandlers } from './history';
import { hostHandlers } from './host';
import { repoHandlers } from './repo';
import { storageHandlers } from './storage';

export function createHandlers(env: HostEnv): Handlers {
  // The method names, and the features of a method added within the protocol version (history.read's columns).
  const capabilities = () => [...Object.keys(methods), ...HOST_FEATURES].sort();
  return {
    ...hostHandlers(env, capabilities),
    ...repoHandlers(env),
    ...historyHandlers(env),
    ...storageHandlers(env),
    ...bundleHandlers(env),
  } satisfies Handlers;
}
