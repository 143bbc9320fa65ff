/**
 * Each side compiles with the types of its runtime only (tsconfig.shared.json, tsconfig.host.json,
 * tsconfig.extension.json; `npm run typecheck` runs all three), so a wrong-side API is a compile
 * error, not a regex hit. Here each side's real compiler options compile small probe files: the
 * APIs of the other runtimes must fail, the side's own must pass.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import ts from 'typescript';

const ROOT = join(import.meta.dirname, '..', '..', '..');

/** The error count of each probe, compiled with the side's options and its declaration files. */
function compileProbes(config: string, probes: Record<string, string>): Record<string, number> {
  const parsed = ts.getParsedCommandLineOfConfigFile(join(ROOT, config), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => expect.fail(String(d.messageText)) })!;
  expect(parsed.errors, config).toEqual([]);
  const dir = join(ROOT, 'probe-never-written');
  const files = new Map(Object.entries(probes).map(([name, code]) => [join(dir, `${name}.ts`), `export {};\n${code}\n`]));
  const host = ts.createCompilerHost(parsed.options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.readFile = (name) => files.get(name) ?? readFile(name);
  host.fileExists = (name) => files.has(name) || fileExists(name);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, language, ...rest) => (files.has(name) ? ts.createSourceFile(name, files.get(name)!, language) : getSourceFile(name, language, ...rest));
  const declarations = parsed.fileNames.filter((name) => name.endsWith('.d.ts'));
  const program = ts.createProgram([...declarations, ...files.keys()], parsed.options, host);
  return Object.fromEntries([...files.keys()].map((file, i) => [Object.keys(probes)[i]!, ts.getPreEmitDiagnostics(program, program.getSourceFile(file)).length]));
}

describe('each side compiles with its own runtime only', () => {
  it('shared/: no Node, no DOM, no extension API; the web-platform globals both runtimes have', () => {
    expect(
      compileProbes('tsconfig.shared.json', {
        node: 'process.version;',
        buffer: "Buffer.from('x');",
        dom: 'document.title;',
        extension: 'chrome.runtime.id;',
        common: "new URL('https://example.com/').hostname; new TextEncoder().encode('x'); crypto.randomUUID(); btoa('x');",
      }),
    ).toEqual({ node: 1, buffer: 1, dom: 1, extension: 1, common: 0 });
  });

  it('native-host/: Node, no DOM, no extension API', () => {
    expect(compileProbes('tsconfig.host.json', { dom: 'document.title;', extension: 'chrome.runtime.id;', node: "process.version; Buffer.from('x');" })).toEqual({ dom: 1, extension: 1, node: 0 });
  });

  it('extension/ and entrypoints/: DOM and extension APIs, no Node', () => {
    expect(compileProbes('tsconfig.extension.json', { node: 'process.version;', buffer: "Buffer.from('x');", browser: 'document.title; chrome.runtime.id;' })).toEqual({ node: 1, buffer: 1, browser: 0 });
  });
});
