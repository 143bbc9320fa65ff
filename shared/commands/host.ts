/** Commands about the native host connection. */
import { z } from 'zod';
import { errorBody } from '../protocol/envelope';
import { defineCommand, OWN_PAGES } from './define';

/** What the user runs to install the host; shown verbatim by the UI. */
export const HOST_INSTALL_COMMAND = 'npx hydraflow-host install';

export const hostStatus = z.lazy(() => z.discriminatedUnion('state', [
  z.object({
    state: z.literal('connected'),
    hostVersion: z.string(),
    protocolVersion: z.number().int(),
    capabilities: z.array(z.string()),
  }),
  z.object({ state: z.literal('not_installed'), message: z.string(), installCommand: z.string() }),
  z.object({
    state: z.literal('incompatible'),
    message: z.string(),
    hostVersion: z.string(),
    protocolVersion: z.number().int(),
    installCommand: z.string(),
  }),
  z.object({ state: z.literal('error'), error: errorBody }),
]));
export type HostStatus = z.infer<typeof hostStatus>;

export const hostCommands = {
  'host.status': defineCommand({
    callers: OWN_PAGES,
    summary: 'Connects to the native host if needed and reports its state.',
    params: () => z.object({ refresh: z.boolean().default(false) }),
    result: () => hostStatus,
  }),
};
