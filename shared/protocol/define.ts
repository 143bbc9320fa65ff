import type { z } from 'zod';

/**
 * One native-host method: its params and result schemas, used by both the host's router and the
 * extension's client, so the two ends can never disagree about a message's shape.
 */
export interface MethodSpec<P extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
  params: P;
  result: R;
  /** One line for docs/protocol.md and `hydraflow-host doctor`. */
  summary: string;
  /** Events (besides the generic `part` and `progress`) the method may emit while running. */
  events?: Record<string, z.ZodType>;
}

export function defineMethod<P extends z.ZodType, R extends z.ZodType>(spec: MethodSpec<P, R>): MethodSpec<P, R> {
  return spec;
}
