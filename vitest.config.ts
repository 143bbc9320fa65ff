import { defineConfig } from 'vitest/config';

// Three projects: unit (pure code, Dexie on fake-indexeddb), contract (the real host process over
// stdio, real files in temp dirs), e2e (real Chromium + built extension + installed host).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.{ts,tsx}'],
          environment: 'node',
          setupFiles: ['tests/support/unit-setup.ts'],
          // A few unit tests work on 100k–200k rows or 5 MB (1–3 s alone); on a shared 2-core
          // machine they took over the 5 s default. A hang still fails.
          testTimeout: 30_000,
        },
        esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
      },
      {
        test: {
          name: 'contract',
          include: ['tests/contract/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
          maxWorkers: 1,
        },
      },
    ],
  },
});
