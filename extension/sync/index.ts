export { syncCommandHandlers } from './handlers';
export { syncJobTypes } from './jobs';
export { registerSyncAlarms, settleSyncBookkeeping, syncSoon, startSync } from './service';
export { setOutboxListener } from './outbox';
export { runSync, type SyncReport } from './engine';
// The wipe keeps sync's settings and sends it to the other machines.
import './wipe';
