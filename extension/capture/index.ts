export { registerCaptureListeners, syncOpenTabs, capturable } from './tabs';
export { capturePage, readTab } from './pages';
export { getBlocklist, setBlocklist } from './blocklist';
