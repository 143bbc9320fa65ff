/**
 * Other tools' exports as import sources: the file is read whole (these exports are made to be
 * opened by a browser page; capped at 16 MiB and 100,000 rows so the worker's heap stays under its
 * ceiling), mapped by shared/bundle/foreign.ts, and offered
 * to the importer like a validated bundle, in batches.
 */
import { COMPONENTS } from '../../shared/bundle/format';
import { mapForeign } from '../../shared/bundle/foreign';
import { sha256Hex } from '../../shared/bundle/sha256';
import type { ByteSource } from '../../shared/bundle/zip-read';
import { CodedError } from '../../shared/errors';
import type { RowSource } from './row-source';

const MAX_FOREIGN_BYTES = 16 * 1024 * 1024;
const BATCH = 5000;

/** The mapped rows; null for text that is no known export; 'binary' for bytes that are not text. */
export async function foreignRowSource(source: ByteSource): Promise<RowSource | null | 'binary'> {
  if (source.size > MAX_FOREIGN_BYTES) throw new CodedError('BUNDLE_TOO_LARGE', `The file is ${source.size} bytes; exports of other tools are read up to ${MAX_FOREIGN_BYTES}`);
  const bytes = await source.read(0, source.size);
  let textValue: string;
  try {
    textValue = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return 'binary';
  }
  const mapped = mapForeign(textValue);
  if (!mapped) return null;
  const components = COMPONENTS.filter((c) => (mapped.rows[c]?.length ?? 0) > 0 || (mapped.invalid[c] ?? 0) > 0);
  return {
    format: mapped.format,
    schemaVersion: null,
    createdAt: null,
    appVersion: null,
    scope: { kind: 'foreign', format: mapped.format },
    components,
    identity: sha256Hex(bytes),
    rows: Object.fromEntries(components.map((c) => [c, mapped.rows[c]?.length ?? 0])),
    invalid: mapped.invalid,
    read: async function* (component, from, onReached) {
      // Held in memory: nothing before `from` is read again.
      await onReached?.();
      const rows = mapped.rows[component] ?? [];
      for (let at = from; at < rows.length; at += BATCH) yield { rows: rows.slice(at, at + BATCH), anchor: null };
    },
  };
}
