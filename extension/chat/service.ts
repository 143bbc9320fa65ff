/**
 * Chat in a thread: the user's message is stored, then the model's reply streams into an
 * assistant message that is written as it grows (every ~100 ms), so the side panel shows it
 * live and a worker death keeps what arrived. Stop aborts the request and keeps the partial
 * text (`stopped`). With no endpoint configured the thread works as notes.
 */
import { modelSettings, type ModelSettings } from '../../shared/commands/chat';
import { CodedError, toAppError } from '../../shared/errors';
import { newId } from '../../shared/ids';
import type { Message } from '../../shared/schemas/entities';
import type { HydraDb } from '../db';
import { recallContextMemories } from '../memories';
import { getThread, touchThread } from '../threads/store';
import { streamReply, type ChatTurn } from './endpoint';

const SETTINGS_KEY = 'chat.model';
const FLUSH_MS = 100;
/** Characters of earlier conversation sent with a request (newest kept). */
const HISTORY_BUDGET = 24_000;

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

async function conversation(db: HydraDb, threadId: string, upTo: number): Promise<ChatTurn[]> {
  const rows = await db.messages.where('[threadId+createdAt]').between([threadId, -Infinity], [threadId, upTo], true, true).toArray();
  const turns: ChatTurn[] = [];
  let budget = HISTORY_BUDGET;
  for (const row of rows.reverse()) {
    if ((row.role !== 'user' && row.role !== 'assistant') || row.status === 'error' || !row.content) continue;
    budget -= row.content.length;
    if (budget < 0 && turns.length > 0) break;
    turns.unshift({ role: row.role, content: row.content });
  }
  return turns;
}

export async function sendChat(db: HydraDb, threadId: string, content: string, now = Date.now()): Promise<{ userMessageId: string; assistantMessageId: string }> {
  const settings = await getModelSettings(db);
  if (!settings || !settings.model) {
    throw new CodedError('MODEL_NOT_CONFIGURED', 'No model is configured. Add an endpoint and pick a model in Settings (options page); until then, messages are saved as notes.');
  }
  const { user, assistant } = await db.transaction('rw', db.threads, db.messages, db.settings, async () => {
    await getThread(db, threadId);
    const streaming = (await db.settings.where('key').startsWith(INFLIGHT).toArray()).some((row) => row.value === threadId && running.has(row.key.slice(INFLIGHT.length)));
    if (streaming) throw new CodedError('ALREADY_STREAMING', 'Wait for the current reply to finish, or stop it');
    const user = message(threadId, 'user', content, 'complete', now);
    const assistant = message(threadId, 'assistant', '', 'streaming', now + 1, settings.model);
    await db.messages.bulkAdd([user, assistant]);
    await db.settings.put({ key: `${INFLIGHT}${assistant.id}`, value: threadId, updatedAt: now });
    await touchThread(db, threadId, content, now);
    return { user, assistant };
  });
  const controller = new AbortController();
  running.set(assistant.id, controller);
  void runReply(db, settings, threadId, assistant, controller);
  return { userMessageId: user.id, assistantMessageId: assistant.id };
}

async function runReply(db: HydraDb, settings: ModelSettings, threadId: string, assistant: Message, controller: AbortController): Promise<void> {
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
    const memories = await recallContextMemories(db, threadId);
    const turns = await conversation(db, threadId, assistant.createdAt - 1);
    const system = memories.length ? [{ role: 'system' as const, content: `Things to remember:\n${memories.map((m) => `- ${m.text}`).join('\n')}` }] : [];
    await streamReply(
      settings,
      [...system, ...turns],
      (delta) => {
        text += delta;
        timer ??= setTimeout(() => void flush(), FLUSH_MS);
      },
      controller.signal,
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
