// Loaded as a classic script in the side panel's <head>: asks for the tab's thread while the page
// is still loading. The logic lives in extension/ui/threads/early.ts.
import { requestThreadEarly } from '../extension/ui/threads/early';

export default defineUnlistedScript(requestThreadEarly);
