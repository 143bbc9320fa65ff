/**
 * HTML → readable text for the service worker, which has no DOM: an offscreen document (reason
 * DOM_PARSER, entrypoints/offscreen) parses the HTML with DOMParser and runs the same Readability
 * extraction as a tab save (extension/capture/readable.ts). The document is created on first use
 * and closed when no refresh needs it any more.
 */
import { z } from 'zod';
import { CodedError } from '../../shared/errors';
import type { ExtractedPage } from '../capture/readable';

export const EXTRACT_MESSAGE_TYPE = 'hydraflow/offscreen-extract';
const OFFSCREEN_PATH = 'offscreen.html';

const extractedPage = z.lazy(() => z.object({
  title: z.string(),
  byline: z.string().nullable(),
  text: z.string(),
  links: z.array(z.object({ href: z.string(), rel: z.string() })).max(100_000),
  metaRobots: z.string().nullable(),
}));

let creating: Promise<void> | null = null;
let users = 0;

async function ensureDocument(): Promise<void> {
  const url = chrome.runtime.getURL(OFFSCREEN_PATH);
  const existing = await chrome.runtime.getContexts({ contextTypes: [chrome.runtime.ContextType.OFFSCREEN_DOCUMENT], documentUrls: [url] });
  if (existing.length > 0) return;
  creating ??= chrome.offscreen
    .createDocument({ url: OFFSCREEN_PATH, reasons: [chrome.offscreen.Reason.DOM_PARSER], justification: 'Extract readable text from pages fetched by a page refresh' })
    .finally(() => (creating = null));
  await creating;
}

/** Parses `html` in the offscreen document; the reply is checked like any message from another context. */
export async function extractInOffscreen(html: string, url: string): Promise<ExtractedPage> {
  await ensureDocument();
  const ask = (): Promise<unknown> => chrome.runtime.sendMessage({ type: EXTRACT_MESSAGE_TYPE, html, url });
  // A document closing as the previous run ended may miss the message: make it again once.
  const reply = await ask().catch(async () => {
    await ensureDocument();
    return ask();
  });
  const parsed = extractedPage.safeParse(reply);
  if (!parsed.success) throw new CodedError('INTERNAL_ERROR', 'The offscreen document sent no readable result');
  return parsed.data;
}

/** Marks the document as used by one more run; the returned function releases it (closing it after the last). */
export function holdOffscreen(): () => void {
  users++;
  return () => {
    users--;
    if (users === 0) void chrome.offscreen.closeDocument().catch(() => undefined);
  };
}
