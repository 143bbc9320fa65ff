import type { syncCommands } from '../../shared/commands/sync';
import type { CommandHandlers } from '../commands/router';
import type { HydraDb } from '../db';
import { readConfig, saveConfig, settingsView, startSync, syncStatus } from './service';

export function syncCommandHandlers(db: HydraDb): Pick<CommandHandlers, keyof typeof syncCommands> {
  return {
    'sync.getSettings': async () => ({ settings: settingsView(await readConfig(db)) }),
    'sync.setSettings': async ({ settings }) => ({ settings: settingsView(await saveConfig(db, settings)) }),
    'sync.status': () => syncStatus(db),
    'sync.start': async () => ({ jobId: await startSync(db) }),
  };
}
