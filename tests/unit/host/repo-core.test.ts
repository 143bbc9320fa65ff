/** The pure repo-tools core: patch parsing (both formats), exact hunk application, budgets, path rules. */
import { describe, expect, it } from 'vitest';
import { CodedError } from '../../../shared/errors';
import { applyGitHunksInPlace, applyGitHunksToBytes, applyHunks, applyHunksByLines, editGitHunksOnBytes, editPieces, hunkFigures } from '../../../native-host/repo/core/apply';
import { enforceBudgets, lineCount } from '../../../native-host/repo/core/budget';
import { assertNoCaseTwins, pathComponents } from '../../../native-host/repo/core/path-rules';
import { decodeGitPath, parsePatch, parsePatchBytes, type Hunk, type ParsedPatch } from '../../../native-host/repo/core/patch';

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return error instanceof CodedError ? error.code : `not coded: ${String(error)}`;
  }
  return undefined;
}

describe('git unified diffs', () => {
  it('parses modify, create, delete and rename with their paths', () => {
    const patch = parsePatch(
      [
        'From abc Mon Sep 17 00:00:00 2001',
        'Subject: [PATCH] demo',
        '',
        'diff --git a/src/a.ts b/src/a.ts',
        'index 1111111..2222222 100644',
        '--- a/src/a.ts',
        '+++ b/src/a.ts',
        '@@ -1,2 +1,2 @@ function x() {',
        ' keep',
        '-old',
        '+new',
        'diff --git a/new.txt b/new.txt',
        'new file mode 100644',
        '--- /dev/null',
        '+++ b/new.txt',
        '@@ -0,0 +1 @@',
        '+hi',
        'diff --git a/gone.txt b/gone.txt',
        'deleted file mode 100644',
        '--- a/gone.txt',
        '+++ /dev/null',
        '@@ -1 +0,0 @@',
        '-bye',
        'diff --git a/old name.txt b/new name.txt',
        'similarity index 100%',
        'rename from old name.txt',
        'rename to new name.txt',
        '-- ',
        '2.39.5',
        '',
      ].join('\n'),
    );
    expect(patch.format).toBe('git');
    expect(patch.files.map((f) => [f.op, f.path, f.movePath])).toEqual([
      ['modify', 'src/a.ts', null],
      ['create', 'new.txt', null],
      ['delete', 'gone.txt', null],
      ['modify', 'old name.txt', 'new name.txt'],
    ]);
  });

  it('decodes C-quoted paths byte by byte (UTF-8 octal escapes)', () => {
    expect(decodeGitPath('"b/t\\303\\251st\\tx.txt"')).toBe('b/tést\tx.txt');
    expect(decodeGitPath('b/plain.txt\t2024-01-01 00:00:00')).toBe('b/plain.txt');
  });

  it('refuses binary, mode-only and lying headers with their codes', () => {
    expect(codeOf(() => parsePatch('diff --git a/x b/x\nindex 1..2 100644\nBinary files a/x and b/x differ\n'))).toBe('PATCH_BINARY');
    expect(codeOf(() => parsePatch('diff --git a/x b/x\nold mode 100644\nnew mode 100755\n'))).toBe('PATCH_MODE_ONLY');
    expect(codeOf(() => parsePatch('--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n a\n-b\n+c\n'))).toBe('HUNK_HEADER_MISMATCH');
    expect(codeOf(() => parsePatch('just text\n'))).toBe('PATCH_INVALID');
  });

  it('applies hunks exactly, at the stated line, keeping CRLF and missing final newlines', () => {
    const crlf = 'a\r\nb\r\nc\r\n';
    const patch = parsePatch('--- a/x\n+++ b/x\n@@ -2 +2 @@\n-b\r\n+B\r\n');
    expect(applyHunks('x', crlf, patch.files[0]!)).toBe('a\r\nB\r\nc\r\n');
    const noEol = parsePatch('--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n');
    expect(applyHunks('x', 'a\nb', noEol.files[0]!)).toBe('a\nb\n');
    expect(codeOf(() => applyHunks('x', 'a\nb\n', noEol.files[0]!))).toBe('HUNK_MISMATCH');
    // Same content one line lower: fuzz 0 and no offset, so it is refused rather than guessed.
    const shifted = parsePatch('--- a/x\n+++ b/x\n@@ -1 +1 @@\n-b\n+B\n');
    expect(codeOf(() => applyHunks('x', 'a\nb\n', shifted.files[0]!))).toBe('HUNK_MISMATCH');
  });

  it('inserts a pure addition after the line its header names', () => {
    const patch = parsePatch('--- a/x\n+++ b/x\n@@ -1,0 +2 @@\n+inserted\n');
    expect(applyHunks('x', 'one\ntwo\n', patch.files[0]!)).toBe('one\ninserted\ntwo\n');
  });
});

describe('the *** Begin Patch format', () => {
  const text = ['*** Begin Patch', '*** Add File: hello.txt', '+Hello', '+world', '*** Update File: src/app.py', '*** Move to: src/main.py', '@@ def greet():', '-    print("Hi")', '+    print("Hello")', '*** Delete File: old.txt', '*** End Patch'].join('\n');

  it('parses add, update with move and anchor, and delete', () => {
    const patch = parsePatch(text);
    expect(patch.format).toBe('model');
    expect(patch.files.map((f) => [f.op, f.path, f.movePath])).toEqual([
      ['create', 'hello.txt', null],
      ['modify', 'src/app.py', 'src/main.py'],
      ['delete', 'old.txt', null],
    ]);
    expect(patch.files[0]!.content).toBe('Hello\nworld\n');
    expect(patch.files[1]!.hunks[0]!.anchor).toBe('def greet():');
  });

  it('locates hunks by content after their anchor, and refuses when absent', () => {
    const update = parsePatch(text).files[1]!;
    const file = 'def other():\n    print("Hi")\ndef greet():\n    print("Hi")\n';
    expect(applyHunks('src/app.py', file, update)).toBe('def other():\n    print("Hi")\ndef greet():\n    print("Hello")\n');
    expect(codeOf(() => applyHunks('src/app.py', 'def other():\n    print("Hi")\n', update))).toBe('HUNK_MISMATCH');
  });

  it('keeps CRLF line endings of the file it patches', () => {
    const patch = parsePatch('*** Begin Patch\n*** Update File: w.txt\n@@\n a\n-b\n+B\n*** End Patch\n');
    expect(applyHunks('w.txt', 'a\r\nb\r\n', patch.files[0]!)).toBe('a\r\nB\r\n');
  });

  it('needs the closing marker', () => {
    expect(codeOf(() => parsePatch('*** Begin Patch\n*** Delete File: x\n'))).toBe('PATCH_INVALID');
  });
});

describe('the line-splitting-free path for git hunks', () => {
  // A small deterministic generator (no Math.random: a failure must reproduce).
  function rng(seed: number) {
    let state = seed >>> 0;
    return (n: number) => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state % n;
    };
  }
  const words = ['a', 'b', 'x\r', '', ' ', '\u00e9', 'a b'];

  it('gives exactly the line-by-line result wherever it answers, over random files and hunks (matching and not)', () => {
    let answered = 0;
    let declined = 0;
    for (let seed = 1; seed <= 3000; seed++) {
      const pick = rng(seed);
      const lines = Array.from({ length: pick(12) }, () => words[pick(words.length)]!);
      const finalNewline = pick(4) !== 0;
      const old = lines.length === 0 ? '' : lines.join('\n') + (finalNewline ? '\n' : '');
      const hunks: Hunk[] = [];
      let from = 0;
      for (let h = 0; h < 1 + pick(3) && from <= lines.length; h++) {
        const start = from + pick(Math.max(1, lines.length - from + 1));
        const take = Math.min(pick(4), lines.length - start);
        const hunkLines: Hunk['lines'] = [];
        for (let k = 0; k < take; k++) {
          // Mostly the real line; sometimes a wrong one (the hunk must then be refused).
          const text = pick(10) === 0 ? 'zz' : lines[start + k]!;
          hunkLines.push({ kind: pick(2) === 0 ? ' ' : '-', text });
          if (pick(3) === 0) hunkLines.push({ kind: '+', text: words[pick(words.length)]! });
        }
        if (hunkLines.length === 0 || pick(4) === 0) hunkLines.push({ kind: '+', text: 'new' });
        const oldCount = hunkLines.filter((l) => l.kind !== '+').length;
        // Sometimes a lying line number.
        const oldStart = (oldCount === 0 ? start : start + 1) + (pick(8) === 0 ? pick(3) - 1 : 0);
        hunks.push({ oldStart, anchor: null, lines: hunkLines, oldNoEol: pick(10) === 0, newNoEol: pick(10) === 0, atEnd: false });
        from = start + take;
      }
      const fast = applyGitHunksInPlace(old, hunks);
      // The same on bytes, with the hunks as byte strings (as parsePatchBytes gives them).
      const byteHunks = hunks.map((hunk) => ({ ...hunk, lines: hunk.lines.map((entry) => ({ ...entry, text: Buffer.from(entry.text, 'utf8').toString('latin1') })) }));
      const onBytes = applyGitHunksToBytes(Buffer.from(old, 'utf8'), byteHunks);
      expect(onBytes === null ? null : Buffer.concat(onBytes).toString('utf8'), `seed ${seed} (bytes)`).toBe(fast);
      // A streamed apply keeps the edit and makes the pieces again from the same bytes read back
      // (another buffer): the same content, of the length the edit states, which the size
      // change of the hunks' lines predicts (the budget check before anything is staged).
      const edit = editGitHunksOnBytes(Buffer.from(old, 'utf8'), byteHunks);
      if (edit !== null) {
        const again = Buffer.concat(editPieces(Buffer.from(old, 'utf8'), edit));
        expect(again.toString('utf8'), `seed ${seed} (edit)`).toBe(fast);
        expect(edit.length, `seed ${seed} (edit length)`).toBe(again.length);
        expect(Buffer.byteLength(old) + hunkFigures(byteHunks).byteDelta, `seed ${seed} (predicted size)`).toBe(again.length);
      }
      let slow: string | undefined;
      try {
        slow = applyHunksByLines('f', old, { hunks });
      } catch (error) {
        expect((error as CodedError).code, `seed ${seed}`).toBe('HUNK_MISMATCH');
      }
      if (fast === null) declined++;
      else {
        answered++;
        expect(fast, `seed ${seed}: ${JSON.stringify({ old, hunks })}`).toBe(slow);
      }
      // The public entry point always agrees with the line-by-line path.
      if (slow !== undefined) expect(applyHunks('f', old, { hunks })).toBe(slow);
      else expect(codeOf(() => applyHunks('f', old, { hunks }))).toBe('HUNK_MISMATCH');
    }
    // Both branches were exercised many times.
    expect(answered).toBeGreaterThan(500);
    expect(declined).toBeGreaterThan(500);
  });
});

describe('byte-string parsing (what the host uses)', () => {
  // Non-ASCII everywhere: quoted and raw paths, lines, anchors, added content, an NBSP (whose UTF-8
  // form ends in 0xA0, a "space" to String#trim in a byte string), CRLF, a BOM.
  const git = [
    '\uFEFFdiff --git "a/d\\303\\251j\\303\\240.txt" "b/d\\303\\251j\\303\\240.txt"',
    '--- "a/d\\303\\251j\\303\\240.txt"',
    '+++ "b/d\\303\\251j\\303\\240.txt"',
    '@@ -1,3 +1,3 @@',
    ' caf\u00e9 \u00b7\u00b7',
    '-na\u00efve \u{1F600}\r',
    '+na\u00eff \u00e0',
    ' fin\u00a0',
    'diff --git a/\u00fcber/ni\u00f1o.txt b/\u00fcber/ni\u00f1o.txt',
    'new file mode 100644',
    '--- /dev/null',
    '+++ b/\u00fcber/ni\u00f1o.txt',
    '@@ -0,0 +1 @@',
    '+\u00a1hola!',
    '',
  ].join('\n');
  const model = ['*** Begin Patch', '*** Add File: \u00e0/x.txt', '+\u00e9t\u00e9\u00a0', '*** Update File: \u00f1.txt', '*** Move to: \u00f1\u00f1.txt', '@@ d\u00e9but', '-\u00b7a', '+\u00b7b', '*** End Patch', ''].join('\n');
  const file = 'caf\u00e9 \u00b7\u00b7\nna\u00efve \u{1F600}\r\nfin\u00a0\n';
  const modelFile = 'd\u00e9but\n\u00b7a\n';

  function sameParse(text: string): [ParsedPatch, ParsedPatch] {
    const asText = parsePatch(text);
    const asBytes = parsePatchBytes(Buffer.from(text, 'utf8'));
    expect([asText.encoding, asBytes.encoding]).toEqual(['text', 'bytes']);
    expect(asBytes.format).toBe(asText.format);
    expect(asBytes.files.map((f) => [f.op, f.path, f.movePath])).toEqual(asText.files.map((f) => [f.op, f.path, f.movePath]));
    const utf8 = (s: string | null, encoding: ParsedPatch['encoding']) => (s === null ? null : Buffer.from(s, encoding === 'bytes' ? 'latin1' : 'utf8').toString('hex'));
    const view = (p: ParsedPatch) => p.files.map((f) => [utf8(f.content, p.encoding), f.hunks.map((h) => [h.oldStart, utf8(h.anchor, p.encoding), h.lines.map((l) => l.kind + utf8(l.text, p.encoding))])]);
    expect(view(asBytes)).toEqual(view(asText));
    return [asText, asBytes];
  }

  it('gives the same paths and the same line bytes as parsing the text', () => {
    const [gitText] = sameParse(git);
    expect(gitText.files.map((f) => f.path)).toEqual(['d\u00e9j\u00e0.txt', '\u00fcber/ni\u00f1o.txt']);
    const [modelText] = sameParse(model);
    expect(modelText.files.map((f) => [f.path, f.movePath])).toEqual([['\u00e0/x.txt', null], ['\u00f1.txt', '\u00f1\u00f1.txt']]);
  });

  it('applies hunks to byte strings with the same resulting bytes', () => {
    for (const [text, content] of [[git, file], [model, modelFile]] as const) {
      const [asText, asBytes] = sameParse(text);
      const change = (p: ParsedPatch) => p.files.find((f) => f.op === 'modify')!;
      const fromText = Buffer.from(applyHunks('f', content, change(asText)), 'utf8');
      const fromBytes = Buffer.from(applyHunks('f', Buffer.from(content, 'utf8').toString('latin1'), change(asBytes)), 'latin1');
      expect(fromBytes.equals(fromText)).toBe(true);
      expect(fromText.toString('utf8')).not.toBe(content);
    }
  });

  it('still refuses what the text parse refuses, with the same code', () => {
    for (const text of ['*** Begin Patch\n*** Delete File: \u00e9\n', '--- a/\u00e9\n+++ b/\u00e9\n@@ -1,3 +1,3 @@\n \u00e9\n-b\n+c\n', 'diff --git a/x b/x\nold mode 100644\nnew mode 100755\n']) {
      const code = codeOf(() => parsePatch(text));
      expect(code).toBeDefined();
      expect(codeOf(() => parsePatchBytes(Buffer.from(text, 'utf8')))).toBe(code);
    }
  });
});

describe('path rules', () => {
  it.each([
    ['/etc/passwd', 'PATH_ABSOLUTE'],
    ['C:\\x', 'PATH_ABSOLUTE'],
    ['a/../../b', 'PATH_TRAVERSAL'],
    ['a\\..\\b', 'PATH_TRAVERSAL'],
    ['.git/config', 'PATH_GIT_DIR'],
    ['x/.Git/hooks', 'PATH_GIT_DIR'],
    ['.git ./x', 'PATH_GIT_DIR'],
    ['GIT~1/config', 'PATH_GIT_DIR'],
    ['a\u0000b', 'PATH_CONTROL_CHARS'],
    ['a\u001bb', 'PATH_CONTROL_CHARS'],
    ['.git::$INDEX_ALLOCATION/config', 'PATH_RESERVED_NAME'],
    ['src/file.txt:stream', 'PATH_RESERVED_NAME'],
    ['.g\u200cit/config', 'PATH_GIT_DIR'],
    ['.git\u200d/hooks/x', 'PATH_GIT_DIR'],
    ['\ufeff.GIT/config', 'PATH_GIT_DIR'],
    ['.gi\u202et/config', 'PATH_GIT_DIR'],
  ])('refuses %j with %s', (path, code) => {
    expect(codeOf(() => pathComponents(path))).toBe(code);
  });

  it('accepts ordinary relative paths, including dotfiles that are not .git', () => {
    expect(pathComponents('./src//a.ts')).toEqual(['src', 'a.ts']);
    expect(pathComponents('.github/workflows/ci.yml')).toEqual(['.github', 'workflows', 'ci.yml']);
    expect(pathComponents('.gitignore')).toEqual(['.gitignore']);
  });

  it('refuses case twins and duplicates within one patch', () => {
    expect(codeOf(() => assertNoCaseTwins(['A.txt', 'a.txt']))).toBe('PATH_CASE_COLLISION');
    expect(codeOf(() => assertNoCaseTwins(['a.txt', 'a.txt']))).toBe('PATCH_DUPLICATE_PATH');
  });

  it('refuses NFC/NFD twins within one patch (one file on macOS)', () => {
    const nfc = 'caf\u00e9.txt';
    const nfd = 'cafe\u0301.txt';
    expect(codeOf(() => assertNoCaseTwins([nfc, nfd]))).toBe('PATH_NORMALIZATION_COLLISION');
  });
});

describe('budgets', () => {
  const budgets = { maxFiles: 2, maxLines: 10, maxBytes: 100 };
  it('checks files, then lines (added + removed), then bytes', () => {
    expect(codeOf(() => enforceBudgets({ files: 3, linesAdded: 0, linesRemoved: 0, bytes: 0 }, budgets))).toBe('BUDGET_FILES');
    expect(codeOf(() => enforceBudgets({ files: 2, linesAdded: 6, linesRemoved: 5, bytes: 0 }, budgets))).toBe('BUDGET_LINES');
    expect(codeOf(() => enforceBudgets({ files: 2, linesAdded: 5, linesRemoved: 5, bytes: 101 }, budgets))).toBe('BUDGET_BYTES');
    expect(codeOf(() => enforceBudgets({ files: 2, linesAdded: 5, linesRemoved: 5, bytes: 100 }, budgets))).toBeUndefined();
  });

  it('counts a last line without a newline', () => {
    expect([lineCount(''), lineCount('a'), lineCount('a\n'), lineCount('a\nb')]).toEqual([0, 1, 1, 2]);
  });
});
