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
  /** How long a partly received frame may wait for its next byte before it is discarded. */
  frameStallMs?: number;
}

/**
 * A browser writes each frame in one go, so a frame whose bytes stop arriving was truncated by a
 * broken sender. Without this rule the host would wait forever and swallow the next requests as
 * the rest of that frame.
 */
export const DEFAULT_FRAME_STALL_MS = 3000;

export function serve({ input, write, handlers, log, frameStallMs = DEFAULT_FRAME_STALL_MS }: ServeOptions): Promise<void> {
  const decoder = new FrameDecoder();
  let stallTimer: ReturnType<typeof setTimeout> | null = null;
  let bytesSeen = 0;

  function watchForStall(): void {
    if (stallTimer) clearTimeout(stallTimer);
    stallTimer = null;
    if (decoder.bufferedBytes === 0) return;
    const seenWhenArmed = bytesSeen;
    stallTimer = setTimeout(() => {
      // After a long synchronous handler the timer can fire before stdin's waiting bytes are read:
      // look again after the I/O phase, and only drop the frame when nothing came in meanwhile.
      setImmediate(() => {
        if (bytesSeen !== seenWhenArmed || decoder.bufferedBytes === 0) return;
        const dropped = decoder.dropPartial();
        log.warn('discarded a truncated frame', { bytes: dropped });
        sendError(null, 'FRAME_TRUNCATED', `A frame stopped arriving after ${dropped} bytes; it was discarded`);
      });
    }, frameStallMs);
    stallTimer.unref();
  }
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
      bytesSeen += chunk.length;
      for (const frame of decoder.push(chunk)) {
        if (frame.kind === 'error') {
          log.warn('framing error', { code: frame.code, message: frame.message });
          sendError(null, frame.code, frame.message);
        } else {
          void handle(frame.value).catch((error: unknown) => log.error('unhandled request failure', { error: String(error) }));
        }
      }
      watchForStall();
    });
    input.on('end', () => {
      if (stallTimer) clearTimeout(stallTimer);
      for (const controller of running.values()) controller.abort();
      resolve();
    });
    input.on('error', (error) => {
      log.error('stdin error', { error: String(error) });
      resolve();
    });
  });
}
