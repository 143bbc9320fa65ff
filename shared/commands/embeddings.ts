/** Commands of embeddings: the endpoint settings and the `embed` job (docs/search.md). */
import { z } from 'zod';
import { id } from '../schemas/entities';
import { defineCommand, OWN_PAGES } from './define';

export const embeddingSettings = z.lazy(() => z.object({
  kind: z.enum(['openai', 'ollama']),
  baseUrl: z.string().url(),
  model: z.string().min(1).max(200),
  apiKey: z.string().max(500).optional(),
}));
export type EmbeddingSettings = z.infer<typeof embeddingSettings>;

export const embeddingCommands = {
  'embeddings.getSettings': defineCommand({
    callers: OWN_PAGES,
    summary: 'The embeddings endpoint settings (null when none).',
    params: () => z.object({}),
    result: () => z.object({ settings: embeddingSettings.nullable() }),
  }),
  'embeddings.setSettings': defineCommand({
    callers: OWN_PAGES,
    summary: 'Saves (or, with null, removes) the embeddings endpoint settings. A different model drops the stored vectors.',
    params: () => z.object({ settings: embeddingSettings.nullable() }),
    result: () => z.object({ settings: embeddingSettings.nullable() }),
  }),
  'embeddings.start': defineCommand({
    callers: OWN_PAGES,
    summary: 'Embeds every page and message that has no vector yet, as a resumable `embed` job. One already queued or running is returned instead.',
    params: () => z.object({}),
    result: () => z.object({ jobId: id, deduplicated: z.boolean() }),
  }),
};
