/**
 * Serves the protocol on stdin/stdout for the browser: decodes frames, routes requests
 * concurrently, writes replies and events as frames under 1 MiB (chunking large results), and
 * exits when the browser closes stdin. Framing errors are answered with an error frame; the
 * server keeps going.
 */
import type { Readable } from 'node:stream';
import { err, type ErrorCode } from '../shared/errors';
import { planReply } from '../shared/protocol/chunking';
import type { RequestId } from '../shared/protocol/envelope';
import { MAX_OUTBOUND_FRAME_BYTES } from '../shared/protocol/limits';
import { PROTOCOL_VERSION } from '../shared/version';
import { encodeFrame, FrameDecoder } from './core/frame-decoder';
import type { Logger } from './logger';
import { route, type Handlers } from './router';

export interface ServeOptions {
  input: Readable;
  write: (bytes: Uint8Array) => void;
  handlers: Handlers;
  log: Logger;
}

export function serve({ input, write, handlers, log }: ServeOptions): Promise<void> {
  const decoder = new FrameDecoder();
  const running = new Map<RequestId, AbortController>();

  function send(value: unknown): void {
    const frame = encodeFrame(value);
    if (frame.length > MAX_OUTBOUND_FRAME_BYTES) {
      log.error('refusing to send an oversized frame', { bytes: frame.length });
      const id = (value as { id?: RequestId | null }).id ?? null;
      write(encodeFrame({ id, ok: false, protocolVersion: PROTOCOL_VERSION, error: err('INTERNAL_ERROR', 'Host tried to send a frame over 1 MiB').error }));
      return;
    }
    write(frame);
  }

  function sendError(id: RequestId | null, code: ErrorCode, message: string): void {
    send({ id, ok: false, protocolVersion: PROTOCOL_VERSION, error: { code, message } });
  }

  async function handle(value: unknown): Promise<void> {
    const controller = new AbortController();
    const requestId = (value as { id?: unknown })?.id;
    const trackable = typeof requestId === 'string' || typeof requestId === 'number';
    if (trackable) {
      if (running.has(requestId)) {
        sendError(requestId, 'INVALID_REQUEST', `Request id ${String(requestId)} is already running`);
        return;
      }
      running.set(requestId, controller);
    }
    const started = performance.now();
    try {
      const { id, result } = await route(handlers, value, {
        signal: controller.signal,
        log,
        emit: (event, data) => {
          if (trackable && !controller.signal.aborted) send({ id: requestId, event, data });
        },
        cancelRequest: (target) => {
          const victim = running.get(target);
          if (!victim) return false;
          victim.abort();
          return true;
        },
      });
      if (result.ok) {
        const { parts, reply } = planReply(id, PROTOCOL_VERSION, result.result);
        for (const part of parts) send(part);
        send(reply);
      } else {
        send({ id, ok: false, protocolVersion: PROTOCOL_VERSION, error: result.error });
      }
      log.debug('request', { method: (value as { method?: unknown })?.method, ok: result.ok, ms: Math.round(performance.now() - started) });
    } finally {
      if (trackable) running.delete(requestId);
    }
  }

  return new Promise((resolve) => {
    input.on('data', (chunk: Buffer) => {
      for (const frame of decoder.push(chunk)) {
        if (frame.kind === 'error') {
          log.warn('framing error', { code: frame.code, message: frame.message });
          sendError(null, frame.code, frame.message);
        } else {
          void handle(frame.value).catch((error: unknown) => log.error('unhandled request failure', { error: String(error) }));
        }
      }
    });
    input.on('end', () => {
      for (const controller of running.values()) controller.abort();
      resolve();
    });
    input.on('error', (error) => {
      log.error('stdin error', { error: String(error) });
      resolve();
    });
  });
}
