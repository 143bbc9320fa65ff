import type { CommandHandlers } from '../commands/router';
import type { HydraDb } from '../db';
import { getBlocklist, setBlocklist } from '../capture/blocklist';
import { capturePage } from '../capture/pages';
import { tabRefFor } from '../capture/tabs';
import { listModels } from '../chat/endpoint';
import type { ContextSources } from '../chat/context';
import { addNote, getModelSettings, resendChat, sendChat, setModelSettings, stopReply } from '../chat/service';
import { CodedError } from '../../shared/errors';
import { PANEL_MESSAGE_LIMIT } from '../../shared/threads';
import { createMemory, forgetMemory, updateMemory } from './memories';
import { bindTab, createThread, deleteThread, findThreadForTab, latestMessages, listThreads, threadForTab, unbindTab, updateThread } from './store';
import { createTask, taskEvents, updateTask } from './tasks';
import type { threadCommands } from '../../shared/commands/threads';

export function threadCommandHandlers(db: HydraDb, context: ContextSources): Pick<CommandHandlers, keyof typeof threadCommands> {
  return {
    'threads.forTab': async (params) => {
      const tab = await tabRefFor(db, params);
      const resolved = params.create ? await threadForTab(db, tab) : await findThreadForTab(db, tab);
      if (!resolved) return { thread: null, resolvedBy: 'none' as const, tab, messages: [] };
      return { ...resolved, tab, messages: await latestMessages(db, resolved.thread.id, PANEL_MESSAGE_LIMIT) };
    },
    'threads.list': async (params) => ({ threads: await listThreads(db, params) }),
    'threads.create': async (params) => ({ thread: await createThread(db, params.title, params.tab) }),
    'threads.bind': async (params) => ({ thread: await bindTab(db, params.tab, params.threadId) }),
    'threads.unbind': async (params) => ({ unbound: await unbindTab(db, params.tab) }),
    'threads.update': async ({ threadId, ...change }) => ({ thread: await updateThread(db, threadId, change) }),
    'threads.delete': (params) => deleteThread(db, params.threadId),
    'messages.note': async (params) => ({ message: await addNote(db, params.threadId, params.content) }),
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
    'tasks.create': async (params) => ({ task: await createTask(db, params) }),
    'tasks.update': ({ taskId, ...change }) => updateTask(db, taskId, change),
    'tasks.events': async (params) => ({ events: await taskEvents(db, params.taskId) }),
    'memories.create': (params) => createMemory(db, params),
    'memories.update': async ({ memoryId, ...change }) => ({ memory: await updateMemory(db, memoryId, change) }),
    'memories.forget': async (params) => ({ forgotten: await forgetMemory(db, params.memoryId) }),
    'capture.page': (params) => capturePage(db, params.tabId),
    'capture.getBlocklist': async () => ({ rules: await getBlocklist(db) }),
    'capture.setBlocklist': async (params) => ({ rules: await setBlocklist(db, params.rules) }),
  };
}
