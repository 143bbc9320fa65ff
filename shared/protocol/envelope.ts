/**
 * The native-messaging envelope: requests, replies and events. Frame payloads are parsed with
 * these schemas on both ends before anything else looks at them.
 */
import { z } from 'zod';
import { ERRORS, type ErrorCode } from '../errors';

export const requestId = z.lazy(() => z.union([z.string().min(1).max(128), z.number().int().nonnegative()]));
export type RequestId = z.infer<typeof requestId>;

export const requestEnvelope = z.lazy(() => z.object({
  id: requestId,
  method: z.string().min(1).max(128),
  params: z.unknown().optional(),
}));
export type RequestEnvelope = z.infer<typeof requestEnvelope>;

const errorCode = z.lazy(() => z.custom<ErrorCode>((value) => typeof value === 'string' && Object.hasOwn(ERRORS, value), {
  message: 'unknown error code',
}));

export const errorBody = z.lazy(() => z.object({ code: errorCode, message: z.string(), details: z.unknown().optional() }));

/**
 * A reply. `parts` is set instead of `result` when the result was too large for one frame: it
 * then arrived as `parts` numbered `part` events whose texts, joined, are the result's JSON.
 */
export const replyEnvelope = z.lazy(() => z.union([
  z.object({ id: requestId.nullable(), ok: z.literal(true), protocolVersion: z.number().int(), result: z.unknown().optional(), parts: z.number().int().positive().optional() }),
  z.object({ id: requestId.nullable(), ok: z.literal(false), protocolVersion: z.number().int(), error: errorBody }),
]));
export type ReplyEnvelope = z.infer<typeof replyEnvelope>;

export const eventEnvelope = z.lazy(() => z.object({ id: requestId, event: z.string().min(1), data: z.unknown() }));
export type EventEnvelope = z.infer<typeof eventEnvelope>;

export const hostMessage = z.lazy(() => z.union([replyEnvelope, eventEnvelope]));
export type HostMessage = z.infer<typeof hostMessage>;

/** Events every streaming method may send; method-specific events are declared with the method. */
export const partEvent = z.lazy(() => z.object({ seq: z.number().int().nonnegative(), text: z.string() }));
export const progressEvent = z.lazy(() => z.object({ done: z.number().nonnegative(), total: z.number().nonnegative().nullable(), message: z.string().optional() }));
