/**
 * The deflated `items` event of `history.read` (HISTORY_READ_DEFLATE, shared/protocol/history.ts):
 * the base64 of the event's columns as JSON, deflated (RFC 1951, no header). Inflating is where a
 * hostile host could hurt: a few hundred KB of deflate can inflate to gigabytes, so the output is
 * counted as it streams and refused past `maxBytes`, before it is ever held whole. Anything wrong
 * (not base64, not deflate, not UTF-8, not JSON, too big) is INVALID_RESULT; what the JSON holds is
 * the caller's to check (historyVisitColumns). Web-standard APIs only (DecompressionStream,
 * TextDecoder, atob): the same code runs in the service worker and in Node.
 */
import { base64ToBytes } from '../bundle/base64';
import { CodedError } from '../errors';

function invalid(message: string): CodedError {
  return new CodedError('INVALID_RESULT', `The host sent a deflated items event that ${message}`);
}

/** `Uint8Array.fromBase64` (Chromium 140+, no copy through a binary string), or atob. */
function bytesOf(base64: string): Uint8Array {
  const native = (Uint8Array as unknown as { fromBase64?: (text: string) => Uint8Array }).fromBase64;
  return native ? native.call(Uint8Array, base64) : base64ToBytes(base64);
}

/** The JSON value `base64` deflates, at most `maxBytes` of UTF-8 once inflated. */
export async function inflateJson(base64: string, maxBytes: number): Promise<unknown> {
  let bytes: Uint8Array;
  try {
    bytes = bytesOf(base64);
  } catch {
    throw invalid('is not base64');
  }
  const stream = new DecompressionStream('deflate-raw');
  const writer = stream.writable.getWriter();
  // A corrupt input fails the reads below; these promises would only repeat that failure.
  writer.write(bytes as Uint8Array<ArrayBuffer>).catch(() => {});
  writer.close().catch(() => {});
  const reader = stream.readable.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    let next: Awaited<ReturnType<typeof reader.read>>;
    try {
      next = await reader.read();
    } catch {
      throw invalid('does not inflate (not deflate data, or cut short)');
    }
    if (next.done) break;
    size += next.value.length;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw invalid(`inflates to more than ${maxBytes} bytes`);
    }
    parts.push(next.value);
  }
  const whole = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    whole.set(part, at);
    at += part.length;
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(whole);
  } catch {
    throw invalid('is not UTF-8 once inflated');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw invalid('is not JSON once inflated');
  }
}
