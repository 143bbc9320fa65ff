export { captureCommandHandlers } from './handlers';
export { autoSavePage, registerPageListeners } from './autosave';
export { registerCaptureListeners, syncOpenTabs, capturable } from './tabs';
export { capturePage, readTab } from './pages';
export { getBlocklist, setBlocklist } from './blocklist';
