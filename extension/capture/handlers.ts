import type { CommandHandlers } from '../commands/router';
import type { HydraDb } from '../db';
import type { captureCommands } from '../../shared/commands/capture';
import { getBlocklist, setBlocklist } from './blocklist';
import { capturePage } from './pages';

export function captureCommandHandlers(db: HydraDb): Pick<CommandHandlers, keyof typeof captureCommands> {
  return {
    'capture.page': (params) => capturePage(db, params.tabId),
    'capture.getBlocklist': async () => ({ rules: await getBlocklist(db) }),
    'capture.setBlocklist': async (params) => ({ rules: await setBlocklist(db, params.rules) }),
  };
}
