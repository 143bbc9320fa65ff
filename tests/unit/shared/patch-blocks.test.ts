import { describe, expect, it } from 'vitest';
import { findPatchBlocks } from '../../../shared/patch-blocks';

describe('patch blocks in a message', () => {
  it('finds diff/patch fences and untagged fences that are patches, not other code', () => {
    const markdown = [
      'Here is the change:',
      '```diff',
      '--- a/x',
      '+++ b/x',
      '@@ -1 +1 @@',
      '-a',
      '+b',
      '```',
      '```ts',
      'const x = 1;',
      '```',
      '~~~',
      '*** Begin Patch',
      '*** Delete File: y',
      '*** End Patch',
      '~~~',
      '```',
      'just text',
      '```',
    ].join('\n');
    const blocks = findPatchBlocks(markdown);
    expect(blocks.map((b) => [b.lang, b.line])).toEqual([
      ['diff', 1],
      ['', 11],
    ]);
    expect(blocks[0]!.text).toBe('--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n');
    expect(blocks[1]!.text).toBe('*** Begin Patch\n*** Delete File: y\n*** End Patch\n');
  });

  it('an unclosed fence runs to the end of the message', () => {
    expect(findPatchBlocks('```patch\ndiff --git a/x b/x\n')).toEqual([{ lang: 'patch', text: 'diff --git a/x b/x\n', line: 0 }]);
  });
});
