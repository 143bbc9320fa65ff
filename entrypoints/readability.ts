// Injected into a tab on demand by capture.page; the logic lives in extension/capture/readable.ts.
import { installReadable } from '../extension/capture/readable';

export default defineUnlistedScript(installReadable);
