/**
 * One polite fetch: a time limit, `Accept: text/html`, an identifying header, no cookies (a
 * background crawl must never act as the logged-in user: following a "log out" link would), a
 * content-type check before the body is read, and a size cap while it is read. Outcomes are
 * values with a stable code; only a cancelled job throws.
 */
import { CodedError, type AppError } from '../../shared/errors';

export const CRAWLER_TOKEN = 'HydraFlow';
/** Chromium does not let an extension's fetch replace User-Agent; this header says who is asking. */
export const IDENTITY_HEADER = 'X-HydraFlow';
export const IDENTITY_VALUE = `${CRAWLER_TOKEN} page refresh (local-first research companion; respects robots.txt)`;
export const MAX_PAGE_BYTES = 5 * 1024 * 1024;

export type FetchFn = (url: string, init: RequestInit) => Promise<Response>;

export type PageFetch = { ok: true; status: number; html: string; finalUrl: string } | { ok: false; error: AppError };

const HTML_TYPES = /^(text\/html|application\/xhtml\+xml)\b/i;

function charsetOf(contentType: string): string {
  const match = /charset\s*=\s*"?([\w-]+)/i.exec(contentType);
  try {
    return new TextDecoder(match?.[1] ?? 'utf-8').encoding;
  } catch {
    return 'utf-8';
  }
}

async function readCapped(response: Response, maxBytes: number): Promise<Uint8Array | null> {
  const reader = response.body?.getReader();
  if (!reader) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/**
 * Fetches `url` as HTML. `signal` is the job's (cancel: throws CANCELLED); `timeoutMs` bounds the
 * whole fetch, body included.
 */
export async function fetchPage(fetchFn: FetchFn, url: string, options: { signal: AbortSignal; timeoutMs: number; maxBytes?: number; accept?: string }): Promise<PageFetch> {
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), options.timeoutMs);
  const signal = AbortSignal.any([options.signal, timeout.signal]);
  try {
    const response = await fetchFn(url, {
      method: 'GET',
      headers: { Accept: options.accept ?? 'text/html,application/xhtml+xml;q=0.9', [IDENTITY_HEADER]: IDENTITY_VALUE },
      credentials: 'omit',
      cache: 'no-store',
      redirect: 'follow',
      signal,
    });
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      return { ok: false, error: { code: 'REFRESH_HTTP_ERROR', message: `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`, details: { status: response.status } } };
    }
    const type = response.headers.get('content-type') ?? '';
    if (options.accept === undefined && !HTML_TYPES.test(type.trim())) {
      await response.body?.cancel().catch(() => undefined);
      return { ok: false, error: { code: 'REFRESH_NOT_HTML', message: `Not HTML: ${type || 'no content type'}`, details: { contentType: type } } };
    }
    const bytes = await readCapped(response, options.maxBytes ?? MAX_PAGE_BYTES);
    if (bytes === null) return { ok: false, error: { code: 'REFRESH_TOO_LARGE', message: `Larger than ${Math.round((options.maxBytes ?? MAX_PAGE_BYTES) / 1024)} KiB` } };
    return { ok: true, status: response.status, html: new TextDecoder(charsetOf(type)).decode(bytes), finalUrl: response.url || url };
  } catch (thrown) {
    if (options.signal.aborted) throw new CodedError('CANCELLED', 'The refresh was cancelled');
    if (timeout.signal.aborted) return { ok: false, error: { code: 'REFRESH_TIMEOUT', message: `No complete answer within ${options.timeoutMs} ms` } };
    return { ok: false, error: { code: 'REFRESH_FETCH_FAILED', message: (thrown as Error)?.message || 'Network error' } };
  } finally {
    clearTimeout(timer);
  }
}
