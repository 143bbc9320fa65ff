/** Commands about the extension itself. */
import { z } from 'zod';
import { defineCommand, OWN_PAGES } from './define';

export const appCommands = {
  'app.info': defineCommand({
    callers: OWN_PAGES,
    summary: 'Version numbers and the database schema version.',
    params: () => z.object({}),
    result: () => z.object({
      appVersion: z.string(),
      protocolVersion: z.number().int(),
      schemaVersion: z.number().int(),
      extensionId: z.string(),
    }),
  }),
};
