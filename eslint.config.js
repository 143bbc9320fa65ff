// Lint: typescript-eslint's recommended rules on every TypeScript file, plus the project's own.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import noLiteralUiText from './scripts/eslint/no-literal-ui-text.js';

export default tseslint.config(
  { ignores: ['node_modules/', '.output/', '.wxt/', 'dist/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx}'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': [
        'error',
        { selector: 'TSEnumDeclaration', message: 'No enums: use `as const` objects and string unions.' },
        { selector: "JSXAttribute[name.name='dangerouslySetInnerHTML']", message: 'Page text and model output are rendered as text, never as HTML.' },
      ],
      'no-console': ['error', { allow: ['error', 'warn'] }],
    },
  },
  {
    // UI words come from public/_locales/en/messages.json (extension/ui/i18n.ts).
    files: ['extension/ui/**/*.tsx'],
    plugins: { hydraflow: { rules: { 'no-literal-ui-text': noLiteralUiText } } },
    rules: { 'hydraflow/no-literal-ui-text': 'error' },
  },
  {
    files: ['scripts/**', 'tests/**', 'bin/**', 'native-host/cli/**', 'native-host/stdout-guard.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['**/*.{js,mjs}'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', URL: 'readonly' } },
  },
);
