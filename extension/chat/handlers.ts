import type { CommandHandlers } from '../commands/router';
import type { HydraDb } from '../db';
import { CodedError } from '../../shared/errors';
import type { chatCommands } from '../../shared/commands/chat';
import { findLocalModelServers, listModels } from './endpoint';
import type { ContextSources } from './context';
import { addNote, getModelSettings, resendChat, sendChat, setModelSettings, stopReply } from './service';

export function chatCommandHandlers(db: HydraDb, context: ContextSources): Pick<CommandHandlers, keyof typeof chatCommands> {
  return {
    'chat.note': async (params) => ({ message: await addNote(db, params.threadId, params.content) }),
    'chat.send': (params) => sendChat(db, context, params.threadId, params.content, params.context),
    'chat.resend': (params) => resendChat(db, context, params.userMessageId, params.content, params.context),
    'chat.stop': async (params) => ({ stopped: await stopReply(db, params.messageId) }),
    'chat.getSettings': async () => ({ settings: await getModelSettings(db) }),
    'chat.setSettings': async (params) => ({ settings: await setModelSettings(db, params.settings) }),
    'chat.models': async (params) => {
      const settings = params.settings ?? (await getModelSettings(db));
      if (!settings) throw new CodedError('MODEL_NOT_CONFIGURED', 'No model endpoint is configured');
      return { models: await listModels(settings) };
    },
    'chat.findLocal': async () => ({ servers: await findLocalModelServers() }),
  };
}
