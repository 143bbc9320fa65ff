/** The embeddings commands. */
import type { embeddingCommands } from '../../../shared/commands/embeddings';
import type { CommandHandlers } from '../../commands/router';
import type { HydraDb } from '../../db';
import { startEmbedJob, stopEmbedJobs, type EmbedJobOptions } from './job';
import { getEmbeddingSettings, saveEmbeddingSettings } from './store';

export function embeddingCommandHandlers(db: HydraDb, options: EmbedJobOptions = {}): Pick<CommandHandlers, keyof typeof embeddingCommands> {
  return {
    'embeddings.getSettings': async () => ({ settings: await getEmbeddingSettings(db) }),
    'embeddings.setSettings': async ({ settings }) => {
      const before = await getEmbeddingSettings(db);
      // A job embeds with the settings it started with: any change stops it before the save (a
      // model change drops the vectors, and the old job must not write more of them).
      if (JSON.stringify(before) !== JSON.stringify(settings)) await stopEmbedJobs(db);
      await saveEmbeddingSettings(db, settings);
      if (settings) await startEmbedJob(db, options);
      return { settings };
    },
    'embeddings.start': async () => {
      const { jobId, deduplicated } = await startEmbedJob(db, options);
      return { jobId, deduplicated };
    },
  };
}
