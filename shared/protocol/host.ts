/** Foundation methods: the handshake and cancellation of a running request. */
import { z } from 'zod';
import { defineMethod } from './define';
import { requestId } from './envelope';

export const hostMethods = {
  hello: defineMethod({
    summary: 'Handshake: returns host version, protocol version and capabilities.',
    params: () => z.object({
      protocolVersion: z.number().int().nonnegative(),
      client: z.string().max(200).optional(),
      /** The HydraFlow version of the caller (the extension's, or the CLI's for doctor). */
      clientVersion: z.string().max(50).optional(),
    }),
    result: () => z.object({
      hostVersion: z.string(),
      protocolVersion: z.number().int(),
      capabilities: z.array(z.string()),
      platform: z.string(),
      nodeVersion: z.string(),
    }),
  }),
  cancel: defineMethod({
    summary: 'Cancels a running request by its id; the request then ends with CANCELLED.',
    params: () => z.object({ requestId }),
    result: () => z.object({ cancelled: z.boolean() }),
  }),
};
