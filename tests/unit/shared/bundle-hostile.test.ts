/**
 * Hostile bundles against the shared reader (the extension and the host both use it): zip bombs,
 * a 70 M-character line, a million tiny rows, a 200,000-deep value. Each is refused with its code;
 * inflating never runs ahead of the checks (the bomb whose header lies yields at most a few MiB).
 */
import { describe, expect, it } from 'vitest';
import { openBundle, validateBundle } from '../../../shared/bundle/read';
import { LineSplitter, nestsDeeperThan } from '../../../shared/bundle/ndjson';
import { bytesSource, readZipDirectory, readZipEntry } from '../../../shared/bundle/zip-read';
import { MAX_ENTRY_BYTES, MAX_LINE_CHARS } from '../../../shared/bundle/format';
import { BundleWriter, memorySink } from '../../../shared/bundle/write';
import { CodedError } from '../../../shared/errors';
import { hostileBundles, lyingZipBomb } from '../../fixtures/hostile-bundles';

async function refusal(bytes: Uint8Array): Promise<string> {
  try {
    await validateBundle(await openBundle(bytesSource(bytes)));
  } catch (error) {
    if (error instanceof CodedError) return error.code;
    throw error;
  }
  return 'accepted';
}

describe('hostile bundles', () => {
  it('refuses each with its stable code', async () => {
    for (const hostile of hostileBundles()) expect(await refusal(hostile.bytes), hostile.name).toBe(hostile.code);
  }, 60_000);

  it('stops a bomb whose header lies within a few MiB of the declared size', async () => {
    const source = bytesSource(lyingZipBomb());
    const entry = (await readZipDirectory(source, MAX_ENTRY_BYTES)).find((e) => e.name === 'visits.ndjson')!;
    let yielded = 0;
    await expect(
      (async () => {
        for await (const chunk of readZipEntry(source, entry)) yielded += chunk.length;
      })(),
    ).rejects.toMatchObject({ code: 'BUNDLE_CORRUPT' });
    expect(yielded).toBeLessThanOrEqual(1024 * 1024);
  });

  it('measures every line, also one that starts and ends inside one chunk', () => {
    const splitter = new LineSplitter('t', 10);
    expect([...splitter.push(new TextEncoder().encode('short\n0123456789\n'))]).toEqual(['short', '0123456789']);
    expect(() => [...splitter.push(new TextEncoder().encode('01234567890\n'))]).toThrow(expect.objectContaining({ code: 'BUNDLE_LINE_TOO_LONG' }));
    const pieces = new LineSplitter('t', 10);
    expect([...pieces.push(new TextEncoder().encode('01234'))]).toEqual([]);
    expect([...pieces.push(new TextEncoder().encode('56789\nab'))]).toEqual(['0123456789']);
    expect(() => [...pieces.push(new TextEncoder().encode('cdefghijk'))]).toThrow(expect.objectContaining({ code: 'BUNDLE_LINE_TOO_LONG' }));
  });

  it('the writer refuses a row longer than a reader accepts, instead of writing an unimportable bundle', async () => {
    const writer = new BundleWriter(memorySink());
    await writer.begin('threads');
    await writer.begin('messages');
    await expect(writer.lines([JSON.stringify({ content: 'x'.repeat(MAX_LINE_CHARS) })])).rejects.toMatchObject({ code: 'BUNDLE_LINE_TOO_LONG' });
  });

  it('counts nesting outside strings only', () => {
    expect(nestsDeeperThan('{"a":[[1]]}', 3)).toBe(false);
    expect(nestsDeeperThan('{"a":[[[1]]]}', 3)).toBe(true);
    expect(nestsDeeperThan('{"a":"[[[[[[\\"[[[["}', 3)).toBe(false);
  });
});
