/**
 * What the `hydraflow-host bundle` commands do, over the same shared codec the extension uses:
 * inspect (open + validate), from-history (a history file's visits as a bundle) and merge (the
 * deduplicated union of bundles, rows copied byte for byte, so merging a bundle with itself
 * changes no component).
 */
import { COMPONENTS, type ComponentName } from '../../shared/bundle/format';
import { openBundle, readRows, validateBundle, type OpenedBundle } from '../../shared/bundle/read';
import { BundleWriter } from '../../shared/bundle/write';
import { CodedError, toAppError, type AppError } from '../../shared/errors';
import { makeVisit } from '../../shared/history/visit';
import type { Memory, Page, Visit } from '../../shared/schemas/entities';
import type { VisitSource } from '../../shared/schemas/statuses';
import { openHistoryFile } from '../history/read';
import { createFileSink, fileInfo, openFileSource, type FileSink } from './files';

export interface InspectReport {
  file: string;
  format: string | null;
  schemaVersion: number | null;
  createdAt: number | null;
  appVersion: string | null;
  scope: unknown;
  counts: Record<string, number> | null;
  valid: boolean;
  error?: AppError;
}

export async function inspectBundle(path: string): Promise<InspectReport> {
  const report: InspectReport = { file: path, format: null, schemaVersion: null, createdAt: null, appVersion: null, scope: null, counts: null, valid: false };
  let source;
  try {
    source = openFileSource(path);
  } catch (error) {
    return { ...report, error: toAppError(error) };
  }
  try {
    const bundle = await openBundle(source);
    Object.assign(report, {
      format: bundle.manifest.formatName,
      schemaVersion: bundle.version,
      createdAt: bundle.manifest.createdAt,
      appVersion: bundle.manifest.appVersion,
      scope: bundle.manifest.scope,
      counts: Object.fromEntries(bundle.components.map((c) => [c, bundle.manifest.components[c]!.rows])),
    });
    await validateBundle(bundle);
    report.valid = true;
  } catch (error) {
    report.error = toAppError(error);
  } finally {
    source.close();
  }
  return report;
}

async function writeTo(out: string, fill: (writer: BundleWriter) => Promise<void>, scope: Parameters<BundleWriter['finish']>[0]['scope']) {
  const sink: FileSink = createFileSink(out);
  try {
    const writer = new BundleWriter(sink);
    await fill(writer);
    const manifest = await writer.finish({ scope });
    const info = sink.close();
    return { path: info.path, bytes: info.size, counts: Object.fromEntries(Object.entries(manifest.components).map(([c, s]) => [c, s.rows])) };
  } catch (error) {
    sink.abort();
    throw error;
  }
}

export async function bundleFromHistory(file: string, out: string, source?: VisitSource) {
  const reader = openHistoryFile(file, source ? { source } : {});
  try {
    let invalid = 0;
    const result = await writeTo(
      out,
      async (writer) => {
        await writer.begin('visits');
        for (const batch of reader.batches({ batchSize: 5000 })) {
          invalid += batch.invalid;
          await writer.rows(batch.visits.map((visit) => makeVisit(visit)));
        }
      },
      { kind: 'history-file', source: reader.source },
    );
    return { ...result, kind: reader.kind, source: reader.source, invalid };
  } finally {
    reader.close();
  }
}

/** The keys a row must not share with an earlier row of the union (beyond its id). */
function contentKeys(component: ComponentName, row: unknown): string[] {
  switch (component) {
    case 'visits':
      return [makeVisit(row as Visit).id];
    case 'pages':
      return [`id ${(row as Page).id}`, `content ${(row as Page).urlKey} ${(row as Page).contentHash}`];
    case 'memories': {
      const memory = row as Memory;
      return [`id ${memory.id}`, `text ${memory.scope} ${memory.threadId} ${memory.textHash}`];
    }
    case 'tabs':
      return [String((row as { tabId: number }).tabId)];
    default:
      return [String((row as { id: string }).id)];
  }
}

export async function mergeBundles(inputs: string[], out: string) {
  const sources = inputs.map((path) => {
    fileInfo(path);
    return openFileSource(path);
  });
  try {
    const bundles: OpenedBundle[] = [];
    for (const [i, source] of sources.entries()) {
      try {
        const bundle = await openBundle(source);
        await validateBundle(bundle);
        bundles.push(bundle);
      } catch (error) {
        if (error instanceof CodedError) throw new CodedError(error.code, `${inputs[i]}: ${error.message}`);
        throw error;
      }
    }
    let duplicates = 0;
    const result = await writeTo(
      out,
      async (writer) => {
        for (const component of COMPONENTS) {
          await writer.begin(component);
          const seen = new Set<string>();
          for (const bundle of bundles) {
            for await (const batch of readRows(bundle, component)) {
              const keep: string[] = [];
              batch.rows.forEach((row, i) => {
                const keys = contentKeys(component, row);
                if (keys.some((key) => seen.has(key))) {
                  duplicates += 1;
                  return;
                }
                for (const key of keys) seen.add(key);
                keep.push(batch.lines[i]!);
              });
              await writer.lines(keep);
            }
          }
        }
      },
      { kind: 'merge', inputs: inputs.length },
    );
    return { ...result, inputs: inputs.length, duplicates };
  } finally {
    for (const source of sources) source.close();
  }
}
