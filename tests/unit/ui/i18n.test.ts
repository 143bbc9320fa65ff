/**
 * UI words come from messages.json: the lint rule refuses text written into JSX (and in the
 * attributes a person reads), every key the UI names exists and every message is used. The lint
 * rule runs on every UI file (`npm run lint`), none exempt.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { RuleTester } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import rule from '../../../scripts/eslint/no-literal-ui-text.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const messages = JSON.parse(readFileSync(join(ROOT, 'public/_locales/en/messages.json'), 'utf8')) as Record<string, { message: string }>;

function uiFiles(dir = 'extension/ui'): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) return uiFiles(path);
    return /\.tsx?$/.test(name) ? [path] : [];
  });
}

describe('UI strings through chrome.i18n', () => {
  it('the lint rule refuses hard-coded text a person reads, and lets keys, symbols and data through', () => {
    const tester = new RuleTester({ languageOptions: { parser: tseslint.parser as never, parserOptions: { ecmaFeatures: { jsx: true } } } });
    tester.run('no-literal-ui-text', rule, {
      valid: [
        { code: "const a = <p>{t('hello')}</p>;" },
        { code: 'const a = <p data-testid="status-line" class="muted"> · {count} / {total} — </p>;' },
        { code: "const a = <input placeholder={t('example')} aria-label={label} />;" },
        { code: 'const a = <p>{title}</p>;' },
      ],
      invalid: [
        { code: 'const a = <p>Saved</p>;', errors: [{ messageId: 'literal' }] },
        { code: "const a = <p>{ok ? 'Saved' : 'Failed'}</p>;", errors: [{ messageId: 'literal' }, { messageId: 'literal' }] },
        { code: 'const a = <p>{`Removed ${n} jobs`}</p>;', errors: [{ messageId: 'literal' }] },
        { code: 'const a = <input placeholder="Search threads" />;', errors: [{ messageId: 'literal' }] },
        { code: "const a = <button aria-label={'Close the dialog'} />;", errors: [{ messageId: 'literal' }] },
      ],
    });
  });

  it('every key the UI names is in messages.json, and every message is used', () => {
    const sources = uiFiles().map((file) => readFileSync(join(ROOT, file), 'utf8'));
    const named = new Set(sources.flatMap((code) => [...code.matchAll(/'([a-z][A-Za-z0-9_]*)'/g)].map((m) => m[1]!)).filter((word) => word in messages));
    const unused = Object.keys(messages).filter((key) => !named.has(key));
    expect(unused, 'messages no UI file names').toEqual([]);
    for (const code of sources) {
      for (const [, key] of code.matchAll(/\bt\('([A-Za-z0-9_]+)'/g)) expect(messages, `t('${key}')`).toHaveProperty(key!);
    }
  });
});
