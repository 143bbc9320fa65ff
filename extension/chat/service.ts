/**
 * Chat in a thread: the user's message is stored, then the model's reply streams into an
 * assistant message that is written as it grows (every ~100 ms), so the side panel shows it
 * live and a worker death keeps what arrived. Stop aborts the request and keeps the partial
 * text (`stopped`). With no endpoint configured the thread works as notes. What goes with a
 * question (page chips, history, memories, conversation) is assembled in ./context.ts.
 */
import { modelSettings, type ModelSettings } from '../../shared/commands/chat';
import { CodedError, toAppError } from '../../shared/errors';
import { newId } from '../../shared/ids';
import type { Message } from '../../shared/schemas/entities';
import type { HydraDb } from '../db';
import { recallContextMemories } from '../memories';
import { getThread, touchThread } from '../threads/store';
import type { ChatContext } from '../../shared/chat/context';
import { assembleRequest, contextWindow, type AssembledRequest, type ContextSources } from './context';
import { streamReply, type ChatTurn } from './endpoint';

const SETTINGS_KEY = 'chat.model';
const FLUSH_MS = 100;
/** Earlier messages read for a request; the token budget decides how many of them go. */
const EARLIER_MESSAGES = 200;

const running = new Map<string, AbortController>();
/** A settings row per reply in flight, so a new worker finds them without scanning messages. */
const INFLIGHT = 'chat.inflight:';

export async function getModelSettings(db: HydraDb): Promise<ModelSettings | null> {
  const row = await db.settings.get(SETTINGS_KEY);
  const parsed = modelSettings.safeParse(row?.value);
  return parsed.success ? parsed.data : null;
}

export async function setModelSettings(db: HydraDb, settings: ModelSettings | null): Promise<ModelSettings | null> {
  if (settings === null) await db.settings.delete(SETTINGS_KEY);
  else await db.settings.put({ key: SETTINGS_KEY, value: settings, updatedAt: Date.now() });
  return settings;
}

function message(threadId: string, role: Message['role'], content: string, status: Message['status'], now: number, model: string | null = null): Message {
  return { id: newId(), threadId, role, content, status, model, error: null, createdAt: now, updatedAt: now };
}

export async function addNote(db: HydraDb, threadId: string, content: string, now = Date.now()): Promise<Message> {
  return db.transaction('rw', db.threads, db.messages, async () => {
    await getThread(db, threadId);
    const note = message(threadId, 'note', content, 'complete', now);
    await db.messages.add(note);
    await touchThread(db, threadId, content, now);
    return note;
  });
}

/** The thread's earlier turns before `upTo` (the newest 200 messages at most; the budget cuts further). */
async function conversation(db: HydraDb, threadId: string, upTo: number): Promise<ChatTurn[]> {
  const rows = await db.messages.where('[threadId+createdAt]').between([threadId, -Infinity], [threadId, upTo], true, true).reverse().limit(EARLIER_MESSAGES).toArray();
  return rows
    .reverse()
    .filter((row) => (row.role === 'user' || row.role === 'assistant') && row.status !== 'error' && row.content)
    .map((row) => ({ role: row.role as 'user' | 'assistant', content: row.content }));
}

function requireModel(settings: ModelSettings | null): ModelSettings {
  if (!settings || !settings.model) {
    throw new CodedError('MODEL_NOT_CONFIGURED', 'No model is configured. Add an endpoint and pick a model in Settings (options page); until then, messages are saved as notes.');
  }
  return settings;
}

async function refuseWhileStreaming(db: HydraDb, threadId: string): Promise<void> {
  const streaming = (await db.settings.where('key').startsWith(INFLIGHT).toArray()).some((row) => row.value === threadId && running.has(row.key.slice(INFLIGHT.length)));
  if (streaming) throw new CodedError('ALREADY_STREAMING', 'Wait for the current reply to finish, or stop it');
}

export async function sendChat(db: HydraDb, sources: ContextSources, threadId: string, content: string, context: ChatContext, now = Date.now()): Promise<{ userMessageId: string; assistantMessageId: string }> {
  const settings = requireModel(await getModelSettings(db));
  const { user, assistant } = await db.transaction('rw', db.threads, db.messages, db.settings, async () => {
    await getThread(db, threadId);
    await refuseWhileStreaming(db, threadId);
    const user = message(threadId, 'user', content, 'complete', now);
    const assistant = message(threadId, 'assistant', '', 'streaming', now + 1, settings.model);
    await db.messages.bulkAdd([user, assistant]);
    await db.settings.put({ key: `${INFLIGHT}${assistant.id}`, value: threadId, updatedAt: now });
    await touchThread(db, threadId, content, now);
    return { user, assistant };
  });
  startReply(db, sources, settings, user, assistant, context);
  return { userMessageId: user.id, assistantMessageId: assistant.id };
}

/**
 * Asks again from a user message (retry, regenerate, edit and resend): the messages after it are
 * deleted, its text replaced when `content` is given, and a new reply streams.
 */
export async function resendChat(db: HydraDb, sources: ContextSources, userMessageId: string, content: string | undefined, context: ChatContext, now = Date.now()): Promise<{ userMessageId: string; assistantMessageId: string }> {
  const settings = requireModel(await getModelSettings(db));
  const { user, assistant } = await db.transaction('rw', db.threads, db.messages, db.settings, async () => {
    const original = await db.messages.get(userMessageId);
    if (!original || original.role !== 'user') throw new CodedError('MESSAGE_NOT_FOUND', `No question ${userMessageId}`);
    await getThread(db, original.threadId);
    await refuseWhileStreaming(db, original.threadId);
    const later = await db.messages.where('[threadId+createdAt]').between([original.threadId, original.createdAt], [original.threadId, Infinity], false, true).primaryKeys();
    await db.messages.bulkDelete(later);
    const user: Message = content !== undefined ? { ...original, content, updatedAt: now } : original;
    if (content !== undefined) await db.messages.put(user);
    const assistant = message(original.threadId, 'assistant', '', 'streaming', Math.max(now, user.createdAt + 1), settings.model);
    await db.messages.add(assistant);
    await db.settings.put({ key: `${INFLIGHT}${assistant.id}`, value: original.threadId, updatedAt: now });
    await touchThread(db, original.threadId, null, now);
    return { user, assistant };
  });
  startReply(db, sources, settings, user, assistant, context);
  return { userMessageId: user.id, assistantMessageId: assistant.id };
}

function startReply(db: HydraDb, sources: ContextSources, settings: ModelSettings, user: Message, assistant: Message, context: ChatContext): void {
  const controller = new AbortController();
  running.set(assistant.id, controller);
  void runReply(db, sources, settings, user, assistant, context, controller);
}

/** The request for a question, as it will leave the worker (the bench times this). */
export async function prepareRequest(db: HydraDb, sources: ContextSources, settings: ModelSettings, user: Message, context: ChatContext): Promise<AssembledRequest> {
  const [memories, earlier, window] = await Promise.all([recallContextMemories(db, user.threadId), conversation(db, user.threadId, user.createdAt - 1), contextWindow(settings)]);
  return assembleRequest(db, sources, { question: user.content, earlier, memories, context, window: window.tokens, threadId: user.threadId });
}

async function runReply(db: HydraDb, sources: ContextSources, settings: ModelSettings, user: Message, assistant: Message, context: ChatContext, controller: AbortController): Promise<void> {
  let text = '';
  let written = '';
  let timer: ReturnType<typeof setTimeout> | null = null;
  const flush = async () => {
    timer = null;
    if (text === written) return;
    written = text;
    await db.messages.update(assistant.id, { content: written, updatedAt: Date.now() });
  };
  const finish = (change: Partial<Message>) =>
    db.transaction('rw', db.messages, db.settings, async () => {
      await db.messages.update(assistant.id, { content: text, updatedAt: Date.now(), ...change });
      await db.settings.delete(`${INFLIGHT}${assistant.id}`);
    });
  try {
    const request = await prepareRequest(db, sources, settings, user, context);
    // What went with the question, shown on it; the numbered sources, shown under the reply.
    await db.transaction('rw', db.messages, async () => {
      await db.messages.update(user.id, { context: request.parts });
      await db.messages.update(assistant.id, { sources: request.sources });
    });
    await streamReply(
      settings,
      request.turns,
      (delta) => {
        text += delta;
        timer ??= setTimeout(() => void flush(), FLUSH_MS);
      },
      controller.signal,
      { contextWindow: request.window },
    );
    if (timer) clearTimeout(timer);
    await finish({ status: 'complete' });
  } catch (error) {
    if (timer) clearTimeout(timer);
    await finish(controller.signal.aborted ? { status: 'stopped' } : { status: 'error', error: toAppError(error) });
  } finally {
    running.delete(assistant.id);
  }
}

export async function stopReply(db: HydraDb, messageId: string): Promise<boolean> {
  const controller = running.get(messageId);
  if (controller) {
    controller.abort();
    return true;
  }
  // A reply whose worker died: mark it stopped where it is.
  const row = await db.messages.get(messageId);
  if (!row) throw new CodedError('MESSAGE_NOT_FOUND', `No message ${messageId}`);
  if (row.status !== 'streaming') return false;
  await db.transaction('rw', db.messages, db.settings, async () => {
    await db.messages.update(messageId, { status: 'stopped', updatedAt: Date.now() });
    await db.settings.delete(`${INFLIGHT}${messageId}`);
  });
  return true;
}

/** At worker start: replies that were streaming in a dead worker keep their text and say so. */
export async function recoverInterruptedReplies(db: HydraDb): Promise<number> {
  return db.transaction('rw', db.messages, db.settings, async () => {
    const inflight = await db.settings.where('key').startsWith(INFLIGHT).toArray();
    let recovered = 0;
    for (const row of inflight) {
      const id = row.key.slice(INFLIGHT.length);
      if (running.has(id)) continue;
      const message = await db.messages.get(id);
      if (message?.status === 'streaming') {
        await db.messages.update(id, { status: 'stopped', error: { code: 'JOB_INTERRUPTED', message: 'The reply was cut off when the extension restarted' }, updatedAt: Date.now() });
        recovered++;
      }
      await db.settings.delete(row.key);
    }
    return recovered;
  });
}
