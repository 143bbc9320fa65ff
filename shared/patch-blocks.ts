/**
 * Finds the patches in a message's markdown (pure): fenced blocks tagged `diff` or `patch`, and
 * untagged fences whose body is recognisably a patch (a `*** Begin Patch` envelope, a
 * `diff --git` header, or a `---`/`+++` pair). The thread UI offers "Apply to repo…" on each;
 * the host alone decides whether a patch is valid and safe.
 */
export interface PatchBlock {
  /** The fence's info string ("diff", "patch", or ""). */
  lang: string;
  text: string;
  /** 0-based line of the opening fence in the markdown. */
  line: number;
}

const PATCH_LANGS = new Set(['diff', 'patch', 'udiff', 'git-diff']);

export function looksLikePatch(text: string): boolean {
  const start = text.trimStart();
  return start.startsWith('*** Begin Patch') || /^diff --git /m.test(text) || /^--- \S.*\n\+\+\+ \S/m.test(text);
}

export function findPatchBlocks(markdown: string): PatchBlock[] {
  const lines = markdown.split('\n');
  const blocks: PatchBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^( {0,3})(`{3,}|~{3,})\s*([^\s`]*)/.exec(lines[i]!);
    if (!open) continue;
    const fence = open[2]!;
    const lang = open[3]!.toLowerCase();
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const close = new RegExp(`^ {0,3}${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`);
      if (close.test(lines[j]!)) break;
      body.push(lines[j]!);
    }
    // An unclosed fence (a reply cut off while streaming) ends at the message's end.
    if (j === lines.length) while (body.length && body[body.length - 1] === '') body.pop();
    const text = body.length ? `${body.join('\n')}\n` : '';
    if (text && (PATCH_LANGS.has(lang) || (lang === '' && looksLikePatch(text)))) blocks.push({ lang, text, line: i });
    i = j;
  }
  return blocks;
}
