/**
 * Other tools' exports, detected by content (never by file name) and mapped into our entities:
 *   - Tab Session Manager (sienori): a JSON array of sessions `{id, name, date, tag, windows:
 *     {windowId: {tabId: tab}}}` (tabs are browser tabs.Tab objects, with `lastAccessed` when the
 *     browser reports it).
 *   - OneTab export text: `URL | title` lines; a blank line separates tab groups.
 *   - Session Buddy backup (v3, `format: "nxs.json.v1"`): `{sessions: [{windows: [{tabs: [{url,
 *     title}]}]}]}`.
 *   - browserexport / promnesia: JSON lines (or a JSON list) of `{url, dt (seconds since the
 *     epoch), metadata: {title, …} | null}`.
 *   - Page Assist backup: `{chat: [{history: {id, title, createdAt}, messages: [{id, role,
 *     content, createdAt, modelName?}]}], …}` (or the bare `chat` array).
 * Sessions become threads with their tabs as tab snapshots (and visits where a time exists);
 * chats become threads with messages. Ids are derived from the source's own ids or content, so
 * importing the same file twice adds nothing. Rows whose URL is not http(s) are counted invalid.
 */
import { CodedError } from '../errors';
import { reverseHost } from '../host-key';
import { stringKey } from '../hash';
import { makeVisit } from '../history/visit';
import * as entities from '../schemas/entities';
import type { MessageRole } from '../schemas/statuses';
import { hostOf, isWebUrl, normalizeUrl, urlKey } from '../url';
import type { ComponentName } from './format';

export const FOREIGN_FORMATS = ['tab-session-manager', 'onetab', 'session-buddy', 'browserexport', 'page-assist'] as const;
export type ForeignFormat = (typeof FOREIGN_FORMATS)[number];

export interface ForeignRows {
  format: ForeignFormat;
  rows: Partial<Record<ComponentName, unknown[]>>;
  invalid: Partial<Record<ComponentName, number>>;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown, fallback = ''): string => (typeof value === 'string' ? value : fallback);

/** A time in ms from a number (ms or s) or an ISO string; null when absent or unusable. */
function toMs(value: unknown, unit: 'ms' | 's' = 'ms'): number | null {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return Math.floor(unit === 's' ? value * 1000 : value);
  if (typeof value === 'string' && value) {
    const parsed = Date.parse(value);
    return Number.isNaN(parsed) || parsed < 0 ? null : parsed;
  }
  return null;
}

/**
 * The most rows one export may map to (all components together). Mapped rows are held in memory
 * until imported: 100,000 rows stay within the worker's heap ceiling (docs/bundle-format.md).
 */
export const MAX_FOREIGN_ROWS = 100_000;

class Collector {
  readonly rows: Partial<Record<ComponentName, unknown[]>> = {};
  readonly invalid: Partial<Record<ComponentName, number>> = {};
  private readonly ids = new Map<ComponentName, Set<string>>();
  private seen = 0;

  add(component: ComponentName, row: unknown, schema: { safeParse(value: unknown): { success: boolean; data?: unknown } }): void {
    if (++this.seen > MAX_FOREIGN_ROWS) throw new CodedError('BUNDLE_TOO_LARGE', `The export holds more than ${MAX_FOREIGN_ROWS} rows; import it in parts`);
    const checked = schema.safeParse(row);
    if (!checked.success) return this.reject(component);
    const id = String((checked.data as { id: unknown }).id);
    const seen = this.ids.get(component) ?? new Set<string>();
    this.ids.set(component, seen);
    // The same tab twice in one session, or one visit listed twice: one row.
    if (seen.has(id)) return;
    seen.add(id);
    const list: unknown[] = (this.rows[component] ??= []);
    list.push(checked.data);
  }

  reject(component: ComponentName): void {
    this.invalid[component] = (this.invalid[component] ?? 0) + 1;
  }

  result(format: ForeignFormat): ForeignRows {
    return { format, rows: this.rows, invalid: this.invalid };
  }
}

function threadRow(id: string, title: string, createdAt: number): entities.Thread {
  return { id, title: title.slice(0, 1000) || 'Imported', titleSource: 'user', pinned: 0, archived: 0, urlKeys: [], url: null, createdAt, updatedAt: createdAt };
}

/** One tab of a session: a tab snapshot of the thread, and a visit when the tab has a time. */
function addTab(out: Collector, threadId: string, id: string, tab: { url: unknown; title: unknown; tabId?: unknown; at: number; visitedAt: number | null }): void {
  const url = text(tab.url);
  if (!isWebUrl(url)) return out.reject('tabSnapshots');
  const title = text(tab.title);
  out.add(
    'tabSnapshots',
    { id, tabId: typeof tab.tabId === 'number' && Number.isInteger(tab.tabId) ? tab.tabId : -1, url, urlKey: urlKey(url), hostRev: reverseHost(hostOf(url)), title, threadId, capturedAt: tab.at },
    entities.tabSnapshot,
  );
  if (tab.visitedAt !== null) out.add('visits', makeVisit({ url, title, visitedAt: tab.visitedAt, transition: 'link', source: 'import' }), entities.visit);
}

function tabSessionManager(sessions: Json[]): ForeignRows {
  const out = new Collector();
  for (const session of sessions) {
    const at = toMs(session.date) ?? 0;
    const threadId = `tsm-${text(session.id) || stringKey(JSON.stringify(session))}`;
    const tags = Array.isArray(session.tag) ? session.tag.filter((t) => typeof t === 'string').map((t) => ` #${t}`).join('') : '';
    // An unnamed session (TSM's automatic ones: tags like "winClose") gets its date as a name.
    const name = text(session.name).trim() || `Tab Session Manager session${at ? ` of ${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC` : ''}`;
    out.add('threads', threadRow(threadId, `${name}${tags}`, at), entities.thread);
    for (const [windowId, tabs] of Object.entries(isObject(session.windows) ? session.windows : {})) {
      if (!isObject(tabs)) continue;
      for (const [tabKey, tab] of Object.entries(tabs)) {
        if (!isObject(tab)) {
          out.reject('tabSnapshots');
          continue;
        }
        addTab(out, threadId, `${threadId}-${windowId}-${tabKey}`, { url: tab.url, title: tab.title, tabId: tab.id, at, visitedAt: toMs(tab.lastAccessed) });
      }
    }
  }
  return out.result('tab-session-manager');
}

function sessionBuddy(backup: Json): ForeignRows {
  const out = new Collector();
  const fileTime = toMs(backup.created) ?? 0;
  const sessions = Array.isArray(backup.sessions) ? backup.sessions.filter(isObject) : [];
  sessions.forEach((session, s) => {
    const at = toMs(session.created) ?? toMs(session.generated) ?? toMs(session.modified) ?? fileTime;
    const windows = Array.isArray(session.windows) ? session.windows.filter(isObject) : [];
    const threadId = `sessionbuddy-${text(session.id) || stringKey(JSON.stringify(windows.map((w) => (Array.isArray(w.tabs) ? w.tabs.map((t) => (isObject(t) ? t.url : null)) : []))))}`;
    out.add('threads', threadRow(threadId, text(session.name) || `Session Buddy ${text(session.type, 'session')} ${s + 1}`, at), entities.thread);
    windows.forEach((window, w) => {
      const tabs = Array.isArray(window.tabs) ? window.tabs : [];
      tabs.forEach((tab, t) => {
        if (!isObject(tab)) return out.reject('tabSnapshots');
        addTab(out, threadId, `${threadId}-${w}-${t}`, { url: tab.url, title: tab.title, tabId: tab.id, at, visitedAt: null });
      });
    });
  });
  return out.result('session-buddy');
}

/** `URL | title`; OneTab writes an empty title as `URL | ` (trimmed to `URL |`). */
const ONETAB_LINE = /^(\S+) \|(?: (.*))?$/;
const isOneTabLine = (line: string): boolean => {
  const match = ONETAB_LINE.exec(line.trim());
  return match !== null && normalizeUrl(match[1]!) !== null;
};

function oneTab(source: string): ForeignRows {
  const out = new Collector();
  const groups: { url: string; title: string }[][] = [[]];
  for (const raw of source.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line) {
      if (groups[groups.length - 1]!.length) groups.push([]);
      continue;
    }
    const match = ONETAB_LINE.exec(line);
    // A line that is not `URL | title` keeps its text as the URL: addTab counts it invalid.
    groups[groups.length - 1]!.push(match ? { url: match[1]!, title: match[2] ?? '' } : { url: line, title: '' });
  }
  groups
    .filter((g) => g.length)
    .forEach((group, index) => {
      const threadId = `onetab-${stringKey(group.map((tab) => `${tab.url} ${tab.title}`).join('\n'))}`;
      out.add('threads', threadRow(threadId, `OneTab group ${index + 1} (${group.length} tabs)`, 0), entities.thread);
      group.forEach((tab, t) => addTab(out, threadId, `${threadId}-${t}`, { url: tab.url, title: tab.title, at: 0, visitedAt: null }));
    });
  return out.result('onetab');
}

function browserexport(visits: unknown[]): ForeignRows {
  const out = new Collector();
  for (const visit of visits) {
    if (!isObject(visit)) {
      out.reject('visits');
      continue;
    }
    const url = text(visit.url);
    const visitedAt = toMs(visit.dt, 's');
    if (!isWebUrl(url) || visitedAt === null) {
      out.reject('visits');
      continue;
    }
    const title = isObject(visit.metadata) ? text(visit.metadata.title) : '';
    out.add('visits', makeVisit({ url, title, visitedAt, transition: 'link', source: 'import' }), entities.visit);
  }
  return out.result('browserexport');
}

const ROLES: Record<string, MessageRole> = { user: 'user', human: 'user', assistant: 'assistant', ai: 'assistant', bot: 'assistant', system: 'system' };

function pageAssist(chats: Json[]): ForeignRows {
  const out = new Collector();
  for (const chat of chats) {
    const history = isObject(chat.history) ? chat.history : {};
    const messages = Array.isArray(chat.messages) ? chat.messages : [];
    const createdAt = toMs(history.createdAt) ?? 0;
    const threadId = `pageassist-${text(history.id) || stringKey(JSON.stringify(messages))}`;
    let last = createdAt;
    messages.forEach((message, index) => {
      if (!isObject(message) || typeof message.content !== 'string') return out.reject('messages');
      const at = toMs(message.createdAt) ?? createdAt;
      last = Math.max(last, at);
      out.add(
        'messages',
        {
          id: `pageassist-${text(message.id) || `${threadId}-${index}`}`,
          threadId,
          role: ROLES[text(message.role).toLowerCase()] ?? 'note',
          content: message.content,
          status: 'complete',
          model: text(message.modelName) || null,
          error: null,
          createdAt: at,
          updatedAt: at,
        },
        entities.message,
      );
    });
    out.add('threads', { ...threadRow(threadId, text(history.title, 'Page Assist chat'), createdAt), pinned: history.is_pinned === true ? 1 : 0, updatedAt: last }, entities.thread);
  }
  return out.result('page-assist');
}

const isPageAssistChat = (value: unknown) => isObject(value) && isObject(value.history) && Array.isArray(value.messages);
const isTsmSession = (value: unknown) => isObject(value) && isObject(value.windows) && 'date' in value;
const isBrowserexportVisit = (value: unknown) => isObject(value) && typeof value.url === 'string' && typeof value.dt === 'number';

/** Maps a foreign export's text; null when it is none of the known formats. */
export function mapForeign(source: string): ForeignRows | null {
  const body = source.replace(/^\uFEFF/, '');
  const trimmed = body.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch {
      // Not one JSON value: perhaps JSON lines.
      const lines = trimmed.split(/\r?\n/).filter((line) => line.trim());
      const parsed: unknown[] = [];
      for (const line of lines) {
        try {
          parsed.push(JSON.parse(line));
        } catch {
          parsed.push(null);
        }
      }
      const recognized = parsed.filter(isBrowserexportVisit).length;
      return recognized > 0 && recognized >= parsed.length / 2 ? browserexport(parsed) : null;
    }
    if (Array.isArray(value)) {
      if (value.length && value.every(isTsmSession)) return tabSessionManager(value as Json[]);
      if (value.length && value.every(isPageAssistChat)) return pageAssist(value as Json[]);
      if (value.length && value.some(isBrowserexportVisit)) return browserexport(value);
      return null;
    }
    if (isObject(value)) {
      if (value.format === 'nxs.json.v1' || (Array.isArray(value.sessions) && value.sessions.some((s) => isObject(s) && Array.isArray(s.windows)))) return sessionBuddy(value);
      if (Array.isArray(value.chat) && value.chat.every(isPageAssistChat)) return pageAssist(value.chat as Json[]);
      if (isTsmSession(value)) return tabSessionManager([value]);
      if (isBrowserexportVisit(value)) return browserexport([value]);
    }
    return null;
  }
  // OneTab when most lines are `URL | title` with a usable URL; the other lines are counted invalid.
  const lines = body.split(/\r?\n/).filter((line) => line.trim());
  if (lines.length && lines.filter(isOneTabLine).length * 2 >= lines.length) return oneTab(body);
  return null;
}
