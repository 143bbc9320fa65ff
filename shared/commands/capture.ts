/** Commands of capture: a tab's readable text as a page snapshot, and the capture blocklist. */
import { z } from 'zod';
import { blockRule } from '../blocklist';
import { page } from '../schemas/entities';
import { defineCommand, OWN_PAGES } from './define';

export const captureCommands = {
  'capture.page': defineCommand({
    callers: OWN_PAGES,
    summary: "Stores the tab's readable text (Readability) as a page snapshot; unchanged text is not stored again.",
    params: () => z.object({ tabId: z.number().int() }),
    result: () => z.object({ page, stored: z.boolean() }),
  }),
  'capture.getBlocklist': defineCommand({
    callers: OWN_PAGES,
    summary: 'Domains never captured.',
    params: () => z.object({}),
    result: () => z.object({ rules: z.array(blockRule) }),
  }),
  'capture.setBlocklist': defineCommand({
    callers: OWN_PAGES,
    summary: 'Replaces the blocklist (domains are checked and normalized).',
    params: () => z.object({ rules: z.array(blockRule).max(10_000) }),
    result: () => z.object({ rules: z.array(blockRule) }),
  }),
};
