import type { z } from 'zod';

/** One background command (UI page → service worker): params and result schemas. */
export interface CommandSpec<P extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
  params: P;
  result: R;
  summary: string;
}

export function defineCommand<P extends z.ZodType, R extends z.ZodType>(spec: CommandSpec<P, R>): CommandSpec<P, R> {
  return spec;
}
