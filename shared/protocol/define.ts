import type { z } from 'zod';
import { onFirstUse } from '../on-first-use';

/**
 * One native-host method: its params and result schemas, used by both the host's router and the
 * extension's client, so the two ends can never disagree about a message's shape.
 */
export interface MethodSpec<P extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
  /** Built on first read (see `defineMethod`). */
  readonly params: P;
  readonly result: R;
  /** One line for docs/protocol.md and `hydraflow-host doctor`. */
  summary: string;
  /** Events (besides the generic `part` and `progress`) the method may emit while running. */
  readonly events?: Record<string, z.ZodType>;
}

/** A method as declared: its schemas as functions that build them, so importing the table builds none. */
export interface MethodDeclaration<P extends z.ZodType, R extends z.ZodType> {
  params: () => P;
  result: () => R;
  summary: string;
  events?: () => Record<string, z.ZodType>;
}

/**
 * Declares a method. Its schemas are built the first time they are read and kept: the service
 * worker and the host's CLI import every declaration at start-up and use a few.
 */
export function defineMethod<P extends z.ZodType, R extends z.ZodType>(declaration: MethodDeclaration<P, R>): MethodSpec<P, R> {
  const params = onFirstUse(declaration.params);
  const result = onFirstUse(declaration.result);
  const events = declaration.events && onFirstUse(declaration.events);
  const spec: MethodSpec<P, R> = {
    summary: declaration.summary,
    get params() {
      return params();
    },
    get result() {
      return result();
    },
  };
  // A getter, not a spread: spreading would build the events right here.
  if (events) Object.defineProperty(spec, 'events', { get: events, enumerable: true });
  return spec;
}
