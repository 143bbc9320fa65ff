import type { CommandHandlers } from '../commands/router';
import type { HydraDb } from '../db';
import type { pageCommands } from '../../shared/commands/pages';
import { diffVersions } from './versions';

export function pageCommandHandlers(db: HydraDb): Pick<CommandHandlers, keyof typeof pageCommands> {
  return {
    'pages.diff': (params) => diffVersions(db, params.pageId, params.againstId),
  };
}
