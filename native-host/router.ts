/**
 * Routes one decoded request to its handler. Every request is validated against the shared
 * schemas before a handler sees it; every handler result is validated before it is sent. Handlers
 * return `Result` values; a throw is caught here and becomes INTERNAL_ERROR (or its own code when
 * it was a CodedError) — never a crash.
 */
import type { z } from 'zod';
import { CodedError, err, ok, toAppError, type AppError, type Result } from '../shared/errors';
import { requestEnvelope, type RequestId } from '../shared/protocol/envelope';
import { isMethodName, methods, type MethodName, type MethodParams, type MethodResult } from '../shared/protocol/methods';
import type { Logger } from './logger';

export interface HandlerContext {
  requestId: RequestId;
  signal: AbortSignal;
  log: Logger;
  /** Sends an event frame for this request (progress, items, output…). Keep `data` under 512 KiB. */
  emit(event: string, data: unknown): void;
  /** Cancels another running request (used by the `cancel` method). */
  cancelRequest(id: RequestId): boolean;
}

export type Handler<M extends MethodName> = (params: MethodParams<M>, ctx: HandlerContext) => Promise<Result<MethodResult<M>>>;
export type Handlers = { [M in MethodName]: Handler<M> };

/** The id of a request we could not fully parse, when one can be read; null otherwise. */
export function salvageId(value: unknown): RequestId | null {
  if (value && typeof value === 'object' && 'id' in value) {
    const candidate = (value as { id: unknown }).id;
    if (typeof candidate === 'string' || (typeof candidate === 'number' && Number.isInteger(candidate) && candidate >= 0)) return candidate;
  }
  return null;
}

export async function route(handlers: Handlers, value: unknown, ctx: Omit<HandlerContext, 'requestId'>): Promise<{ id: RequestId | null; result: Result<unknown> }> {
  const envelope = requestEnvelope.safeParse(value);
  if (!envelope.success) {
    return { id: salvageId(value), result: err('INVALID_REQUEST', `Invalid request: ${describeIssues(envelope.error)}`) };
  }
  const { id, method, params } = envelope.data;
  if (!isMethodName(method)) return { id, result: err('UNKNOWN_METHOD', `Unknown method "${method}"`) };
  const spec = methods[method];
  const parsed = spec.params.safeParse(params ?? {});
  if (!parsed.success) {
    return { id, result: err('INVALID_PARAMS', `Invalid params for ${method}: ${describeIssues(parsed.error)}`, { issues: parsed.error.issues }) };
  }
  let outcome: Result<unknown>;
  try {
    const handler = handlers[method] as Handler<typeof method>;
    outcome = await handler(parsed.data as never, { ...ctx, requestId: id });
  } catch (thrown) {
    const error: AppError = toAppError(thrown);
    if (!(thrown instanceof CodedError)) ctx.log.error(`handler ${method} threw`, { message: error.message, stack: (thrown as Error)?.stack });
    return { id, result: { ok: false, error } };
  }
  if (outcome.ok) {
    const checked = (spec.result as z.ZodType).safeParse(outcome.result);
    if (!checked.success) {
      ctx.log.error(`handler ${method} returned an invalid result`, { issues: checked.error.issues });
      return { id, result: err('INVALID_RESULT', `Host produced an invalid ${method} result`) };
    }
    return { id, result: ok(checked.data) };
  }
  return { id, result: outcome };
}

export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}
