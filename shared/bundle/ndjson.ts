/**
 * NDJSON in pieces: one JSON value per line, UTF-8, `\n` after every line. Lines are split out
 * of decompressed chunks as they arrive; nothing holds more than one unfinished line.
 */
import { CodedError } from '../errors';

export class LineSplitter {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private rest = '';

  constructor(
    private readonly label: string,
    private readonly maxLineChars: number,
  ) {}

  /** Complete lines in `chunk` (the unfinished tail is kept for the next call). */
  push(chunk: Uint8Array): string[] {
    let text: string;
    try {
      text = this.decoder.decode(chunk, { stream: true });
    } catch {
      throw new CodedError('BUNDLE_ROW_INVALID', `${this.label}: not valid UTF-8`);
    }
    const lines = (this.rest + text).split('\n');
    this.rest = lines.pop()!;
    if (this.rest.length > this.maxLineChars) throw new CodedError('BUNDLE_ROW_INVALID', `${this.label}: a line is longer than ${this.maxLineChars} characters`);
    return lines;
  }

  /** The last line when the data did not end with `\n`. */
  end(): string[] {
    let text: string;
    try {
      text = this.decoder.decode();
    } catch {
      throw new CodedError('BUNDLE_ROW_INVALID', `${this.label}: not valid UTF-8`);
    }
    const last = this.rest + text;
    this.rest = '';
    return last.length ? [last] : [];
  }
}

const encoder = new TextEncoder();

/** One batch of values as NDJSON bytes. */
export function encodeLines(lines: readonly string[]): Uint8Array {
  return encoder.encode(lines.length ? `${lines.join('\n')}\n` : '');
}
