/**
 * The import graph, read by dependency-cruiser (type-only imports included: a cycle closed by a
 * type is still a type in the wrong file). No module imports itself back through others; the
 * folders form a ladder that is only walked down: a capability folder never imports one that
 * imports it, the database and the command router know no capability, nothing below the UI and
 * the service worker's start-up imports them, and the three sides (shared/, native-host/,
 * extension/ + entrypoints/) import only downwards (everything may use shared/, shared/ uses only itself).
 */
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { cruise, type ICruiseResult } from 'dependency-cruiser';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const SIDES = ['extension', 'shared', 'native-host', 'entrypoints'];

interface Edge {
  from: string;
  to: string;
}

async function importGraph(): Promise<{ edges: Edge[]; circular: string[] }> {
  const previous = process.cwd();
  process.chdir(ROOT);
  try {
    const { output } = await cruise(SIDES, { tsPreCompilationDeps: true, doNotFollow: { path: 'node_modules' }, exclude: { path: '\\.(css|html)$' } }, { extensions: ['.ts', '.tsx', '.js', '.mjs'] }, {});
    const modules = (output as ICruiseResult).modules;
    const edges: Edge[] = [];
    const circular: string[] = [];
    for (const module of modules) {
      for (const dependency of module.dependencies) {
        if (!dependency.dependencyTypes.includes('local')) continue;
        edges.push({ from: module.source, to: dependency.resolved });
        if (dependency.circular) circular.push(`${module.source} -> ${dependency.resolved}`);
      }
    }
    return { edges, circular };
  } finally {
    process.chdir(previous);
  }
}

/**
 * The folder a file counts in. Under extension/: the nearest folder with an index.ts (a capability
 * or a part of one, like search/embeddings); the UI is one folder. Under native-host/: its top
 * folder (a capability's logic, commands/, cli/, core/, install/). shared/ is one floor of pure
 * modules, entrypoints/ the roof. A file at the top of extension/ or native-host/ stands alone.
 */
function folderOf(file: string): string {
  const parts = file.split('/');
  // package.json (the one place the version is written) is data, not a folder of code.
  if (!SIDES.includes(parts[0]!)) return file;
  if (parts[0] === 'shared' || parts[0] === 'entrypoints' || parts.length === 2) return parts.length === 2 && parts[0] !== 'shared' ? file : parts[0]!;
  if (parts[0] === 'native-host') return `native-host/${parts[1]}`;
  if (parts[1] === 'ui') return 'extension/ui';
  for (let dir = dirname(file); dir !== 'extension'; dir = dirname(dir)) if (existsSync(join(ROOT, dir, 'index.ts'))) return dir;
  return `extension/${parts[1]}`;
}

/** A cycle in the folder graph, as a path of folders, or null. */
function folderCycle(edges: Edge[]): string[] | null {
  const next = new Map<string, Set<string>>();
  for (const { from, to } of edges) {
    const [a, b] = [folderOf(from), folderOf(to)];
    if (a !== b) (next.get(a) ?? next.set(a, new Set()).get(a)!).add(b);
  }
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (folder: string): string[] | null => {
    if (state.get(folder) === 'done') return null;
    if (state.get(folder) === 'open') return [...path.slice(path.indexOf(folder)), folder];
    state.set(folder, 'open');
    path.push(folder);
    for (const to of next.get(folder) ?? []) {
      const found = visit(to);
      if (found) return found;
    }
    path.pop();
    state.set(folder, 'done');
    return null;
  };
  for (const folder of next.keys()) {
    const found = visit(folder);
    if (found) return found;
  }
  return null;
}

const offending = (edges: Edge[], from: RegExp, to: RegExp) => edges.filter((edge) => from.test(edge.from) && to.test(edge.to)).map((edge) => `${edge.from} -> ${edge.to}`);

describe('the import graph', async () => {
  const { edges, circular } = await importGraph();

  it('reads the whole code base', () => {
    expect(edges.length).toBeGreaterThan(500);
    expect(edges.some((edge) => edge.from === 'extension/background/main.ts' && edge.to === 'extension/jobs/index.ts')).toBe(true);
  });

  it('has no import cycle between modules', () => {
    expect(circular).toEqual([]);
  });

  it('has no cycle between folders: every import between capability folders runs one way, down', () => {
    expect(folderCycle(edges)).toBeNull();
  });

  it('keeps the three sides apart: shared/ imports only shared/, the host never the extension, the extension never the host', () => {
    // package.json is the one place the version is written (shared/version.ts reads it).
    expect(offending(edges, /^shared\//, /^(?!shared\/|package\.json$)/)).toEqual([]);
    expect(offending(edges, /^native-host\//, /^(extension|entrypoints)\//)).toEqual([]);
    expect(offending(edges, /^(extension|entrypoints)\//, /^native-host\//)).toEqual([]);
  });

  it('the foundations know no capability: db/ and commands/ import only themselves and shared/', () => {
    expect(offending(edges, /^extension\/db\//, /^extension\/(?!db\/)/)).toEqual([]);
    expect(offending(edges, /^extension\/commands\//, /^extension\/(?!commands\/|db\/)/)).toEqual([]);
  });

  it('nothing below imports the UI or the start-up, and the host logic never imports its adapters or CLI', () => {
    expect(offending(edges, /^extension\/(?!ui\/)/, /^extension\/ui\//)).toEqual([]);
    expect(offending(edges, /^extension\/(?!background\/)/, /^extension\/background\//)).toEqual([]);
    expect(offending(edges, /^native-host\/(repo|history|bundle|storage|core)\//, /^native-host\/(commands|cli|install)\//)).toEqual([]);
  });
});
