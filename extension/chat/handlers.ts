import type { CommandHandlers } from '../commands/router';
import type { HydraDb } from '../db';
import { CodedError } from '../../shared/errors';
import type { chatCommands } from '../../shared/commands/chat';
import { listModels } from './endpoint';
import { addNote, getModelSettings, sendChat, setModelSettings, stopReply } from './service';

export function chatCommandHandlers(db: HydraDb): Pick<CommandHandlers, keyof typeof chatCommands> {
  return {
    'chat.note': async (params) => ({ message: await addNote(db, params.threadId, params.content) }),
    'chat.send': (params) => sendChat(db, params.threadId, params.content),
    'chat.stop': async (params) => ({ stopped: await stopReply(db, params.messageId) }),
    'chat.getSettings': async () => ({ settings: await getModelSettings(db) }),
    'chat.setSettings': async (params) => ({ settings: await setModelSettings(db, params.settings) }),
    'chat.models': async (params) => {
      const settings = params.settings ?? (await getModelSettings(db));
      if (!settings) throw new CodedError('MODEL_NOT_CONFIGURED', 'No model endpoint is configured');
      return { models: await listModels(settings) };
    },
  };
}
