/**
 * NDJSON in pieces: one JSON value per line, UTF-8, `\n` after every line. Lines are split out
 * of decompressed chunks as they arrive; nothing holds more than one unfinished line.
 */
import { CodedError } from '../errors';

export class LineSplitter {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  /** The unfinished line, in pieces (joined once its `\n` arrives). */
  private pending: string[] = [];
  private pendingChars = 0;

  constructor(
    private readonly label: string,
    private readonly maxLineChars: number,
  ) {}

  private tooLong(): never {
    throw new CodedError('BUNDLE_LINE_TOO_LONG', `${this.label}: a line is longer than ${this.maxLineChars} characters`);
  }

  /**
   * Complete lines in `chunk`, one at a time (the unfinished tail is kept for the next call): a
   * reader that refuses a line stops the split there, so a chunk of a million empty lines never
   * becomes a million-element array.
   */
  *push(chunk: Uint8Array): Generator<string> {
    let text: string;
    try {
      text = this.decoder.decode(chunk, { stream: true });
    } catch {
      throw new CodedError('BUNDLE_ROW_INVALID', `${this.label}: not valid UTF-8`);
    }
    let start = 0;
    for (let newline = text.indexOf('\n'); newline >= 0; newline = text.indexOf('\n', start)) {
      // Every line is measured, also one that begins and ends inside this chunk.
      if (this.pendingChars + newline - start > this.maxLineChars) this.tooLong();
      const piece = text.slice(start, newline);
      const line = this.pending.length ? this.pending.join('') + piece : piece;
      this.pending = [];
      this.pendingChars = 0;
      start = newline + 1;
      yield line;
    }
    if (start < text.length) {
      this.pendingChars += text.length - start;
      if (this.pendingChars > this.maxLineChars) this.tooLong();
      this.pending.push(start === 0 ? text : text.slice(start));
    }
  }

  /** The last line when the data did not end with `\n`. */
  end(): string[] {
    let text: string;
    try {
      text = this.decoder.decode();
    } catch {
      throw new CodedError('BUNDLE_ROW_INVALID', `${this.label}: not valid UTF-8`);
    }
    if (this.pendingChars + text.length > this.maxLineChars) this.tooLong();
    const last = this.pending.join('') + text;
    this.pending = [];
    this.pendingChars = 0;
    return last.length ? [last] : [];
  }
}

/**
 * True when a JSON text nests arrays/objects deeper than `limit`. Checked before JSON.parse: a
 * 200,000-deep value parses, but its clone into IndexedDB overflows the stack mid-import.
 */
export function nestsDeeperThan(json: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

const encoder = new TextEncoder();

/** One batch of values as NDJSON bytes. */
export function encodeLines(lines: readonly string[]): Uint8Array {
  return encoder.encode(lines.length ? `${lines.join('\n')}\n` : '');
}
