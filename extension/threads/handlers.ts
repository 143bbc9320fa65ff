import type { CommandHandlers } from '../commands/router';
import type { HydraDb } from '../db';
import { tabRefFor } from '../capture/tabs';
import { PANEL_MESSAGE_LIMIT } from '../../shared/threads';
import { bindTab, createThread, deleteThread, findThreadForTab, latestMessages, listThreads, threadForTab, unbindTab, updateThread } from './store';
import type { threadCommands } from '../../shared/commands/threads';

export function threadCommandHandlers(db: HydraDb): Pick<CommandHandlers, keyof typeof threadCommands> {
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
  };
}
