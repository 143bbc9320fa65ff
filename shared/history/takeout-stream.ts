/**
 * Reads a Google Takeout `BrowserHistory.json` as a stream of text pieces and hands on the entries
 * of its `"Browser History"` list one at a time, so the memory a file costs is one entry, never the
 * file (a Takeout file of years of history is hundreds of MB; parsed whole it took the service
 * worker's heap with it). Pure: no DOM, no Node; the caller feeds it text and parses each entry.
 *
 * It scans JSON structure only (strings, escapes, brackets) and never builds a value: an entry
 * longer than `maxEntryChars` or nested deeper than `maxDepth` is skipped and counted, never
 * buffered. Everything outside the list is read and dropped.
 */
import { CodedError } from '../errors';

export interface TakeoutScanLimits {
  /** The longest entry (in characters) that is parsed; longer ones are counted oversized. */
  maxEntryChars: number;
  /** The deepest nesting inside one entry that is parsed. */
  maxDepth: number;
}

export const TAKEOUT_SCAN_LIMITS: TakeoutScanLimits = { maxEntryChars: 1024 * 1024, maxDepth: 64 };

const LIST_KEY = 'Browser History';
/** Keys longer than this are never the list's name, so only this much of one is kept. */
const MAX_KEY_CHARS = 64;

export class TakeoutScanner {
  /** Entries of the list too long or too deep to parse (counted invalid by the caller). */
  oversized = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** The top-level object's last key and whether the text being read is a key. */
  private key = '';
  private readingKey = false;
  private expectKey = false;
  private listDepth = -1;
  private listSeen = false;
  private listDone = false;
  /** The entry being read (its text so far), or null outside one; `skipping` for an oversized one. */
  private entry: string[] | null = null;
  private entryChars = 0;
  private entryStart = 0;
  private skipping = false;
  private sawAnything = false;

  constructor(private readonly limits: TakeoutScanLimits = TAKEOUT_SCAN_LIMITS) {}

  /** Feeds the next piece of text; returns the complete entries it closed (their JSON text). */
  push(text: string): string[] {
    const out: string[] = [];
    let pieceStart = this.entry ? 0 : -1;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === 0x5c) this.escaped = true;
        else if (c === 0x22) {
          this.inString = false;
          if (this.readingKey) this.readingKey = false;
        } else if (this.readingKey && this.key.length < MAX_KEY_CHARS) this.key += text[i];
        continue;
      }
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
      this.sawAnything = true;
      const inList = this.listDepth >= 0 && !this.listDone;
      // A value starts at list depth + 1: an entry begins.
      if (inList && this.depth === this.listDepth + 1 && this.entry === null && !this.skipping && c !== 0x2c && c !== 0x5d) {
        this.entry = [];
        this.entryChars = 0;
        this.entryStart = this.depth;
        pieceStart = i;
      }
      if (c === 0x22) {
        this.inString = true;
        if (this.depth === 1 && this.expectKey) {
          this.readingKey = true;
          this.key = '';
          this.expectKey = false;
        }
      } else if (c === 0x7b || c === 0x5b) {
        if (this.depth === 1 && c === 0x5b && this.key === LIST_KEY && !this.listSeen) {
          this.listDepth = 1;
          this.listSeen = true;
        }
        this.depth++;
        if (this.depth === 1) {
          if (c !== 0x7b) throw new CodedError('HISTORY_NOT_A_DATABASE', 'The file is not a Google Takeout BrowserHistory.json (it is not a JSON object)');
          this.expectKey = true;
        }
        if (this.entry !== null && this.depth - this.entryStart > this.limits.maxDepth) this.startSkipping();
      } else if (c === 0x7d || c === 0x5d) {
        this.depth--;
        if (this.depth < 0) throw new CodedError('HISTORY_FILE_CORRUPT', 'The file is not valid JSON (a bracket closes nothing)');
        if (this.listDepth >= 0 && !this.listDone && this.depth === this.listDepth) {
          // The list itself closed (an entry that was a bare value ends here too).
          if (this.entry !== null || this.skipping) this.endEntry(out, text, pieceStart, i);
          this.listDone = true;
          pieceStart = -1;
          continue;
        }
      } else if (c === 0x2c) {
        if (this.depth === 1) this.expectKey = true;
        if (this.listDepth >= 0 && !this.listDone && this.depth === this.listDepth + 1 && (this.entry !== null || this.skipping)) {
          this.endEntry(out, text, pieceStart, i);
          pieceStart = -1;
          continue;
        }
      }
      // An object or array entry (kept or being skipped) ends when its bracket closes back to list depth + 1.
      if ((this.entry !== null || this.skipping) && (c === 0x7d || c === 0x5d) && this.depth === this.listDepth + 1) {
        this.endEntry(out, text, pieceStart, i + 1);
        pieceStart = -1;
      }
    }
    if (this.entry !== null && pieceStart >= 0) this.keep(text.slice(pieceStart));
    return out;
  }

  /** Call after the last piece: throws when the file was not a whole Takeout file. */
  finish(): void {
    if (!this.sawAnything || !this.listSeen) throw new CodedError('HISTORY_NOT_A_DATABASE', 'The file is not a Google Takeout BrowserHistory.json (no "Browser History" list)');
    if (this.depth !== 0 || this.inString || !this.listDone) throw new CodedError('HISTORY_FILE_CORRUPT', 'The file is cut off or not valid JSON');
  }

  private keep(piece: string): void {
    if (this.entry === null) return;
    this.entryChars += piece.length;
    if (this.entryChars > this.limits.maxEntryChars) this.startSkipping();
    else this.entry.push(piece);
  }

  private startSkipping(): void {
    this.entry = null;
    this.skipping = true;
  }

  /** Closes the current entry at `end` (exclusive) of this piece. */
  private endEntry(out: string[], text: string, pieceStart: number, end: number): void {
    if (this.entry !== null && pieceStart >= 0) this.keep(text.slice(pieceStart, end));
    if (this.skipping) this.oversized++;
    else if (this.entry !== null) out.push(this.entry.join(''));
    this.entry = null;
    this.skipping = false;
  }
}
