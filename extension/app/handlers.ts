import { EXTENSION_ID } from '../../shared/extension-id';
import { APP_VERSION, PROTOCOL_VERSION } from '../../shared/version';
import type { CommandHandlers } from '../commands/router';
import type { HydraDb } from '../db';

export function appCommandHandlers(db: HydraDb): Pick<CommandHandlers, 'app.info'> {
  return {
    'app.info': async () => {
      await db.open();
      // The running ID: the fixed dev ID, or the one a store assigned to the keyless store build.
      const extensionId = globalThis.chrome?.runtime?.id ?? EXTENSION_ID;
      return { appVersion: APP_VERSION, protocolVersion: PROTOCOL_VERSION, schemaVersion: db.verno, extensionId };
    },
  };
}
