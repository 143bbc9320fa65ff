/**
 * Talking to the configured model endpoint from the service worker: the model list and a
 * streamed chat reply, for OpenAI-compatible servers and for Ollama. Network and HTTP failures
 * become coded errors the thread shows as they are.
 */
import { LOCAL_MODEL_SERVERS, type ModelSettings } from '../../shared/commands/chat';
import { ReplyStreamReader } from '../../shared/chat/stream';
import { CodedError } from '../../shared/errors';

export interface ChatTurn {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** What a model or embeddings endpoint needs to be reached (both settings shapes have it). */
export interface EndpointAddress {
  kind: 'openai' | 'ollama';
  baseUrl: string;
  apiKey?: string | undefined;
}

/** The base URL requests go under: an OpenAI-compatible server's `/v1` is added when missing. */
export function apiBase(settings: EndpointAddress): string {
  const base = settings.baseUrl.replace(/\/+$/, '');
  return settings.kind === 'openai' && !/\/v1$/.test(base) ? `${base}/v1` : base;
}

export function endpointHeaders(settings: EndpointAddress): Record<string, string> {
  return { 'content-type': 'application/json', ...(settings.apiKey ? { authorization: `Bearer ${settings.apiKey}` } : {}) };
}

/** A refused or failed response as its coded error; `what` names the endpoint ("model endpoint"). */
export async function responseError(response: Response, what: string): Promise<CodedError> {
  if (response.status === 401 || response.status === 403) {
    return new CodedError('MODEL_UNAUTHORIZED', `The ${what} refused the request (${response.status}): check the API key in Settings`);
  }
  const body = (await response.text().catch(() => '')).slice(0, 300);
  return new CodedError('MODEL_HTTP_ERROR', `The ${what} answered ${response.status}${body ? `: ${body}` : ''}`);
}

async function call(settings: ModelSettings, path: string, init: RequestInit): Promise<Response> {
  const url = `${apiBase(settings)}${path}`;
  let response: Response;
  try {
    response = await fetch(url, { ...init, headers: endpointHeaders(settings), credentials: 'omit' });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new CodedError('MODEL_UNREACHABLE', `Cannot reach ${new URL(url).origin}: the connection was refused or the network is down`);
  }
  if (!response.ok) throw await responseError(response, 'model endpoint');
  return response;
}

export async function listModels(settings: ModelSettings): Promise<string[]> {
  const response = await call(settings, settings.kind === 'openai' ? '/models' : '/api/tags', { method: 'GET' });
  const body = (await response.json().catch(() => null)) as { data?: { id?: unknown }[]; models?: { name?: unknown }[] } | null;
  const names = settings.kind === 'openai' ? body?.data?.map((m) => m.id) : body?.models?.map((m) => m.name);
  if (!Array.isArray(names)) throw new CodedError('MODEL_BAD_RESPONSE', 'The model list could not be read');
  return names.filter((name): name is string => typeof name === 'string').sort();
}

/** How long a default port may take to answer before it counts as nobody there. */
const PROBE_TIMEOUT_MS = 1500;

/** The local model servers (LOCAL_MODEL_SERVERS) that answer their model list, with that list. */
export async function findLocalModelServers(): Promise<{ name: string; kind: 'openai' | 'ollama'; baseUrl: string; models: string[] }[]> {
  const probes = LOCAL_MODEL_SERVERS.map(async (server) => {
    const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), PROBE_TIMEOUT_MS));
    const models = await Promise.race([listModels({ kind: server.kind, baseUrl: server.baseUrl, apiKey: '', model: '' }).catch(() => null), timeout]);
    return models ? [{ ...server, models }] : [];
  });
  return (await Promise.all(probes)).flat();
}

/** Streams a reply; `onText` gets each piece as it arrives. Resolves when the reply is complete. */
export async function streamReply(settings: ModelSettings, turns: ChatTurn[], onText: (delta: string) => void, signal: AbortSignal, options: { contextWindow?: number } = {}): Promise<void> {
  // Ollama reads only `num_ctx` tokens (a small default) unless told: it is given the window the request was fitted to.
  const body =
    settings.kind === 'openai'
      ? { model: settings.model, messages: turns, stream: true }
      : { model: settings.model, messages: turns, stream: true, ...(options.contextWindow ? { options: { num_ctx: options.contextWindow } } : {}) };
  const response = await call(settings, settings.kind === 'openai' ? '/chat/completions' : '/api/chat', { method: 'POST', body: JSON.stringify(body), signal });
  if (!response.body) throw new CodedError('MODEL_BAD_RESPONSE', 'The model endpoint sent no body');
  const reader = new ReplyStreamReader(settings.kind);
  const decoder = new TextDecoder();
  const stream = response.body.getReader();
  for (;;) {
    const { value, done } = await stream.read();
    if (done) break;
    for (const delta of reader.push(decoder.decode(value, { stream: true })).deltas) onText(delta);
    if (reader.done) {
      await stream.cancel().catch(() => undefined);
      return;
    }
  }
  for (const delta of reader.end().deltas) onText(delta);
}
