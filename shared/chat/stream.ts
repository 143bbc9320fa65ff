/**
 * Incremental readers of the two streaming reply formats. Bytes arrive in arbitrary pieces; each
 * reader keeps the unfinished line and returns the text deltas of the complete ones.
 *  - OpenAI-compatible `/v1/chat/completions` with `stream: true`: Server-Sent Events, one
 *    `data: {json}` per event, `choices[0].delta.content` the text, `data: [DONE]` the end.
 *  - Ollama `/api/chat`: one JSON object per line, `message.content` the text, `done: true` the end.
 */
import { CodedError } from '../errors';

export type EndpointKind = 'openai' | 'ollama';

export interface StreamStep {
  deltas: string[];
  done: boolean;
}

export class ReplyStreamReader {
  private pending = '';
  private finished = false;

  constructor(private readonly kind: EndpointKind) {}

  get done(): boolean {
    return this.finished;
  }

  push(text: string): StreamStep {
    this.pending += text;
    const lines = this.pending.split(/\r?\n/);
    this.pending = lines.pop() ?? '';
    const deltas: string[] = [];
    for (const line of lines) if (!this.finished) this.readLine(line, deltas);
    return { deltas, done: this.finished };
  }

  /** The end of the byte stream: a last line without a newline still counts. */
  end(): StreamStep {
    const deltas: string[] = [];
    if (this.pending && !this.finished) this.readLine(this.pending, deltas);
    this.pending = '';
    return { deltas, done: this.finished };
  }

  private readLine(raw: string, deltas: string[]): void {
    const line = raw.trim();
    if (!line) return;
    if (this.kind === 'openai') {
      if (!line.startsWith('data:')) return; // comments (`:`), `event:`, `id:` lines
      const data = line.slice(5).trim();
      if (data === '[DONE]') {
        this.finished = true;
        return;
      }
      const event = parse(data) as { choices?: { delta?: { content?: unknown }; finish_reason?: unknown }[]; error?: { message?: unknown } };
      if (event.error) throw new CodedError('MODEL_HTTP_ERROR', `The model endpoint reported: ${String(event.error.message ?? 'an error')}`);
      const content = event.choices?.[0]?.delta?.content;
      if (typeof content === 'string' && content) deltas.push(content);
      return;
    }
    const event = parse(line) as { message?: { content?: unknown }; done?: unknown; error?: unknown };
    if (event.error) throw new CodedError('MODEL_HTTP_ERROR', `The model endpoint reported: ${String(event.error)}`);
    const content = event.message?.content;
    if (typeof content === 'string' && content) deltas.push(content);
    if (event.done === true) this.finished = true;
  }
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new CodedError('MODEL_BAD_RESPONSE', `The model endpoint sent a line that is not JSON: ${text.slice(0, 80)}`);
  }
}
