/**
 * Every native-host method, by name. Each capability declares its methods in its own file and is
 * listed here once; the host's router must implement every entry (a compile error otherwise).
 */
import type { z } from 'zod';
import { bundleMethods } from './bundle';
import { historyMethods } from './history';
import { hostMethods } from './host';
import { repoMethods } from './repo';
import { storageMethods } from './storage';

export const methods = {
  ...hostMethods,
  ...repoMethods,
  ...historyMethods,
  ...storageMethods,
  ...bundleMethods,
};

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export type MethodParams<M extends MethodName> = z.infer<Methods[M]['params']>;
export type MethodResult<M extends MethodName> = z.infer<Methods[M]['result']>;

export function isMethodName(name: string): name is MethodName {
  return Object.hasOwn(methods, name);
}
