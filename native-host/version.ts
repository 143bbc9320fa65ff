import { APP_VERSION } from '../shared/version';

/** The host ships with the extension: same version number. */
export const HOST_VERSION = APP_VERSION;
