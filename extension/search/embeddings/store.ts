/**
 * Embedding settings and stored vectors. The settings row `embeddings` says which endpoint and
 * model; every `vectors` row names the model it came from, and a model change deletes them all
 * (vectors of two models are not comparable). The in-memory matrix of one model is loaded on the
 * first vector query and then follows this worker's writes (the worker is the only writer), so
 * it is never reloaded while a job adds vectors.
 */
import { embeddingSettings, type EmbeddingSettings } from '../../../shared/commands/embeddings';
import { stringKey } from '../../../shared/hash';
import { VectorMatrix, type VectorKind } from '../../../shared/search/vectors';
import type { Message, Page } from '../../../shared/schemas/entities';
import type { HydraDb, VectorRow } from '../../db';

export const SETTINGS_KEY = 'embeddings';
/** Characters of a page's text (after its title) or of a message that are embedded. */
export const EMBED_TEXT_CHARS = 2_000;

export async function getEmbeddingSettings(db: HydraDb): Promise<EmbeddingSettings | null> {
  const parsed = embeddingSettings.safeParse((await db.settings.get(SETTINGS_KEY))?.value);
  return parsed.success ? parsed.data : null;
}

/** Vectors of one model only compare with each other; the endpoint kind is part of the identity. */
export function modelId(settings: Pick<EmbeddingSettings, 'kind' | 'model'>): string {
  return `${settings.kind}:${settings.model}`;
}

/**
 * Saves (or removes) the settings. A different model (or none) deletes every stored vector in
 * the same transaction, so no search ever compares vectors of two models. Returns whether the
 * vectors were dropped.
 */
export async function saveEmbeddingSettings(db: HydraDb, settings: EmbeddingSettings | null, now = Date.now()): Promise<{ dropped: boolean }> {
  const dropped = await db.transaction('rw', db.settings, db.vectors, async () => {
    const before = await getEmbeddingSettings(db);
    const drop = !settings || !before || modelId(before) !== modelId(settings);
    if (settings) await db.settings.put({ key: SETTINGS_KEY, value: settings, updatedAt: now });
    else await db.settings.delete(SETTINGS_KEY);
    if (drop) await db.vectors.clear();
    return drop;
  });
  if (dropped) forgetMatrix(db);
  return { dropped };
}

export function vectorKey(kind: VectorKind, key: string): string {
  return `${kind}:${key}`;
}

export function textHash(text: string): string {
  return stringKey(text);
}

/** What is embedded of a page version: its title, then the start of its text. */
export function pageText(page: Pick<Page, 'title' | 'text'>): string {
  return `${page.title}\n${page.text.slice(0, EMBED_TEXT_CHARS)}`.trim();
}

export function messageText(message: Pick<Message, 'content'>): string {
  return message.content.slice(0, EMBED_TEXT_CHARS).trim();
}

/** A page's source key: its version ids. A new or deleted version changes it. */
export function pageSource(versionIds: readonly string[]): string {
  return stringKey([...versionIds].sort().join(','));
}

interface MatrixState {
  model: string;
  /** null: no vectors stored yet (the dimension is unknown). */
  matrix: VectorMatrix | null;
}
const matrices = new WeakMap<HydraDb, Promise<MatrixState>>();

/** Drops the loaded matrix: the next query reloads from the store. */
export function forgetMatrix(db: HydraDb): void {
  matrices.delete(db);
}

async function loadMatrix(db: HydraDb, model: string): Promise<MatrixState> {
  let matrix: VectorMatrix | null = null;
  const count = await db.vectors.where('model').equals(model).count();
  await db.vectors
    .where('model')
    .equals(model)
    .each((row) => {
      matrix ??= new VectorMatrix(row.dims, Math.max(1024, count));
      if (row.dims === matrix.dims) matrix.upsert(row.kind, row.key.slice(row.kind.length + 1), row.q);
    });
  return { model, matrix };
}

/** The matrix of `model`'s vectors, loaded once per worker (or after a model change). */
export async function vectorMatrix(db: HydraDb, model: string): Promise<VectorMatrix | null> {
  let state = matrices.get(db);
  if (state && (await state).model !== model) state = undefined;
  if (!state) {
    state = loadMatrix(db, model);
    matrices.set(db, state);
    state.catch(() => matrices.delete(db));
  }
  return (await state).matrix;
}

/** Keeps a loaded matrix in step with rows just committed (never loads one). */
export async function applyToMatrix(db: HydraDb, written: readonly VectorRow[], removed: readonly string[]): Promise<void> {
  const pending = matrices.get(db);
  if (!pending) return;
  const state = await pending;
  for (const key of removed) {
    const [kind, ...rest] = key.split(':');
    state.matrix?.remove(kind as VectorKind, rest.join(':'));
  }
  for (const row of written) {
    if (row.model !== state.model) continue;
    if (state.matrix && state.matrix.dims !== row.dims) {
      // The dimension changed (the job restarted the store): start over from the rows.
      forgetMatrix(db);
      return;
    }
    state.matrix ??= new VectorMatrix(row.dims);
    state.matrix.upsert(row.kind, row.key.slice(row.kind.length + 1), row.q);
  }
}

/**
 * Deletes the vectors of items that are gone (a privacy delete, a deleted thread), and drops them
 * from a loaded matrix. The embed job's sweep removes any left over; this makes it immediate for
 * a caller that knows which documents vanished (the indexer, when it removes documents).
 */
export async function forgetVectors(db: HydraDb, items: readonly { kind: string; key: string }[]): Promise<number> {
  const keys = items.filter((item) => item.kind === 'page' || item.kind === 'message').map((item) => vectorKey(item.kind as VectorKind, item.key));
  if (keys.length === 0) return 0;
  const present = (await db.vectors.bulkGet(keys)).filter((row): row is VectorRow => row !== undefined).map((row) => row.key);
  if (present.length === 0) return 0;
  await db.vectors.bulkDelete(present);
  await applyToMatrix(db, [], present);
  return present.length;
}
