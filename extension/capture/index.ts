export { captureCommandHandlers } from './handlers';
export { registerCaptureListeners, syncOpenTabs, capturable } from './tabs';
export { capturePage } from './pages';
export { getBlocklist, setBlocklist } from './blocklist';
